using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// Every endpoint × every role × a record of the caller's own and one of someone else's: the
/// status code each must get, and not one name or e-mail of the data set in any answer to a union auditor.
/// </summary>
public sealed class AuthorizationMatrixTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>
    /// Expected statuses: "role=own,other" or "role=both"; roles absent get 403, anonymous always 401.
    /// In a record endpoint, a refused record answers 404 (whether it exists is not revealed) and an
    /// allowed one may answer 400 when the body is meant to be refused by a domain rule after the check.
    /// </summary>
    sealed record Row(string Method, string Path, string? Body, string Expect, string ContentType = "application/json");

    static readonly Row[] Rows =
    [
        new("GET", "/api/auth/me", null, "admin=200 hrA=200 advisorA=200 auditor=200 program=200"),
        new("GET", "/api/auth/tokens", null, "admin=200 hrA=200 advisorA=200 auditor=200 program=200"),
        // A token never makes another token (signed-in people do: ApiFlowTests).
        new("POST", "/api/auth/tokens", """{"name":"matrice"}""", ""),
        new("DELETE", "/api/auth/tokens/{random}", null, "admin=404 hrA=404 advisorA=404 auditor=404 program=404"),
        new("POST", "/api/auth/logout", null, "admin=204 hrA=204 advisorA=204 auditor=204 program=204"),

        new("GET", "/api/structures", null, "admin=200 hrA=200"),
        new("GET", "/api/structures/{structure}", null, "admin=200,200 hrA=200,404"),
        new("POST", "/api/structures", """{"name":"Commune Matrice","kind":"Commune","legalRegime":"Public","siret":"21000000000099","hrName":"Rh Matrice","hrEmail":"rh@matrice.fr"}""",
            "admin=201|200"),

        new("GET", "/api/posts", null, "admin=200 hrA=200"),
        new("GET", "/api/posts/{post}", null, "admin=200,200 hrA=200,404"),
        new("POST", "/api/posts", """{"structureId":"{structure}","label":"Poste matrice","wave":"FirstWave","grantStart":"2026-01-01"}""",
            "admin=201|200,201|200 hrA=201|200,400"),

        new("POST", "/api/posts/{post}/conventions", """{"wave":"FirstWave","start":"2025-08-01"}""", "admin=200,200 hrA=200,404"),
        new("POST", "/api/posts/{post}/tranches/received", """{"conventionId":"00000000-0000-0000-0000-000000000001","seq":1,"receivedOn":"2025-09-15"}""", "admin=400,400 hrA=400,404"),
        new("GET", "/api/advisors", null, "admin=200 hrA=200 advisorA=200"),
        new("GET", "/api/advisors/{advisor}", null, "admin=200,200 hrA=200,404 advisorA=200,404"),
        new("GET", "/api/advisors/{advisor}/timeline", null, "admin=200,200 hrA=200,404 advisorA=200,404"),
        new("GET", "/api/advisors/{advisor}/export", null, "admin=200,200 hrA=200,404 advisorA=200,404"),
        new("POST", "/api/advisors/{advisor}/correction-requests", """{"field":"FullName","value":"Nom corrigé"}""", "admin=403,403 hrA=403,404 advisorA=201,404"),
        new("POST", "/api/advisors/{advisor}/structure", """{"structureId":"{structure}"}""", "admin=204,204"),
        new("POST", "/api/advisors", """{"structureId":"{structure}","fullName":"Eva Matrice","workEmail":"eva.{structure}@matrice.fr","hasRecognisedDisability":false}""",
            "admin=201|200,201|200 hrA=201|200,400"),

        new("GET", "/api/contracts", null, "admin=200 hrA=200 advisorA=200"),
        new("GET", "/api/contracts/{contract}", null, "admin=200,200 hrA=200,404 advisorA=200,404"),
        new("POST", "/api/contracts", """{"advisorId":"{spareAdvisor}","postId":"{sparePost}","type":"Cdd","start":"2026-04-01","end":"2027-03-31"}""",
            "admin=201|200,201|200 hrA=201|200,400"),
        new("POST", "/api/contracts/{contract}/amendments", """{"newEnd":"2027-01-31","reason":"Avenant de la matrice"}""", "admin=200,200 hrA=200,404"),
        new("POST", "/api/contracts/{contract}/renewal", """{"newEnd":"2026-06-30","reason":"Fin avant la fin actuelle : refusée"}""", "admin=400,400 hrA=400,404"),
        new("POST", "/api/contracts/{contract}/decision", """{"kind":"Renewal","newEnd":"2026-06-30","reason":"Refusée"}""", "admin=400,400 hrA=400,404"),
        new("POST", "/api/contracts/{contract}/early-termination", """{"date":"2020-01-01","reason":"Resignation"}""", "admin=400,400 hrA=400,404"),

        new("POST", "/api/contracts/{contract}/trainings", """{"start":"2026-04-06","end":"2026-06-26","hours":140}""", "admin=200,200 hrA=200,404"),
        new("POST", "/api/contracts/{contract}/trainings/initial/completion", """{"completedOn":"2026-03-01"}""",
            "admin=400,400 hrA=400,404 advisorA=400,404"),
        new("POST", "/api/contracts/{contract}/exams", """{"exam":"Pix","passed":false}""", "admin=200,200 hrA=200,404"),
        new("POST", "/api/contracts/{contract}/thematic-modules", """{"title":"Module matrice","hours":7}""", "admin=200,200 hrA=200,404 advisorA=200,404"),

        new("GET", "/api/tasks/mine", null, "admin=200 hrA=200 advisorA=200"),
        new("POST", "/api/tasks/{task}/complete", "{}", "admin=400,400 hrA=400,404"),
        // {task} is a training task: only a correction request closes this way.
        new("POST", "/api/tasks/{task}/close", "{}", "admin=400,400 hrA=400,404"),

        new("GET", "/api/deadlines", null, "admin=200 hrA=200 advisorA=200"),
        new("GET", "/api/deadlines?structureId={structure}&overdue=false", null, "admin=200,200 hrA=200,200 advisorA=200,200"),
        new("GET", "/api/deadlines/export.csv", null, "admin=200 hrA=200 advisorA=200"),

        new("GET", "/api/workflows", null, "admin=200"),
        new("GET", "/api/instances", null, "admin=200"),
        new("GET", "/api/instances/{instance}", null, "admin=200"),
        new("GET", "/api/instances/{instance}/journal", null, "admin=200"),
        new("GET", "/api/incidents", null, "admin=200"),
        new("POST", "/api/incidents/{random}/retry", null, "admin=404"),
        new("POST", "/api/instances/migrations", """{"definitionId":"advisor-contract","fromVersion":1,"toVersion":1,"stateMap":{"TrialPeriod":"TrialPeriod","InitialTraining":"InitialTraining","Recruited":"Recruited"},"dryRun":true}""",
            "admin=200"),
        new("GET", "/api/outbox", null, "admin=200"),
        new("POST", "/api/outbox/{random}/resend", null, "admin=404"),
        new("GET", "/api/access-log", null, "admin=200"),
        new("GET", "/api/access-log/export.csv", null, "admin=200"),
        new("GET", "/api/integrity", null, "admin=200"),
        new("GET", "/metrics", null, "admin=200"),
        new("GET", "/api/users", null, "admin=200"),
        new("PATCH", "/api/users/{random}", """{"disabled":false}""", "admin=404"),
        new("POST", "/api/users", """{"email":"nouveau.{random}@careerpath.test","displayName":"Nouveau","role":"auditor","password":"un-mot-de-passe-long"}""", "admin=201"),
        new("POST", "/api/users/{random}/password", """{"password":"un-mot-de-passe-long"}""", "admin=404"),

        new("GET", "/api/reports/outcomes", null, "admin=200 hrA=200 auditor=200"),
        new("GET", "/api/reports/outcomes/records", null, "admin=200 hrA=200"),
        new("GET", "/api/reports/outcomes/export.csv", null, "admin=200 hrA=200 auditor=200"),
        new("GET", "/api/audit/decisions", null, "admin=200 auditor=200"),
        new("GET", "/api/audit/decisions/verification", null, "admin=200 auditor=200"),

        new("POST", "/api/imports/posts", "siret,label,wave,grantStart\n{siret},Poste importé,FirstWave,2026-01-01\n", "admin=200,200 hrA=200,400", "text/csv"),
        new("POST", "/api/imports/structures", "name,kind,legalRegime,siret,hrName,hrEmail\nCommune Importée,Commune,Public,21000000000077,Rh Import,rh@import.fr\n",
            "admin=200", "text/csv"),

        new("POST", "/api/calendar-feeds", null, "hrA=201"),
        new("GET", "/api/calendar-feeds", null, "hrA=200"),
        new("DELETE", "/api/calendar-feeds/{random}", null, "hrA=404"),
    ];

    static readonly string[] Callers = ["admin", "hrA", "advisorA", "auditor", "program", "anonymous"];

    [Fact]
    public async Task Every_endpoint_answers_every_role_as_the_matrix_says_and_auditors_never_see_a_name()
    {
        var failures = new List<string>();
        var auditorBodies = new List<(string, string)>();
        var checkedCount = 0;
        foreach (var row in Rows)
        {
            var sides = row.Path.Contains('{') && !row.Path.Contains("{random}") || (row.Body?.Contains("{structure}") ?? false) || (row.Body?.Contains("{siret}") ?? false)
                || (row.Body?.Contains("{spare") ?? false)
                ? new[] { true, false } : [true];
            foreach (var caller in Callers)
                foreach (var own in sides)
                {
                    var expected = Expected(row.Expect, caller, own);
                    using var request = Request(row, caller, own);
                    using var response = await Send(caller, request);
                    var body = await response.Content.ReadAsStringAsync();
                    checkedCount++;
                    if (!expected.Contains((int)response.StatusCode))
                        failures.Add($"{row.Method} {row.Path} as {caller} ({(own ? "own" : "other")}): expected {string.Join("|", expected)}, got {(int)response.StatusCode} {Trim(body)}");
                    if ((int)response.StatusCode >= 400 && body.Length > 0 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        failures.Add($"{row.Method} {row.Path} as {caller}: error without ProblemDetails ({response.Content.Headers.ContentType})");
                    // /api/auth/me tells the auditor their own address, which is theirs to know.
                    if (caller == "auditor" && row.Path != "/api/auth/me") auditorBodies.Add(($"{row.Method} {row.Path}", body));
                }
        }
        output.WriteLine($"{Rows.Length} endpoint rows, {checkedCount} calls, {auditorBodies.Count} answers to the auditor checked for names and e-mails");
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCount} calls differ:\n{string.Join("\n", failures)}");
        Assert.True(checkedCount > 250, $"only {checkedCount} calls");

        // The auditor's own reads of the report and the audit log had data in them.
        Assert.Contains(auditorBodies, b => b.Item1 == "GET /api/reports/outcomes" && b.Item2.Contains("conseillers"));
        foreach (var (where, body) in auditorBodies)
            foreach (var personal in DataSet.PersonalStrings.Concat([_host.Data.AdvisorA.ToString(), _host.Data.AdvisorB.ToString()]))
                Assert.False(body.Contains(personal, StringComparison.OrdinalIgnoreCase), $"{where} sent '{personal}' to a union auditor");
    }

    /// <summary>Anonymous on purpose: sign-in, the secret-URL calendar, health, and the API's own description.</summary>
    /// <summary>The web pages anyone may open: the sign-in page and the error page.</summary>
    static readonly string[] AnonymousPages = ["GET /connexion", "GET /erreur/{}"];

    static readonly string[] Anonymous = ["POST /api/auth/login", "GET /api/auth/proconnect", "GET /calendar/{}.ics", "GET /health", "GET /openapi/{}.json", "GET /scalar/{}"];

    [Fact]
    public void Every_endpoint_names_its_policy_and_is_in_the_matrix()
    {
        var endpoints = ((IEndpointRouteBuilder)_host.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Key: $"{m} {Normalise(e.RoutePattern.RawText!)}", Endpoint: e)))
            .ToList();
        // The import rows name their kind in the path: /api/imports/{kind}.
        var inMatrix = Rows.Select(r => $"{r.Method} {Normalise(r.Path.StartsWith("/api/imports/") ? "/api/imports/{kind}" : r.Path.Split('?')[0])}").ToHashSet();
        Assert.True(endpoints.Count > 50, $"{endpoints.Count} endpoints");
        foreach (var (key, endpoint) in endpoints)
        {
            // The web pages (and the e-mails' links to them) are not the API's: signed-in people only, but for the sign-in and error pages.
            if (!IsApi(key))
            {
                if (AnonymousPages.Contains(key)) Assert.NotNull(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
                else
                {
                    Assert.True(endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null), $"{key} names no policy");
                    Assert.Null(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
                }
                continue;
            }
            if (Anonymous.Contains(key) || key.StartsWith("GET /scalar"))
            {
                // Public on purpose: either marked anonymous, or asking for nothing.
                Assert.True(endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null || !endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(), key);
                continue;
            }
            Assert.True(endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null), $"{key} names no policy");
            Assert.Null(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
            Assert.True(inMatrix.Contains(key), $"{key} is missing from the authorization matrix");
        }
    }

    static bool IsApi(string key) => key.Split(' ')[1] is var path
        && (path.StartsWith("/api") || path.StartsWith("/calendar") || path.StartsWith("/health") || path.StartsWith("/openapi") || path.StartsWith("/scalar"));

    static string Normalise(string pattern) => "/" + Regex.Replace(pattern.Trim('/'), @"\{[^}]*\}", "{}");

    static string Trim(string body) => body.Length > 300 ? body[..300] + "…" : body;

    static int[] Expected(string expect, string caller, bool own)
    {
        if (caller == "anonymous") return [401];
        foreach (var part in expect.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (who, codes) = (part.Split('=')[0], part.Split('=')[1].Split(','));
            if (who != caller) continue;
            var chosen = codes.Length == 1 ? codes[0] : own ? codes[0] : codes[1];
            return chosen.Split('|').Select(int.Parse).ToArray();
        }
        return [403];
    }

    HttpRequestMessage Request(Row row, string caller, bool own)
    {
        var d = _host.Data;
        // A: the structure of hrA and advisorA; B: someone else's. Admin and auditor are asked about both.
        var a = own;
        string Fill(string text) => text
            .Replace("{structure}", (a ? d.StructureA : d.StructureB).ToString())
            .Replace("{siret}", a ? "21000000000011" : "41000000000022")
            .Replace("{post}", (a ? d.PostA : d.PostB).ToString())
            .Replace("{sparePost}", (a ? d.SparePostA : d.SparePostB).ToString())
            .Replace("{advisor}", (a ? d.AdvisorA : d.AdvisorB).ToString())
            .Replace("{spareAdvisor}", (a ? d.SpareAdvisorA : d.SpareAdvisorB).ToString())
            .Replace("{contract}", (a ? d.ContractA : d.ContractB).ToString())
            .Replace("{task}", (a ? d.TaskA : d.TaskB).ToString())
            .Replace("{instance}", d.InstanceA.ToString())
            .Replace("{random}", Guid.NewGuid().ToString("N"));
        var request = new HttpRequestMessage(new HttpMethod(row.Method), Fill(row.Path));
        if (row.Body is not null) request.Content = new StringContent(Fill(row.Body), Encoding.UTF8, row.ContentType);
        else if (row.Method == "POST") request.Content = new StringContent("", Encoding.UTF8, "application/json");
        return request;
    }

    Task<HttpResponseMessage> Send(string caller, HttpRequestMessage request) =>
        caller == "anonymous" ? _host.Anonymous().SendAsync(request) : _host.As(caller).SendAsync(request);
}
