using CareerPath.Workflows.Queries;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CareerPath.Server.Web;

/// <summary>The services of the pages: advisor page, timeline, amendment and renewal, the advisor's own pages.</summary>
public static class AdvisorPages
{
    public static IServiceCollection AddAdvisorPages(this IServiceCollection services)
    {
        services.TryAddSingleton<AdvisorPageQueries>();
        services.TryAddSingleton<AdvisorCareer>();
        return services;
    }
}
