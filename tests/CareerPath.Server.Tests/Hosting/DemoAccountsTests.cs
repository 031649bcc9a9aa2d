using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CareerPath.Server.Hosting;
using CareerPath.Server.Tests.Api;
using CareerPath.Workflows.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace CareerPath.Server.Tests.Hosting;

public sealed class DemoAccountsTests
{
    [Fact]
    public async Task Demo_accounts_one_per_role_are_created_once_and_each_signs_in_to_a_populated_demo()
    {
        await using var host = await ApiHost.CreateAsync(seed: false);
        await DemoData.SeedAsync(host.ConnectionString, host.Clock, NullLogger.Instance);
        var dir = Directory.CreateTempSubdirectory("careerpath-demo-");
        try
        {
            var text = await DemoAccounts.CreateAsync(host.ConnectionString, host.Clock, dir.FullName);
            Assert.NotNull(text);
            Assert.Null(await DemoAccounts.CreateAsync(host.ConnectionString, host.Clock, dir.FullName));
            var file = Path.Combine(dir.FullName, DemoAccounts.FileName);
            Assert.Equal(text, await File.ReadAllTextAsync(file));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

            var accounts = text!.Split('\n').Skip(1).Where(l => l.Trim().Length > 0)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(p => p[0], p => (Email: p[1], Password: p[2]));
            Assert.Equal(["admin", "advisor", "auditor", "hr", "program"], accounts.Keys.Order());
            foreach (var (role, (email, password)) in accounts)
            {
                var login = await host.Anonymous().PostAsync("/api/auth/login",
                    new StringContent(new JsonObject { ["email"] = email, ["password"] = password }.ToJsonString(), Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                Assert.Equal(role, (await ApiHost.ReadJsonAsync(login))["role"]!.GetValue<string>());
                if (role != "hr") continue;
                var cookie = login.Headers.GetValues("Set-Cookie").First().Split(';')[0];
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tasks/mine");
                request.Headers.Add("Cookie", cookie);
                Assert.NotEmpty(JsonNode.Parse(await (await host.Anonymous().SendAsync(request)).Content.ReadAsStringAsync())!["items"]!.AsArray());
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
