namespace CareerPath.Server.Web;

/// <summary>The services of the pages: CSV import page.</summary>
public static class ImportPages
{
    public static IServiceCollection AddImportPages(this IServiceCollection services)
    {
        return services;
    }
}
