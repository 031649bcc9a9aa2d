using CareerPath.Workflows.Storage;
using CareerPath.Workflows.Tests.Infrastructure;
using Npgsql;

namespace CareerPath.Server.Tests.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Migrate_creates_the_schema_on_an_empty_database_and_a_second_run_changes_nothing()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();

        var first = await ServerProcess.RunAsync("migrate", "--connection", cs);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"Migrated from version 0 to {SchemaMigrator.Embedded[^1].Version}", first.Output);

        var second = await ServerProcess.RunAsync("migrate", "--connection", cs);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Nothing changed", second.Output);

        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM schema_version", conn);
        Assert.Equal((long)SchemaMigrator.Embedded.Count, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Check_records_says_0_differences_on_a_whole_program_and_exits_1_on_a_record_changed_behind_the_engine()
    {
        var cs = await TestCluster.CreateEmptyDatabaseAsync();
        var seeded = await ServerProcess.RunAsync("seed-demo", "--connection", cs);
        Assert.True(seeded.ExitCode == 0, seeded.Output);

        var clean = await ServerProcess.RunAsync("check-records", "--connection", cs);
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Contains("0 difference(s)", clean.Output);

        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE contract SET start_date = start_date - 1 WHERE id = (SELECT id FROM contract ORDER BY id LIMIT 1)", conn);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        var dirty = await ServerProcess.RunAsync("check-records", "--connection", cs);
        Assert.Equal(1, dirty.ExitCode);
        Assert.Contains("1 difference(s)", dirty.Output);
        Assert.Contains("start: instance", dirty.Output);
    }

    [Fact]
    public async Task An_unreachable_database_is_a_one_line_error_not_a_stack_trace()
    {
        var cs = $"Host=127.0.0.1;Port={ServerProcess.FreePort()};Username=x;Password=y;Database=z;Timeout=3";

        var (code, output) = await ServerProcess.RunAsync("migrate", "--connection", cs);

        Assert.Equal(2, code);
        Assert.StartsWith("error:", output.Trim());
        Assert.DoesNotContain("   at ", output);
    }

    [Theory]
    [InlineData("frobnicate", "Unknown verb 'frobnicate'")]
    [InlineData("migrate --connection", "Option --connection needs a value")]
    public async Task Bad_arguments_exit_2_with_one_line_and_the_help_hint(string args, string message)
    {
        var (code, output) = await ServerProcess.RunAsync(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains(message, output);
        Assert.Contains("Run `CareerPath.Server help`", output);
        Assert.DoesNotContain("Usage: CareerPath.Server", output);
    }
}

public sealed class WorkflowsVerbTests
{
    [Fact]
    public async Task Workflows_mermaid_prints_both_diagrams()
    {
        var (code, output) = await ServerProcess.RunAsync("workflows", "--mermaid");

        Assert.Equal(0, code);
        Assert.Contains("%% advisor-contract v1", output);
        Assert.Contains("%% post-funding v1", output);
        Assert.Equal(2, output.Split("stateDiagram-v2").Length - 1);
        Assert.Contains("DecisionPending --> Decision", output);
        Assert.Contains("FundingEnding --> Renewed : ConventionRenewed", output);
        Assert.DoesNotContain("Function", output);
    }
}

public sealed class ReadmeTests
{
    [Fact]
    public async Task Readme_shows_the_diagrams_the_code_generates()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CareerPath.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var readme = (await File.ReadAllTextAsync(Path.Combine(dir.FullName, "README.md"))).ReplaceLineEndings("\n");

        foreach (var definition in new CareerPath.Workflows.Engine.DefinitionRegistry(CareerPath.Workflows.Definitions.ShippedWorkflows.All).All)
            Assert.Contains(definition.ToMermaid().ReplaceLineEndings("\n").TrimEnd(), readme);
    }
}
