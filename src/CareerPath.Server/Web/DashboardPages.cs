namespace CareerPath.Server.Web;

/// <summary>The services of the pages: HR dashboard, lists and their downloads, posts, calendar feed.</summary>
public static class DashboardPages
{
    public static IServiceCollection AddDashboardPages(this IServiceCollection services)
    {
        return services;
    }
}
