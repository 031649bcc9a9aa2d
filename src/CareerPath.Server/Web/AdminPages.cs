namespace CareerPath.Server.Web;

/// <summary>The services of the administrators' pages (definitions, instances, incidents, outbox, accounts, access log, migrations).</summary>
public static class AdminPages
{
    public static IServiceCollection AddAdminPages(this IServiceCollection services)
    {
        return services;
    }
}
