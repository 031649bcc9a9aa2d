namespace CareerPath.Server.Web;

/// <summary>The services of the pages: decision, letter, recruitment and the other contract forms.</summary>
public static class DecisionPages
{
    public static IServiceCollection AddDecisionPages(this IServiceCollection services)
    {
        return services;
    }
}
