namespace CareerPath.Server.Web;

/// <summary>The services of the program coordinators' national view and its open-data file.</summary>
public static class ProgramPages
{
    public static IServiceCollection AddProgramPages(this IServiceCollection services)
    {
        return services;
    }
}
