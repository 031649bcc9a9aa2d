using CareerPath.Server.Hosting;
using CareerPath.Workflows.Privacy;
using Microsoft.Extensions.Configuration;

namespace CareerPath.Server.Tests.Hosting;

/// <summary>The retention policy comes from the configuration, once, and a policy that cannot be applied stops the server.</summary>
public sealed class RetentionPolicyStartTests
{
    // Read as the server reads it (EngineServices.RetentionPolicyFrom, which AddCareerPathEngine registers). Not through a
    // whole ServerApp built and disposed here: Hangfire's static configuration would keep that host's disposed logger
    // factory, and every later host of this test process would fail to install its storage.
    static IConfiguration Settings(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    [Fact]
    public void The_configured_policy_is_the_one_the_server_reads()
    {
        var policy = EngineServices.RetentionPolicyFrom(Settings(new() { ["CareerPath:Retention:AccessLogMonths"] = "6", ["CareerPath:Retention:ArchiveYearsAfterLastContract"] = "3" }));

        Assert.Equal(6, policy.AccessLogMonths);
        Assert.Equal(3, policy.ArchiveYearsAfterLastContract);
        Assert.Equal(new RetentionPolicy().ActiveMonthsAfterLastContract, policy.ActiveMonthsAfterLastContract);
    }

    [Fact]
    public void A_policy_with_problems_is_refused_and_names_each_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => EngineServices.RetentionPolicyFrom(
            Settings(new() { ["CareerPath:Retention:AccessLogMonths"] = "3", ["CareerPath:Retention:MessagesMonths"] = "0" })));

        Assert.StartsWith("la politique de conservation (CareerPath:Retention) ne peut pas être appliquée", e.Message);
        Assert.Contains("CareerPath:Retention:AccessLogMonths vaut 3 : attendu entre 6 et 12.", e.Message);
        Assert.Contains("CareerPath:Retention:MessagesMonths vaut 0 : attendu entre 1 et 60.", e.Message);
    }

    [Fact]
    public async Task Serve_with_a_policy_with_problems_is_one_error_line_before_any_database_starts()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"careerpath-retention-{Guid.NewGuid():N}");

        var (code, output) = await ServerProcess.RunAsync("serve", "--data-dir", dataDir, "--CareerPath:Retention:AccessLogMonths=24");

        Assert.Equal(2, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: la politique de conservation (CareerPath:Retention) ne peut pas être appliquée : CareerPath:Retention:AccessLogMonths vaut 24 : attendu entre 6 et 12.", line);
        // Refused before the embedded PostgreSQL was started: its folder was never made.
        Assert.False(Directory.Exists(dataDir));
    }
}
