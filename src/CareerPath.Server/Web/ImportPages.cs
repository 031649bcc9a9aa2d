using CareerPath.Server.Actions;

namespace CareerPath.Server.Web;

/// <summary>The services of the pages: CSV import page (the import itself is shared with the API's /api/imports/{kind}).</summary>
public static class ImportPages
{
    public static IServiceCollection AddImportPages(this IServiceCollection services)
    {
        services.AddSingleton<ImportActions>();
        return services;
    }
}
