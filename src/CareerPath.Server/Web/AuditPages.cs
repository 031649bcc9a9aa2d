namespace CareerPath.Server.Web;

/// <summary>The services of the union auditors' pages (outcomes, decision log).</summary>
public static class AuditPages
{
    public static IServiceCollection AddAuditPages(this IServiceCollection services)
    {
        return services;
    }
}
