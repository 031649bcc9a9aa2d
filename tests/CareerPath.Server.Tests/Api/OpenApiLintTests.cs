using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareerPath.Server.Tests.Architecture;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// The served OpenAPI document is one a client generator can use: an outside linter (Redocly CLI,
/// its recommended rules, pinned in package.json and installed by scripts/prerequisites.sh with
/// npm ci) finds no error in it.
/// </summary>
public sealed class OpenApiLintTests
{
    [Fact]
    public async Task The_served_OpenAPI_document_passes_Redocly_recommended_rules_without_error()
    {
        var root = NoSqlInServerTests.RepositoryRoot();
        var redocly = Path.Combine(root, "node_modules", ".bin", OperatingSystem.IsWindows() ? "redocly.cmd" : "redocly");
        Assert.True(File.Exists(redocly), $"{redocly} is missing: run scripts/prerequisites.sh (npm ci at the repository root).");

        await using var host = await ApiHost.CreateAsync(seed: false);
        var document = await host.Anonymous().GetStringAsync("/openapi/v1.json");
        var file = Path.Combine(Path.GetTempPath(), $"careerpath-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document);
        try
        {
            var (exit, output, errors) = await RunAsync(redocly, root, ["lint", "--extends", "recommended", "--format", "json", file]);
            JsonNode? report;
            try { report = JsonNode.Parse(output); }
            catch (JsonException) { report = null; }
            Assert.True(report?["totals"] is not null, $"redocly lint did not answer a JSON report (exit {exit}):\n{output}\n{errors}");
            var problems = report!["problems"]!.AsArray()
                .Select(p => (Severity: p!["severity"]!.GetValue<string>(), Rule: p["ruleId"]!.GetValue<string>(), Message: p["message"]!.GetValue<string>(),
                    Where: p["location"]?.AsArray().FirstOrDefault()?["pointer"]?.GetValue<string>() ?? ""))
                .ToList();
            var failed = problems.Where(p => p.Severity == "error").ToList();
            Assert.True(failed.Count == 0 && exit == 0,
                $"redocly lint --extends recommended: {failed.Count} error(s), {problems.Count - failed.Count} warning(s) (exit {exit}).\n"
                + string.Join("\n", problems.OrderBy(p => p.Severity).ThenBy(p => p.Rule).Select(p => $"  {p.Severity} {p.Rule} {Uri.UnescapeDataString(p.Where)}: {p.Message}")));
        }
        finally
        {
            File.Delete(file);
        }
    }

    static async Task<(int Exit, string Output, string Errors)> RunAsync(string program, string directory, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The linter works offline: no usage report, no check for a newer version.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
