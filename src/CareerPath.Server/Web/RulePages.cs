namespace CareerPath.Server.Web;

/// <summary>The services of the "Règles appliquées" page (every rule with a worked example).</summary>
public static class RulePages
{
    public static IServiceCollection AddRulePages(this IServiceCollection services)
    {
        return services;
    }
}
