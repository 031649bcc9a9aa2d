namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>The repository's files, for the tests that read them (the README, the register) or run from its root.</summary>
public static class Repository
{
    /// <summary>The folder of CareerPath.sln, above the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CareerPath.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("CareerPath.sln not found above the test folder");
        }
    }
}
