using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareerPath.Server.Tests.Architecture;
using Xunit.Abstractions;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// The served OpenAPI document is one a client generator can use: an outside linter (Redocly CLI,
/// its recommended rules, pinned in package.json and installed by scripts/prerequisites.sh with
/// npm ci) finds no error in it.
/// </summary>
public sealed class OpenApiLintTests(ITestOutputHelper log)
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
            var summary = $"redocly lint --extends recommended: {failed.Count} error(s), {problems.Count - failed.Count} warning(s) (exit {exit}).\n"
                + string.Join("\n", problems.OrderBy(p => p.Severity).ThenBy(p => p.Rule).Select(p => $"  {p.Severity} {p.Rule} {Uri.UnescapeDataString(p.Where)}: {p.Message}"));
            log.WriteLine(summary);
            if (Environment.GetEnvironmentVariable("CAREERPATH_OPENAPI_OUT") is { Length: > 0 } copy) File.Copy(file, copy, overwrite: true);
            Assert.True(failed.Count == 0 && exit == 0, summary);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Operations_state_their_credentials_refusals_and_paging()
    {
        await using var host = await ApiHost.CreateAsync(seed: false);
        var document = JsonNode.Parse(await host.Anonymous().GetStringAsync("/openapi/v1.json"))!;
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal(("apiKey", "cookie", "careerpath"), (schemes["cookie"]!["type"]!.GetValue<string>(), schemes["cookie"]!["in"]!.GetValue<string>(), schemes["cookie"]!["name"]!.GetValue<string>()));
        Assert.Equal(("http", "bearer"), (schemes["bearerToken"]!["type"]!.GetValue<string>(), schemes["bearerToken"]!["scheme"]!.GetValue<string>()));
        Assert.Equal(("header", "X-Api-Key"), (schemes["apiKey"]!["in"]!.GetValue<string>(), schemes["apiKey"]!["name"]!.GetValue<string>()));
        Assert.Contains("limit", document["info"]!["description"]!.GetValue<string>());

        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Name: $"{o.Key.ToUpperInvariant()} {p.Key}", Operation: o.Value!))).ToList();
        Assert.NotEmpty(operations);
        var ids = operations.Select(o => o.Operation["operationId"]?.GetValue<string>()).ToList();
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var (name, operation) in operations)
        {
            var security = operation["security"]?.AsArray();
            var responses = operation["responses"]!.AsObject();
            Assert.True(security is not null, $"{name}: no security stated");
            Assert.True(responses.ContainsKey("429"), $"{name}: no 429");
            if (name is "POST /api/auth/login" or "GET /api/auth/proconnect")
                Assert.Empty(security!);
            else
            {
                Assert.Equal(["apiKey", "bearerToken", "cookie"], security!.SelectMany(r => r!.AsObject().Select(s => s.Key)).Order());
                Assert.True(responses.ContainsKey("401"), $"{name}: no 401");
            }
            var parameters = operation["parameters"]?.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList() ?? [];
            if (parameters.Contains("after"))
            {
                Assert.Contains("limit", parameters);
                Assert.True(responses.ContainsKey("400"), $"{name}: pages without a 400");
            }
        }
        var users = operations.Single(o => o.Name == "GET /api/users").Operation["responses"]!.AsObject();
        Assert.Equal(["200", "400", "401", "403", "429"], users.Select(r => r.Key).Order());
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
