using CareerPath.Server.Hosting;
using CareerPath.Workflows.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CareerPath.Server.Tests.Hosting;

/// <summary>The retention policy comes from the configuration, once, and a policy that cannot be applied stops the server.</summary>
public sealed class RetentionPolicyStartTests
{
    static WebApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["CareerPath:Jobs:Enabled"] = "false" });
        return builder;
    }

    // Build opens no connection: a database that does not exist is enough to read the services.
    const string NoDatabase = "Host=127.0.0.1;Port=1;Username=careerpath_app;Database=none";

    [Fact]
    public async Task The_configured_policy_is_the_one_the_server_registers()
    {
        await using var app = ServerApp.Build(Builder(new() { ["CareerPath:Retention:AccessLogMonths"] = "6", ["CareerPath:Retention:ArchiveYearsAfterLastContract"] = "3" }),
            NoDatabase, Path.Combine(Path.GetTempPath(), $"careerpath-retention-{Guid.NewGuid():N}"));

        var policy = app.Services.GetRequiredService<RetentionPolicy>();
        Assert.Equal(6, policy.AccessLogMonths);
        Assert.Equal(3, policy.ArchiveYearsAfterLastContract);
        Assert.Equal(new RetentionPolicy().ActiveMonthsAfterLastContract, policy.ActiveMonthsAfterLastContract);
    }

    [Fact]
    public void A_policy_with_problems_stops_the_build_and_names_each_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => ServerApp.Build(
            Builder(new() { ["CareerPath:Retention:AccessLogMonths"] = "3", ["CareerPath:Retention:MessagesMonths"] = "0" }),
            NoDatabase, Path.GetTempPath()));

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
