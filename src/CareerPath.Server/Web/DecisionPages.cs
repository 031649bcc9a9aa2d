using CareerPath.Workflows.Queries;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CareerPath.Server.Web;

/// <summary>The services of the pages: decision, letter, recruitment and the other contract forms.</summary>
public static class DecisionPages
{
    public static IServiceCollection AddDecisionPages(this IServiceCollection services)
    {
        services.TryAddSingleton<ContractTaskQueries>();
        services.TryAddSingleton<DecisionQueries>();
        services.TryAddSingleton<RecruitmentCommands>();
        return services;
    }
}
