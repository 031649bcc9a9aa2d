using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CareerPath.Domain.Model;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// Malformed and hostile input on every write endpoint: each endpoint's valid body, then a battery of bodies made
/// from it (not JSON, each field removed or of the wrong type, huge strings, impossible dates, unknown values, SQL and
/// HTML injection, control characters, absurd numbers; for CSV imports, broken files and hostile cells). Whatever the
/// input, the answer is never a 5xx; a refusal is a 400 (or the status the domain gives: 401 for a failed login, 404 for a
/// record out of reach, 409 for a transition the contract's state does not allow, 413/415 for size and media type), a
/// French ProblemDetails that echoes no raw markup, and the database is exactly as before. Inputs that may be accepted
/// as data are listed in <see cref="MayBeAccepted"/> and <see cref="CsvMayBeAccepted"/> with the reason; free text
/// accepted that way is read back from the database unchanged.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    ApiHost _host = null!;
    HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        _host = await ApiHost.CreateAsync();
        _anonymous = _host.Anonymous();
        await _host.App.Services.GetRequiredService<Accounts>().CreateAsync(new NewAccount(LoginEmail, "Connexion", Roles.Auditor, LoginPassword, [], null));
    }

    public async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await _host.DisposeAsync();
    }

    const string LoginEmail = "connexion.hostile@careerpath.test";
    const string LoginPassword = "mot-de-passe-hostile";
    const string SiretA = "21000000000011";

    // ---- the hostile values ----

    const string SqlDrop = "'; DROP TABLE advisor; --";
    const string SqlOr = "1 OR 1=1";
    const string Script = "<script>alert(1)</script>";
    const string Img = "\"><img src=x onerror=alert(1)>";

    /// <summary>Strings sent in every string field (JSON) and every cell (CSV).</summary>
    static readonly (string Kind, string Text)[] HostileTexts =
    [
        ("huge", new string('x', 100_000)),
        ("sql:drop", SqlDrop),
        ("sql:or", SqlOr),
        ("html:script", Script),
        ("html:img", Img),
        ("control:nul", "a\u0000b"),
        ("control:escape", "a\u001b[31mb"),
        ("control:bell-del", "a\u0007\u007fb"),
        ("text:line-breaks", "Ligne 1\r\nLigne\t2"),
    ];

    static readonly string[] ImpossibleDates = ["2025-02-30", "2025-13-01", "31/12/2025", "0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "2025-12-31T00:00:00Z", "demain"];

    // ---- what may be accepted, and why ----

    /// <summary>A hostile input that an endpoint may accept as data (it may also refuse it with a 400).</summary>
    sealed record Acceptance(string Kind, Func<string, Field?, bool> When, string Why, bool WritesNothing = false);

    static bool FreeText(Field? f) => f is { FreeText: true };

    /// <summary>JSON inputs that may be accepted. Anything else must be refused.</summary>
    static readonly Acceptance[] MayBeAccepted =
    [
        new("remove", (_, f) => f is { Required: false }, "an optional field may be left out"),
        new("null", (_, f) => f is { Required: false }, "null leaves an optional field empty"),
        new("empty", (_, f) => f is { Required: false, Shape: Shape.Text or Shape.Email or Shape.Siret }, "an empty optional text is no text"),
        new("blank", (_, f) => f is { Required: false, Shape: Shape.Text or Shape.Email or Shape.Siret }, "a blank optional text is no text"),
        new("sql:drop", (_, f) => FreeText(f), "free text is data: written through parameters, read back unchanged, never executed"),
        new("sql:or", (_, f) => FreeText(f), "free text is data: written through parameters, read back unchanged, never executed"),
        new("html:script", (_, f) => FreeText(f), "free text is data, stored as typed and read back unchanged: escaping is the job of what displays it"),
        new("html:img", (_, f) => FreeText(f), "free text is data, stored as typed and read back unchanged: escaping is the job of what displays it"),
        new("text:line-breaks", (_, f) => FreeText(f), "line breaks and tabs are the control characters that text may hold"),
        new("number:as-string", (_, _) => true, "ASP.NET Core reads JSON with the web defaults: a number may be written as a string (\"140\")"),
        new("enum:lowercase", (_, _) => true, "enum names are matched without regard to case"),
        new("email:apostrophe", (_, _) => true, "an apostrophe is legal in an e-mail address (o'brien@…); parameters keep it from ever being SQL"),
        new("siret:spaces", (_, _) => true, "a SIRET is often printed in groups of digits: the spaces are dropped"),
        new("body:duplicate-field", (_, _) => true, "System.Text.Json keeps the last occurrence of a member, and that value is the one validated"),
        new("body:upper-case-names", (_, _) => true, "member names are matched without regard to case (web defaults)"),
        new("body:bom", (_, _) => true, "a UTF-8 byte order mark is not content"),
        new("*", (_, f) => f is { Ignored: true }, "not read by this endpoint for this kind of task: a well-typed value is ignored, never stored"),
        new("*", (e, _) => e.StartsWith("POST /api/calendar-feeds", StringComparison.Ordinal) || e.StartsWith("POST /api/auth/logout", StringComparison.Ordinal),
            "the endpoint reads no body: whatever is sent is ignored (every feed made stays its caller's own: checked at the end)"),
    ];

    /// <summary>CSV inputs that may be accepted. Anything else must be refused.</summary>
    static readonly Acceptance[] CsvMayBeAccepted =
    [
        new("remove-column", (_, f) => f is { Required: false }, "an optional column may be left out"),
        new("empty-cell", (_, f) => f is { Required: false }, "an empty optional cell is no value"),
        new("sql:drop", (_, f) => FreeText(f), "free text is data: written through parameters, read back unchanged, never executed"),
        new("sql:or", (_, f) => FreeText(f), "free text is data: written through parameters, read back unchanged, never executed"),
        new("html:script", (_, f) => FreeText(f), "free text is data, stored as typed: escaping is the job of what displays it"),
        new("html:img", (_, f) => FreeText(f), "free text is data, stored as typed: escaping is the job of what displays it"),
        new("text:line-breaks", (_, f) => FreeText(f), "a quoted CSV cell may hold line breaks; they are the control characters text may hold"),
        new("text:formula", (_, f) => FreeText(f), "a cell starting with = is text to CareerPath; exports, not imports, must defuse spreadsheet formulas"),
        new("enum:lowercase", (_, _) => true, "enum names are matched without regard to case"),
        new("date:dd/MM/yyyy", (_, _) => true, "the import reads dates as AAAA-MM-JJ or JJ/MM/AAAA, as French spreadsheets write them"),
        new("decimal:french", (_, _) => true, "amounts are read as people type them (5 000,50)"),
        new("bool:oui", (_, _) => true, "oui/non are accepted as booleans"),
        new("email:apostrophe", (_, _) => true, "an apostrophe is legal in an e-mail address"),
        new("siret:spaces", (_, _) => true, "a SIRET is often printed in groups of digits: the spaces are dropped"),
        new("file:header-only", (_, _) => true, "a file with no data row imports nothing", WritesNothing: true),
        new("file:blank-rows", (_, _) => true, "rows of empty cells left by spreadsheets are skipped: nothing is imported", WritesNothing: true),
        new("file:semicolons", (_, _) => true, "French spreadsheets separate cells with ';'"),
        new("file:bom", (_, _) => true, "a UTF-8 byte order mark (Excel's \"CSV UTF-8\") is not content"),
        new("file:crlf", (_, _) => true, "Windows line ends"),
        new("file:header-case", (_, _) => true, "column names are matched without regard to case"),
        new("file:no-content-type", (_, _) => true, "the body is read as CSV whatever its declared type"),
        new("kind:Posts", (_, _) => true, "the kind in the address is matched without regard to case"),
    ];

    static string? Why(Acceptance[] rules, string endpoint, Field? field, string kind, out bool writesNothing)
    {
        foreach (var rule in rules)
            if ((rule.Kind == "*" || rule.Kind == kind) && rule.When(endpoint, field))
            {
                writesNothing = rule.WritesNothing;
                return rule.Why;
            }
        writesNothing = false;
        return null;
    }

    // ---- the shape of the bodies ----

    enum Shape { Text, Email, Siret, Date, Int, Decimal, Bool, Enum, Guid, Object, GuidList, StateMap, Role }

    /// <param name="Required">absent, the body must be refused</param>
    /// <param name="FreeText">any text is data here (names, reasons, notes): injection strings are stored as typed</param>
    /// <param name="Ignored">the endpoint does not read the field in this case</param>
    sealed record Field(string Name, Shape Shape, bool Required, bool FreeText = false, string[]? Names = null, Field[]? Children = null, bool Ignored = false);

    static Field Req(string name, Shape shape, bool freeText = false, string[]? names = null, Field[]? children = null) => new(name, shape, true, freeText, names, children);
    static Field Opt(string name, Shape shape, bool freeText = false, string[]? names = null, Field[]? children = null, bool ignored = false) =>
        new(name, shape, false, freeText, names, children, ignored);

    sealed record Payload(byte[] Body, string? ContentType);

    /// <summary>A mutation of the valid body. Stored: the text expected in the database if the input is accepted.</summary>
    sealed record Recipe(string Target, string Kind, Field? Field, Func<JsonObject, Payload> Make, Func<JsonObject, string?>? Stored = null);

    sealed class JsonEndpoint
    {
        public required string Name { get; init; }
        public string Method { get; init; } = "POST";
        public required string Caller { get; init; }
        public required Field[] Fields { get; init; }
        /// <summary>The address and a valid body for the next request (fresh names, fresh fixtures).</summary>
        public required Func<Task<(string Path, JsonObject Body)>> Next { get; init; }
        /// <summary>After an accepted request: fixtures for the next one (a decided contract cannot be decided again).</summary>
        public Action? Refresh { get; init; }
        /// <summary>The non-2xx statuses that are a proper refusal here.</summary>
        public int[] Refusals { get; init; } = [400];
        /// <summary>Field → SQL counting the rows that hold the accepted text (@v as typed, @j as it appears inside jsonb::text).</summary>
        public Dictionary<string, string> ReadBack { get; init; } = [];
    }

    // ---- the test ----

    int _n;
    int Unique() => Interlocked.Increment(ref _n);
    string? _fingerprint;
    int _sent;
    readonly List<string> _failures = [];
    readonly SortedDictionary<string, SortedDictionary<int, int>> _statuses = new(StringComparer.Ordinal);
    readonly SortedSet<string> _accepted = new(StringComparer.Ordinal);
    readonly SortedSet<string> _otherRefusals = new(StringComparer.Ordinal);
    readonly HashSet<string> _kinds = [];
    readonly Dictionary<string, int> _casesPerEndpoint = [];

    [Fact]
    public async Task Hostile_input_on_every_write_endpoint_is_refused_with_a_french_problem_and_changes_nothing()
    {
        var clock = Stopwatch.StartNew();
        var advisorsBefore = (await _host.QueryAsync<int>("SELECT count(*)::int FROM advisor"))[0];

        foreach (var endpoint in JsonEndpoints()) await RunJsonAsync(endpoint);
        foreach (var endpoint in CsvEndpoints()) await RunCsvAsync(endpoint);
        await RunImportKindsAsync();
        await RunBodilessAsync();
        await RunPathIdsAsync();

        // SQL sent as text was never executed: the advisor table is still there, with every advisor in it.
        var advisorsAfter = (await _host.QueryAsync<int>("SELECT count(*)::int FROM advisor"))[0];
        if (advisorsAfter < advisorsBefore) _failures.Add($"advisor table lost rows: {advisorsBefore} → {advisorsAfter}");
        if ((await _host.QueryAsync<int>("SELECT count(*)::int FROM advisor WHERE full_name = 'Alice Martin'"))[0] != 1)
            _failures.Add("the seeded advisor Alice Martin is gone");

        output.WriteLine($"{_sent} requests, {_kinds.Count} kinds of hostile input, on {_casesPerEndpoint.Count} endpoints in {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var (endpoint, statuses) in _statuses)
            output.WriteLine($"  {endpoint}: {_casesPerEndpoint[endpoint]} cases, {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine($"Accepted as data ({_accepted.Count}):");
        foreach (var a in _accepted) output.WriteLine("  " + a);
        output.WriteLine($"Refused with another status than 400 ({_otherRefusals.Count}):");
        foreach (var r in _otherRefusals) output.WriteLine("  " + r);

        Assert.True(_failures.Count == 0, $"{_failures.Count} problems in {_sent} requests:\n{string.Join("\n", _failures)}");
        Assert.True(_sent > 2000, $"only {_sent} requests");
    }

    // ---- JSON endpoints ----

    /// <summary>A contract transition may also answer 404 (no such contract) and 409 (not in this state).</summary>
    static readonly int[] Transition = [400, 404, 409];

    static JsonObject Obj(object value) => JsonSerializer.SerializeToNode(value, ApiHost.Json)!.AsObject();

    static string[] Names<T>() where T : struct, Enum => Enum.GetNames<T>();

    const string WorkflowText = "SELECT count(*)::int FROM workflow_instance WHERE strpos(data::text, @j) > 0";

    List<JsonEndpoint> JsonEndpoints()
    {
        var d = _host.Data;
        var a = d.StructureA;
        var admin = "admin";

        // Fixtures made on first use and made again after an accepted request that used them up.
        (Guid Advisor, Guid Post)? contractPair = null;
        Guid? amend = null, renew = null, decide = null, terminate = null, train = null, complete = null, exam = null, module = null;
        Guid? fundedPost = null, fundedConvention = null, movedAdvisor = null;
        async Task<(Guid Post, Guid Convention)> FundedPostAsync()
        {
            fundedPost ??= await CreateAsync("/api/posts", new { structureId = a, label = $"Poste financé {Unique()}", wave = "FirstWave", grantStart = "2026-01-01" });
            fundedConvention ??= (await _host.QueryAsync<Guid>("SELECT id FROM grant_convention WHERE post_id = @p", new { p = fundedPost }))[0];
            return (fundedPost.Value, fundedConvention.Value);
        }
        (Guid Contract, Guid Task)? task = null;

        Field[] amendment = [Req("newEnd", Shape.Date), Req("reason", Shape.Text, freeText: true), Opt("effectiveOn", Shape.Date)];
        var transitionReadBack = new Dictionary<string, string> { ["reason"] = WorkflowText, ["note"] = WorkflowText, ["title"] = WorkflowText };

        return
        [
            new()
            {
                Name = "POST /api/structures", Caller = admin,
                Fields =
                [
                    Req("name", Shape.Text, freeText: true), Req("kind", Shape.Enum, names: Names<StructureKind>()),
                    Req("legalRegime", Shape.Enum, names: Names<LegalRegime>()), Opt("siret", Shape.Siret), Opt("departement", Shape.Text),
                    Req("hrName", Shape.Text, freeText: true), Req("hrEmail", Shape.Email),
                    Opt("hrLeadName", Shape.Text, freeText: true), Opt("hrLeadEmail", Shape.Email),
                ],
                Next = () =>
                {
                    var n = Unique();
                    return Task.FromResult(("/api/structures", Obj(new
                    {
                        name = $"Structure hostile {n}", kind = "Commune", legalRegime = "Public", siret = Siret(n), departement = "69",
                        hrName = "Rh Hostile", hrEmail = $"rh.{n}@hostile.fr", hrLeadName = "Référent Hostile", hrLeadEmail = $"referent.{n}@hostile.fr",
                    })));
                },
                ReadBack = new()
                {
                    ["name"] = "SELECT count(*)::int FROM structure WHERE name = @v",
                    ["hrName"] = "SELECT count(*)::int FROM hr_contact WHERE full_name = @v AND NOT is_lead",
                    ["hrLeadName"] = "SELECT count(*)::int FROM hr_contact WHERE full_name = @v AND is_lead",
                    ["hrEmail"] = "SELECT count(*)::int FROM hr_contact WHERE email = @v",
                    ["hrLeadEmail"] = "SELECT count(*)::int FROM hr_contact WHERE email = @v",
                },
            },
            new()
            {
                Name = "POST /api/posts", Caller = admin,
                Fields =
                [
                    Req("structureId", Shape.Guid), Req("label", Shape.Text, freeText: true), Req("wave", Shape.Enum, names: Names<ConventionWave>()),
                    Req("grantStart", Shape.Date), Opt("topUpEur", Shape.Decimal),
                ],
                Next = () => Task.FromResult(("/api/posts", Obj(new { structureId = a, label = $"Poste hostile {Unique()}", wave = "FirstWave", grantStart = "2026-01-01", topUpEur = 500 }))),
                ReadBack = new() { ["label"] = "SELECT count(*)::int FROM funded_post WHERE label = @v" },
            },
            new()
            {
                Name = "POST /api/posts/{id}/conventions", Caller = admin, Refusals = Transition,
                Fields = [Req("wave", Shape.Enum, names: Names<ConventionWave>()), Req("start", Shape.Date)],
                // The same convention each time: the first is created, the others find it (200).
                Next = async () => ($"/api/posts/{(await FundedPostAsync()).Post}/conventions", Obj(new { wave = "Renewal2023", start = "2028-01-01" })),
            },
            new()
            {
                Name = "POST /api/posts/{id}/tranches/received", Caller = admin, Refusals = Transition,
                Fields = [Req("conventionId", Shape.Guid), Req("seq", Shape.Int), Req("receivedOn", Shape.Date)],
                Next = async () =>
                {
                    var (post, convention) = await FundedPostAsync();
                    return ($"/api/posts/{post}/tranches/received", Obj(new { conventionId = convention, seq = 1, receivedOn = "2026-01-15" }));
                },
            },
            new()
            {
                Name = "POST /api/advisors", Caller = admin,
                Fields = [Req("structureId", Shape.Guid), Req("fullName", Shape.Text, freeText: true), Req("workEmail", Shape.Email), Opt("hasRecognisedDisability", Shape.Bool)],
                Next = () => Task.FromResult(("/api/advisors", Obj(new { structureId = a, fullName = "Conseiller Hostile", workEmail = $"conseiller.{Unique()}@hostile.fr", hasRecognisedDisability = false }))),
                ReadBack = new()
                {
                    ["fullName"] = "SELECT count(*)::int FROM advisor WHERE full_name = @v",
                    ["workEmail"] = "SELECT count(*)::int FROM advisor WHERE work_email = @v",
                },
            },
            new()
            {
                Name = "POST /api/advisors/{id}/structure", Caller = admin, Refusals = Transition,
                Fields = [Req("structureId", Shape.Guid)],
                // The advisor already belongs to A: the valid body changes nothing, a refused one must not either.
                Next = async () => ($"/api/advisors/{(movedAdvisor ??= await CreateAsync("/api/advisors", new
                {
                    structureId = a, fullName = "Conseiller Déplacé", workEmail = $"deplace.{Unique()}@hostile.fr", hasRecognisedDisability = false,
                }))}/structure", Obj(new { structureId = a })),
            },
            new()
            {
                Name = "POST /api/contracts", Caller = admin,
                Fields = [Req("advisorId", Shape.Guid), Req("postId", Shape.Guid), Req("type", Shape.Enum, names: Names<ContractType>()), Req("start", Shape.Date), Opt("end", Shape.Date)],
                Next = async () =>
                {
                    contractPair ??= await FreshAdvisorAndPostAsync();
                    return ("/api/contracts", Obj(new { advisorId = contractPair.Value.Advisor, postId = contractPair.Value.Post, type = "Cdd", start = "2026-04-01", end = "2027-03-31" }));
                },
                Refresh = () => contractPair = null,
            },
            new()
            {
                Name = "POST /api/contracts/{id}/amendments", Caller = admin, Fields = amendment, Refusals = Transition, ReadBack = transitionReadBack,
                Next = async () =>
                {
                    amend ??= await FreshContractAsync();
                    return ($"/api/contracts/{amend}/amendments", Obj(new { newEnd = "2027-01-31", reason = "Avenant de prolongation", effectiveOn = "2026-03-02" }));
                },
            },
            new()
            {
                Name = "POST /api/contracts/{id}/renewal", Caller = admin, Refusals = Transition, ReadBack = transitionReadBack,
                Fields = [Req("newEnd", Shape.Date), Req("reason", Shape.Text, freeText: true), Opt("notifiedOn", Shape.Date)],
                Next = async () =>
                {
                    renew ??= await FreshContractAsync();
                    return ($"/api/contracts/{renew}/renewal", Obj(new { newEnd = "2028-08-31", reason = "Renouvellement du contrat", notifiedOn = "2026-03-02" }));
                },
                Refresh = () => renew = null,
            },
            new()
            {
                Name = "POST /api/contracts/{id}/decision", Caller = admin, Refusals = Transition, ReadBack = transitionReadBack,
                Fields = [Req("kind", Shape.Enum, names: Names<DecisionKind>()), Req("reason", Shape.Text, freeText: true), Opt("newEnd", Shape.Date), Opt("notifiedOn", Shape.Date)],
                Next = async () =>
                {
                    decide ??= await FreshContractAsync();
                    return ($"/api/contracts/{decide}/decision", Obj(new { kind = "NotRetained", reason = "Fin de la mission", newEnd = (string?)null, notifiedOn = "2026-03-02" }));
                },
                Refresh = () => decide = null,
            },
            new()
            {
                Name = "POST /api/contracts/{id}/early-termination", Caller = admin, Refusals = Transition, ReadBack = transitionReadBack,
                Fields = [Req("date", Shape.Date), Req("reason", Shape.Enum, names: Names<TerminationReason>()), Opt("note", Shape.Text, freeText: true)],
                Next = async () =>
                {
                    terminate ??= await FreshContractAsync();
                    return ($"/api/contracts/{terminate}/early-termination", Obj(new { date = "2026-03-01", reason = "Resignation", note = "Démission" }));
                },
                Refresh = () => terminate = null,
            },
            new()
            {
                Name = "POST /api/contracts/{id}/trainings", Caller = admin, Refusals = Transition, ReadBack = transitionReadBack,
                Fields = [Req("start", Shape.Date), Req("end", Shape.Date), Req("hours", Shape.Int), Opt("title", Shape.Text, freeText: true)],
                Next = async () =>
                {
                    train ??= await FreshContractAsync();
                    return ($"/api/contracts/{train}/trainings", Obj(new { start = "2026-04-06", end = "2026-06-26", hours = 140, title = "Formation initiale" }));
                },
            },
            new()
            {
                Name = "POST /api/contracts/{id}/trainings/initial/completion", Caller = admin, Refusals = Transition,
                Fields = [Opt("completedOn", Shape.Date)],
                Next = async () =>
                {
                    complete ??= await FreshContractAsync(withTraining: true);
                    return ($"/api/contracts/{complete}/trainings/initial/completion", Obj(new { completedOn = "2026-03-01" }));
                },
            },
            new()
            {
                Name = "POST /api/contracts/{id}/exams", Caller = admin, Refusals = Transition,
                Fields = [Req("exam", Shape.Enum, names: ["Ccp1", "Pix"]), Req("passed", Shape.Bool), Opt("on", Shape.Date)],
                Next = async () =>
                {
                    exam ??= await FreshContractAsync();
                    return ($"/api/contracts/{exam}/exams", Obj(new { exam = "Pix", passed = false, on = "2026-03-01" }));
                },
            },
            new()
            {
                Name = "POST /api/contracts/{id}/thematic-modules", Caller = admin, Refusals = Transition, ReadBack = transitionReadBack,
                Fields = [Req("title", Shape.Text, freeText: true), Opt("hours", Shape.Int), Opt("on", Shape.Date)],
                Next = async () =>
                {
                    module ??= await FreshContractAsync();
                    return ($"/api/contracts/{module}/thematic-modules", Obj(new { title = "Module citoyenneté numérique", hours = 7, on = "2026-03-01" }));
                },
            },
            new()
            {
                Name = "POST /api/tasks/{id}/complete", Caller = admin, Refusals = Transition,
                Fields =
                [
                    Opt("note", Shape.Text, freeText: true),
                    Req("training", Shape.Object, children: [Req("start", Shape.Date), Req("end", Shape.Date), Req("hours", Shape.Int), Opt("title", Shape.Text, ignored: true)]),
                    Opt("decision", Shape.Object, ignored: true), Opt("outcome", Shape.Enum, names: Names<OutcomeKind>(), ignored: true),
                ],
                Next = async () =>
                {
                    if (task is null)
                    {
                        var contract = await FreshContractAsync();
                        task = (contract, await OpenTaskAsync(contract));
                    }
                    return ($"/api/tasks/{task.Value.Task}/complete", Obj(new
                    {
                        note = "Inscription faite", training = new { start = "2026-04-06", end = "2026-06-26", hours = 140, title = "Formation initiale" },
                        decision = (object?)null, outcome = (string?)null,
                    }));
                },
                Refresh = () => task = null,
                ReadBack = new() { ["note"] = "SELECT count(*)::int FROM human_task WHERE reason = @v" },
            },
            new()
            {
                Name = "POST /api/instances/migrations", Caller = admin,
                Fields = [Req("definitionId", Shape.Text), Req("fromVersion", Shape.Int), Req("toVersion", Shape.Int), Req("stateMap", Shape.StateMap), Opt("dryRun", Shape.Bool)],
                Next = () => Task.FromResult(("/api/instances/migrations", Obj(new
                {
                    definitionId = AdvisorContractWorkflow.DefinitionId, fromVersion = 1, toVersion = 1,
                    stateMap = Names<ContractState>().ToDictionary(s => s, s => s), dryRun = true,
                }))),
            },
            new()
            {
                Name = "POST /api/users", Caller = admin,
                Fields =
                [
                    Req("email", Shape.Email), Req("displayName", Shape.Text, freeText: true), Req("role", Shape.Role), Opt("password", Shape.Text, freeText: true),
                    Opt("structures", Shape.GuidList), Opt("advisorId", Shape.Guid),
                ],
                Next = () => Task.FromResult(("/api/users", Obj(new
                {
                    email = $"utilisateur.{Unique()}@careerpath.test", displayName = "Utilisateur Hostile", role = "hr", password = "un-mot-de-passe-long",
                    structures = new[] { a }, advisorId = (Guid?)null,
                }))),
                ReadBack = new()
                {
                    ["displayName"] = "SELECT count(*)::int FROM app_user WHERE display_name = @v",
                    ["email"] = "SELECT count(*)::int FROM app_user WHERE email = @v",
                },
            },
            new()
            {
                Name = "POST /api/auth/login", Caller = "anonymous", Refusals = [400, 401],
                Fields = [Req("email", Shape.Email), Req("password", Shape.Text, freeText: true)],
                Next = () => Task.FromResult(("/api/auth/login", Obj(new { email = LoginEmail, password = LoginPassword }))),
            },
            new()
            {
                Name = "POST /api/auth/tokens", Caller = "admin:cookie",
                Fields = [Req("name", Shape.Text, freeText: true), Opt("expiresInDays", Shape.Int)],
                Next = () => Task.FromResult(("/api/auth/tokens", Obj(new { name = "Jeton hostile", expiresInDays = 30 }))),
                ReadBack = new() { ["name"] = "SELECT count(*)::int FROM api_token WHERE name = @v" },
            },
        ];
    }

    async Task RunJsonAsync(JsonEndpoint endpoint)
    {
        // The valid body first: a refusal here would make every other case meaningless.
        var (path, body) = await endpoint.Next();
        var (status, text) = await SendAsync(endpoint.Caller, endpoint.Method, path, JsonPayload(body.ToJsonString()));
        if (status is < 200 or >= 300) _failures.Add($"{endpoint.Name}: the valid body {body.ToJsonString()} was refused: {status} {Trim(text)}");
        else endpoint.Refresh?.Invoke();
        _fingerprint = null;

        foreach (var recipe in Recipes(endpoint.Fields))
        {
            (path, body) = await endpoint.Next();
            var why = Why(MayBeAccepted, endpoint.Name, recipe.Field, recipe.Kind, out var writesNothing);
            var stored = why is null ? null : recipe.Stored?.Invoke(body);
            var readBack = recipe.Field is { } f && recipe.Target == f.Name && endpoint.ReadBack.TryGetValue(f.Name, out var sql) ? sql : null;
            // A body that is not declared as JSON is refused as such, before anything else (even on the anonymous login).
            var refusals = recipe.Kind is "body:text-plain" or "body:no-content-type" or "body:form" ? [415] : endpoint.Refusals;
            var result = await RunAsync(new Case(endpoint.Name, recipe.Target, recipe.Kind, endpoint.Caller, endpoint.Method, path, recipe.Make(body),
                refusals, why, writesNothing, stored, readBack));
            if (result is >= 200 and < 300) endpoint.Refresh?.Invoke();
            if (endpoint.Caller == "anonymous" && result == 401)
            {
                // A wrong password counts towards the lockout: start again from zero for the next case.
                await _host.QueryAsync<int>("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE email = @LoginEmail RETURNING 1", new { LoginEmail });
                _fingerprint = null;
            }
        }
    }

    /// <summary>Whole-body mutations, then each field's.</summary>
    static IEnumerable<Recipe> Recipes(Field[] fields)
    {
        var first = fields.First(f => Natural(f.Shape) == "string").Name;
        yield return new("body", "body:not-json", null, _ => JsonPayload("ceci n'est pas du JSON"));
        yield return new("body", "body:empty", null, _ => JsonPayload(""));
        yield return new("body", "body:null", null, _ => JsonPayload("null"));
        yield return new("body", "body:array", null, b => JsonPayload($"[{b.ToJsonString()}]"));
        yield return new("body", "body:empty-array", null, _ => JsonPayload("[]"));
        yield return new("body", "body:number", null, _ => JsonPayload("42"));
        yield return new("body", "body:string", null, _ => JsonPayload("\"texte\""));
        yield return new("body", "body:true", null, _ => JsonPayload("true"));
        yield return new("body", "body:truncated", null, b => JsonPayload(b.ToJsonString()[..^1]));
        yield return new("body", "body:cut-in-half", null, b => JsonPayload(b.ToJsonString()[..(b.ToJsonString().Length / 2)]));
        yield return new("body", "body:trailing-comma", null, b => JsonPayload(b.ToJsonString()[..^1] + ",}"));
        yield return new("body", "body:comment", null, b => JsonPayload("/* commentaire */" + b.ToJsonString()));
        yield return new("body", "body:single-quotes", null, b => JsonPayload(b.ToJsonString().Replace('"', '\'')));
        yield return new("body", "body:invalid-utf8", null, b =>
        {
            var json = Encoding.UTF8.GetBytes(SetRaw(b, first, $"\"{Marker}\""));
            var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker));
            return new([.. json[..at], 0xC3, 0x28, 0xFF, 0xFE, .. json[(at + Marker.Length)..]], "application/json");
        });
        yield return new("body", "body:deep-nesting", null, b => JsonPayload(SetRaw(b, first, new string('[', 200) + new string(']', 200))));
        yield return new("body", "body:extra-field", null, b => JsonPayload(Extra(b, "champInconnu", "1")));
        yield return new("body", "body:proto-field", null, b => JsonPayload(Extra(b, "__proto__", "{\"role\":\"admin\"}")));
        yield return new("body", "body:id-field", null, b => JsonPayload(Extra(b, "id", $"\"{Guid.NewGuid()}\"")));
        yield return new("body", "body:duplicate-field", null, b => JsonPayload($"{{\"{first}\":{S(new string('x', 100_000))},{b.ToJsonString()[1..]}"));
        yield return new("body", "body:upper-case-names", null, b =>
            JsonPayload(new JsonObject(b.Select(p => KeyValuePair.Create(p.Key.ToUpperInvariant(), p.Value?.DeepClone()))).ToJsonString()));
        yield return new("body", "body:bom", null, b => new([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(b.ToJsonString())], "application/json"));
        yield return new("body", "body:text-plain", null, b => new(Encoding.UTF8.GetBytes(b.ToJsonString()), "text/plain"));
        yield return new("body", "body:no-content-type", null, b => new(Encoding.UTF8.GetBytes(b.ToJsonString()), null));
        yield return new("body", "body:form", null, _ => new(Encoding.UTF8.GetBytes($"{first}=x"), "application/x-www-form-urlencoded"));
        foreach (var f in fields)
            foreach (var r in FieldRecipes(f, "")) yield return r;
    }

    sealed record Value(string Kind, Func<JsonNode?, string?> Raw, Func<JsonNode?, string?>? Stored = null);

    static IEnumerable<Recipe> FieldRecipes(Field f, string prefix)
    {
        var path = prefix + f.Name;
        foreach (var v in Values(f))
            yield return new(path, v.Kind, f, b =>
            {
                var raw = v.Raw(Get(b, path));
                return JsonPayload(raw is null ? Remove(b, path) : SetRaw(b, path, raw));
            }, v.Stored is null ? null : b => v.Stored(Get(b, path)));
        if (f.Shape == Shape.Object && f.Children is { } children)
        {
            yield return new(path, "object:empty", f, b => JsonPayload(SetRaw(b, path, "{}")));
            yield return new(path, "object:extra-field", f, b => JsonPayload(SetRaw(b, path, Extra(Get(b, path)!.AsObject(), "champInconnu", "1"))));
            foreach (var child in children)
                foreach (var r in FieldRecipes(child, path + ".")) yield return r;
        }
    }

    static string Natural(Shape shape) => shape switch
    {
        Shape.Int or Shape.Decimal => "number",
        Shape.Bool => "bool",
        Shape.Object or Shape.StateMap => "object",
        Shape.GuidList => "array",
        _ => "string",
    };

    static IEnumerable<Value> Values(Field f)
    {
        yield return new("remove", _ => null);
        yield return new("null", _ => "null");
        foreach (var (type, raw) in new[] { ("number", "42"), ("string", "\"abc\""), ("object", "{}"), ("array", "[]"), ("bool", "true") })
            if (type != Natural(f.Shape)) yield return new($"type:{type}", _ => raw);
        if (Natural(f.Shape) == "string")
        {
            foreach (var (kind, text) in HostileTexts) yield return new(kind, _ => S(text), _ => text);
            yield return new("empty", _ => "\"\"");
            yield return new("blank", _ => "\"   \"");
            yield return new("unicode:lone-surrogate", _ => "\"a\\ud800b\"");
        }
        switch (f.Shape)
        {
            case Shape.Date:
                foreach (var date in ImpossibleDates) yield return new($"date:{date}", _ => S(date));
                break;
            case Shape.Enum:
                var names = f.Names!;
                yield return new("enum:Bogus", _ => "\"Bogus\"");
                yield return new("enum:\"0\"", _ => "\"0\"");
                yield return new("enum:0", _ => "0");
                yield return new("enum:99", _ => "99");
                yield return new("enum:-1", _ => "-1");
                // Two names at once: as flags, they would add up to a third value.
                yield return new("enum:combined", _ => S($"{names[1]}, {names[names.Length > 2 ? 2 : 0]}"));
                yield return new("enum:lowercase", cur => S((cur?.GetValue<string>() ?? names[0]).ToLowerInvariant()));
                break;
            case Shape.Guid:
                yield return new("guid:malformed", _ => "\"pas-un-guid\"");
                yield return new("guid:unknown", _ => S(Guid.NewGuid().ToString()));
                yield return new("guid:empty", _ => S(Guid.Empty.ToString()));
                yield return new("guid:braces", _ => S("{" + Guid.NewGuid() + "}"));
                break;
            case Shape.Int or Shape.Decimal:
                yield return new("number:negative", _ => "-1");
                yield return new("number:zero", _ => "0");
                yield return new("number:int-overflow", _ => "2147483648");
                yield return new("number:int-underflow", _ => "-2147483649");
                yield return new("number:huge", _ => "1e300");
                yield return new("number:long-digits", _ => new string('9', 400));
                yield return new("number:NaN", _ => "\"NaN\"");
                yield return new("number:hex", _ => "\"0x10\"");
                yield return new("number:as-string", cur => S(cur?.ToJsonString() ?? "1"));
                if (f.Shape == Shape.Int) yield return new("number:fraction", _ => "1.5");
                else
                {
                    yield return new("number:sub-cent", _ => "0.001");
                    yield return new("number:over-a-million", _ => "1000000.01");
                }
                break;
            case Shape.Bool:
                yield return new("bool:as-string", _ => "\"true\"");
                yield return new("bool:one", _ => "1");
                break;
            case Shape.Email:
                yield return new("email:malformed", _ => "\"pas-une-adresse\"");
                yield return new("email:no-domain", _ => "\"a@b\"");
                yield return new("email:two-at", _ => "\"a@b@hostile.fr\"");
                yield return new("email:apostrophe", cur => S("o'" + cur!.GetValue<string>()), cur => "o'" + cur!.GetValue<string>());
                break;
            case Shape.Siret:
                yield return new("siret:letters", _ => "\"2100000000001A\"");
                yield return new("siret:short", _ => "\"123\"");
                yield return new("siret:spaces", cur => S(Spaced(cur!.GetValue<string>())));
                break;
            case Shape.Role:
                yield return new("role:unknown", _ => "\"superadmin\"");
                yield return new("role:upper-case", _ => "\"HR\"");
                yield return new("role:padded", _ => "\" hr\"");
                break;
            case Shape.GuidList:
                yield return new("list:empty", _ => "[]");
                yield return new("list:malformed", _ => "[\"pas-un-guid\"]");
                yield return new("list:unknown", _ => $"[\"{Guid.NewGuid()}\"]");
                yield return new("list:null-item", _ => "[null]");
                yield return new("list:nested", _ => "[[]]");
                yield return new("list:too-many", _ => "[" + string.Join(",", Enumerable.Range(0, 101).Select(_ => $"\"{Guid.NewGuid()}\"")) + "]");
                break;
            case Shape.StateMap:
                yield return new("map:empty", _ => "{}");
                yield return new("map:unknown-target", cur => With(cur, "Recruited", "\"Bogus\""));
                yield return new("map:html-target", cur => With(cur, "Recruited", S(Script)));
                yield return new("map:null-target", cur => With(cur, "Recruited", "null"));
                yield return new("map:number-target", cur => With(cur, "Recruited", "1"));
                yield return new("map:unknown-source", cur => With(cur, "Bogus", "\"Recruited\""));
                yield return new("map:huge-source", cur => With(cur, new string('x', 100_000), "\"Recruited\""));
                yield return new("map:too-many", cur =>
                {
                    var map = cur!.DeepClone().AsObject();
                    for (var i = 0; i < 201; i++) map[$"Etat{i}"] = "Recruited";
                    return map.ToJsonString();
                });
                break;
        }

        static string With(JsonNode? map, string key, string raw)
        {
            var copy = map!.DeepClone().AsObject();
            copy[key] = Marker;
            return copy.ToJsonString().Replace($"\"{Marker}\"", raw);
        }
    }

    // ---- CSV imports ----

    sealed class CsvEndpoint
    {
        public required string Kind { get; init; }
        public required Field[] Columns { get; init; }
        public required Func<Task<Dictionary<string, string>>> Row { get; init; }
        public Action? Refresh { get; init; }
        public Dictionary<string, string> ReadBack { get; init; } = [];
        public bool Costly { get; init; }
        public string Name => $"POST /api/imports/{Kind}";
    }

    List<CsvEndpoint> CsvEndpoints()
    {
        (Guid Advisor, Guid Post, string Email, string Label)? contractPair = null;
        return
        [
            new()
            {
                Kind = "structures",
                Columns =
                [
                    Req("name", Shape.Text, freeText: true), Req("kind", Shape.Enum, names: Names<StructureKind>()), Req("legalRegime", Shape.Enum, names: Names<LegalRegime>()),
                    Opt("siret", Shape.Siret), Opt("departement", Shape.Text), Req("hrName", Shape.Text, freeText: true), Req("hrEmail", Shape.Email),
                    Opt("hrLeadName", Shape.Text, freeText: true), Opt("hrLeadEmail", Shape.Email),
                ],
                Row = () =>
                {
                    var n = Unique();
                    return Task.FromResult(new Dictionary<string, string>
                    {
                        ["name"] = $"Structure importée {n}", ["kind"] = "Commune", ["legalRegime"] = "Public", ["siret"] = Siret(n), ["departement"] = "69",
                        ["hrName"] = "Rh Import", ["hrEmail"] = $"rh.{n}@import.fr", ["hrLeadName"] = "Référent Import", ["hrLeadEmail"] = $"referent.{n}@import.fr",
                    });
                },
                ReadBack = new()
                {
                    ["name"] = "SELECT count(*)::int FROM structure WHERE name = @v",
                    ["hrName"] = "SELECT count(*)::int FROM hr_contact WHERE full_name = @v AND NOT is_lead",
                    ["hrLeadName"] = "SELECT count(*)::int FROM hr_contact WHERE full_name = @v AND is_lead",
                },
            },
            new()
            {
                Kind = "posts", Costly = true,
                Columns = [Req("siret", Shape.Siret), Req("label", Shape.Text, freeText: true), Req("wave", Shape.Enum, names: Names<ConventionWave>()), Req("grantStart", Shape.Date), Opt("topUpEur", Shape.Decimal)],
                Row = () => Task.FromResult(new Dictionary<string, string>
                {
                    ["siret"] = SiretA, ["label"] = $"Poste importé {Unique()}", ["wave"] = "FirstWave", ["grantStart"] = "2026-01-01", ["topUpEur"] = "500",
                }),
                ReadBack = new() { ["label"] = "SELECT count(*)::int FROM funded_post WHERE label = @v" },
            },
            new()
            {
                Kind = "advisors",
                Columns = [Req("siret", Shape.Siret), Req("fullName", Shape.Text, freeText: true), Req("workEmail", Shape.Email), Opt("hasRecognisedDisability", Shape.Bool)],
                Row = () => Task.FromResult(new Dictionary<string, string>
                {
                    ["siret"] = SiretA, ["fullName"] = "Conseiller Importé", ["workEmail"] = $"importe.{Unique()}@commune-a.fr", ["hasRecognisedDisability"] = "false",
                }),
                ReadBack = new()
                {
                    ["fullName"] = "SELECT count(*)::int FROM advisor WHERE full_name = @v",
                    ["workEmail"] = "SELECT count(*)::int FROM advisor WHERE work_email = @v",
                },
            },
            new()
            {
                Kind = "contracts",
                Columns =
                [
                    Req("advisorEmail", Shape.Email), Req("siret", Shape.Siret), /* a label is free text: posts labelled with the hostile strings exist by now */ Req("postLabel", Shape.Text, freeText: true), Req("type", Shape.Enum, names: Names<ContractType>()),
                    Req("start", Shape.Date), Opt("end", Shape.Date),
                ],
                Row = async () =>
                {
                    contractPair ??= await FreshAdvisorAndPostWithNamesAsync();
                    return new Dictionary<string, string>
                    {
                        ["advisorEmail"] = contractPair.Value.Email, ["siret"] = SiretA, ["postLabel"] = contractPair.Value.Label,
                        ["type"] = "Cdd", ["start"] = "2026-04-01", ["end"] = "2027-03-31",
                    };
                },
                Refresh = () => contractPair = null,
            },
        ];
    }

    sealed record CsvRecipe(string Target, string Kind, Field? Field, Func<Dictionary<string, string>, Payload> Make, string? Stored = null, int[]? Refusals = null);

    async Task RunCsvAsync(CsvEndpoint endpoint)
    {
        var path = $"/api/imports/{endpoint.Kind}";
        var row = await endpoint.Row();
        var (status, text) = await SendAsync("admin", "POST", path, CsvPayload(endpoint.Columns, [row]));
        if (status != 200) _failures.Add($"{endpoint.Name}: the valid file was refused: {status} {Trim(text)}");
        else endpoint.Refresh?.Invoke();
        _fingerprint = null;

        foreach (var recipe in CsvRecipes(endpoint))
        {
            row = await endpoint.Row();
            var why = Why(CsvMayBeAccepted, endpoint.Name, recipe.Field, recipe.Kind, out var writesNothing);
            var readBack = recipe.Field is { } f && endpoint.ReadBack.TryGetValue(f.Name, out var sql) ? sql : null;
            var result = await RunAsync(new Case(endpoint.Name, recipe.Target, recipe.Kind, "admin", "POST", path, recipe.Make(row),
                recipe.Refusals ?? [400], why, writesNothing, why is null ? null : recipe.Stored, readBack));
            if (result is >= 200 and < 300) endpoint.Refresh?.Invoke();
        }
    }

    static IEnumerable<CsvRecipe> CsvRecipes(CsvEndpoint endpoint)
    {
        var columns = endpoint.Columns;
        var firstText = columns.FirstOrDefault(c => c.FreeText)?.Name ?? columns[0].Name;
        Payload Csv(Dictionary<string, string> row) => CsvPayload(columns, [row]);
        Payload Raw(string text, string? contentType = "text/csv") => new(Encoding.UTF8.GetBytes(text), contentType);
        var header = string.Join(",", columns.Select(c => c.Name));

        yield return new("file", "file:empty", null, _ => Raw(""));
        yield return new("file", "file:binary", null, _ =>
        {
            var bytes = new byte[4096];
            new Random(42).NextBytes(bytes);
            return new(bytes, "text/csv");
        });
        yield return new("file", "file:nul-bytes", null, _ => new(new byte[1024], "text/csv"));
        yield return new("file", "file:header-only", null, _ => Raw(header + "\n"));
        yield return new("file", "file:blank-rows", null, _ => Raw(header + "\n" + string.Concat(Enumerable.Repeat(new string(',', columns.Length - 1) + "\n", 3))));
        yield return new("file", "file:wrong-header", null, r => Raw("colonne1,colonne2,colonne3\n" + string.Join(",", columns.Select(c => Cell(r[c.Name]))) + "\n"));
        yield return new("file", "file:html-header", null, r => Raw(Script + "," + header + "\n," + string.Join(",", columns.Select(c => Cell(r[c.Name]))) + "\n"));
        yield return new("file", "file:sql-header", null, r => Raw(Cell(SqlDrop) + "," + header + "\n," + string.Join(",", columns.Select(c => Cell(r[c.Name]))) + "\n"));
        yield return new("file", "file:duplicate-column", null, r => Raw(header + "," + columns[0].Name + "\n" + string.Join(",", columns.Select(c => Cell(r[c.Name]))) + "," + Cell(r[columns[0].Name]) + "\n"));
        yield return new("file", "file:header-case", null, r => Raw(header.ToUpperInvariant() + "\n" + string.Join(",", columns.Select(c => Cell(r[c.Name]))) + "\n"));
        yield return new("file", "file:unterminated-quote", null, r => Raw(header + "\n\"" + string.Join(",", columns.Select(c => r[c.Name])) + "\n"));
        yield return new("file", "file:stray-quote", null, r => Raw(header + "\n" + string.Join(",", columns.Select((c, i) => i == 0 ? r[c.Name][..2] + "\"" + r[c.Name][2..] : Cell(r[c.Name]))) + "\n"));
        yield return new("file", "file:text-after-quote", null, r => Raw(header + "\n" + string.Join(",", columns.Select((c, i) => i == 0 ? "\"" + r[c.Name] + "\"x" : Cell(r[c.Name]))) + "\n"));
        yield return new("file", "file:extra-field", null, r => Raw(header + "\n" + string.Join(",", columns.Select(c => Cell(r[c.Name]))) + ",en trop\n"));
        yield return new("file", "file:duplicate-row", null, r => CsvPayload(columns, [r, r]));
        yield return new("file", "file:latin1", null, r =>
        {
            var copy = new Dictionary<string, string>(r) { [firstText] = r[firstText] + " été" };
            return new(Encoding.Latin1.GetBytes(Encoding.UTF8.GetString(CsvPayload(columns, [copy]).Body)), "text/csv");
        });
        yield return new("file", "file:semicolons", null, r => CsvPayload(columns, [r], separator: ';'));
        yield return new("file", "file:bom", null, r => new([0xEF, 0xBB, 0xBF, .. Csv(r).Body], "text/csv"));
        yield return new("file", "file:crlf", null, r => CsvPayload(columns, [r], newLine: "\r\n"));
        yield return new("file", "file:json-content-type", null, r => Csv(r) with { ContentType = "application/json" }, Refusals: [415]);
        yield return new("file", "file:no-content-type", null, r => Csv(r) with { ContentType = null });
        yield return new("file", "file:json-body", null, r => Raw(JsonSerializer.Serialize(r)));
        if (endpoint.Costly)
        {
            yield return new("file", "file:too-many-rows", null, r =>
            {
                var rows = Enumerable.Range(0, 10_001).Select(i => new Dictionary<string, string>(r) { [firstText] = $"Ligne {i}" }).ToList();
                return CsvPayload(columns, rows);
            });
            yield return new("file", "file:too-large", null, _ => Raw(header + "\n" + new string('x', 10 * 1024 * 1024 + 10)), Refusals: [413]);
        }

        foreach (var column in columns)
        {
            var name = column.Name;
            Func<Dictionary<string, string>, Payload> Set(string value) => r => Csv(new Dictionary<string, string>(r) { [name] = value });
            yield return new(name, "remove-column", column, r => CsvPayload(columns.Where(c => c.Name != name).ToArray(), [r]));
            yield return new(name, "empty-cell", column, Set(""));
            foreach (var (kind, text) in HostileTexts) yield return new(name, kind, column, Set(text), text);
            yield return new(name, "text:formula", column, Set("=HYPERLINK(\"http://x.invalid\";\"clic\")"), "=HYPERLINK(\"http://x.invalid\";\"clic\")");
            switch (column.Shape)
            {
                case Shape.Date:
                    foreach (var date in new[] { "2025-02-30", "30/02/2025", "2025-13-01", "0001-01-01", "9999-12-31", "2025-12-31T00:00:00", "hier" })
                        yield return new(name, $"date:{date}", column, Set(date));
                    yield return new(name, "date:dd/MM/yyyy", column, r => Csv(new Dictionary<string, string>(r) { [name] = DateOnly.ParseExact(r[name], "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) }));
                    break;
                case Shape.Enum:
                    yield return new(name, "enum:Bogus", column, Set("Bogus"));
                    yield return new(name, "enum:0", column, Set("0"));
                    yield return new(name, "enum:1", column, Set("1"));
                    yield return new(name, "enum:combined", column, Set($"{column.Names![1]}, {column.Names[0]}"));
                    yield return new(name, "enum:lowercase", column, r => Csv(new Dictionary<string, string>(r) { [name] = r[name].ToLowerInvariant() }));
                    break;
                case Shape.Decimal:
                    foreach (var amount in new[] { "-5", "0", "abc", "1e30", "0,001", "NaN", new string('9', 40) })
                        yield return new(name, $"decimal:{amount[..Math.Min(amount.Length, 12)]}", column, Set(amount));
                    yield return new(name, "decimal:french", column, Set("5 000,50"));
                    break;
                case Shape.Bool:
                    yield return new(name, "bool:peut-être", column, Set("peut-être"));
                    yield return new(name, "bool:2", column, Set("2"));
                    yield return new(name, "bool:oui", column, Set("oui"));
                    break;
                case Shape.Email:
                    yield return new(name, "email:malformed", column, Set("pas-une-adresse"));
                    yield return new(name, "email:no-domain", column, Set("a@b"));
                    yield return new(name, "email:apostrophe", column, r => Csv(new Dictionary<string, string>(r) { [name] = "o'" + r[name] }));
                    break;
                case Shape.Siret:
                    yield return new(name, "siret:letters", column, Set("2100000000001A"));
                    // Where the SIRET names the structure of the row (posts, advisors, contracts), one that does not exist.
                    if (endpoint.Kind != "structures") yield return new(name, "siret:unknown", column, Set("99999999999999"));
                    yield return new(name, "siret:spaces", column, r => Csv(new Dictionary<string, string>(r) { [name] = Spaced(r[name]) }));
                    break;
            }
        }
    }

    static string Cell(string value) =>
        value.IndexOfAny([',', ';', '"', '\r', '\n']) >= 0 || value != value.Trim() ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    static Payload CsvPayload(IReadOnlyList<Field> columns, IReadOnlyList<Dictionary<string, string>> rows, char separator = ',', string newLine = "\n")
    {
        var text = new StringBuilder();
        text.Append(string.Join(separator, columns.Select(c => c.Name))).Append(newLine);
        foreach (var row in rows) text.Append(string.Join(separator, columns.Select(c => Cell(row[c.Name])))).Append(newLine);
        return new(Encoding.UTF8.GetBytes(text.ToString()), "text/csv");
    }

    /// <summary>The kind of import, in the address.</summary>
    async Task RunImportKindsAsync()
    {
        const string endpoint = "POST /api/imports/{kind}";
        var postsCsv = $"siret,label,wave,grantStart\n{SiretA},Poste importé {{0}},FirstWave,2026-01-01\n";
        foreach (var (kind, path) in new[]
        {
            ("kind:script", "/api/imports/%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
            ("kind:sql", "/api/imports/" + Uri.EscapeDataString("posts'; DROP TABLE advisor; --")),
            ("kind:number", "/api/imports/1"),
            ("kind:combined", "/api/imports/structures,posts"),
            ("kind:combined-spaced", "/api/imports/" + Uri.EscapeDataString("structures, posts")),
            ("kind:huge", "/api/imports/" + new string('a', 5000)),
            ("kind:unknown", "/api/imports/trainings"),
            ("kind:Posts", "/api/imports/Posts"),
        })
        {
            var why = Why(CsvMayBeAccepted, endpoint, null, kind, out var writesNothing);
            await RunAsync(new Case(endpoint, "kind", kind, "admin", "POST", path, new(Encoding.UTF8.GetBytes(string.Format(postsCsv, Unique())), "text/csv"),
                [400, 404], why, writesNothing));
        }
    }

    /// <summary>Endpoints that take no body: whatever body is sent is ignored.</summary>
    async Task RunBodilessAsync()
    {
        var hrB = _host.Data.Users["hrB"];
        foreach (var (method, path, caller, statuses) in new (string, string, string, int[])[]
        {
            ("POST", "/api/calendar-feeds", "hrA", [201]),
            ("POST", "/api/auth/logout", "admin", [204]),
            ("POST", $"/api/incidents/{Guid.NewGuid()}/retry", "admin", [404]),
            ("DELETE", $"/api/calendar-feeds/{Guid.NewGuid()}", "hrA", [404]),
            ("DELETE", $"/api/auth/tokens/{Guid.NewGuid()}", "admin", [404]),
        })
        {
            var name = $"{method} {Regex.Replace(path, "[0-9a-f]{8}-[0-9a-f-]{27}", "{id}")}";
            foreach (var (kind, payload) in new (string, Payload?)[]
            {
                ("body:none", null),
                ("body:not-json", JsonPayload("ceci n'est pas du JSON")),
                ("body:mass-assignment", JsonPayload($"{{\"userId\":\"{hrB}\",\"role\":\"admin\",\"structures\":[\"{_host.Data.StructureB}\"]}}")),
                ("body:huge", JsonPayload(S(new string('x', 100_000)))),
                ("body:binary", new(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), "application/octet-stream")),
                ("body:html", new(Encoding.UTF8.GetBytes(Script), "text/html")),
            })
            {
                var why = Why(MayBeAccepted, name, null, kind, out _);
                var status = await RunAsync(new Case(name, "body", kind, caller, method, path, payload, statuses.Where(s => s >= 300).ToArray(), why, false));
                if (status is >= 200 and < 300 && !statuses.Contains(status)) _failures.Add($"{name} [{kind}]: {status} instead of {string.Join("/", statuses)}");
            }
        }
        // The feeds made above all belong to the caller, whatever the body claimed.
        var owners = await _host.QueryAsync<Guid>("SELECT DISTINCT user_id FROM calendar_feed");
        if (owners.Any(o => o != _host.Data.Users["hrA"])) _failures.Add($"POST /api/calendar-feeds: a feed belongs to someone else than its caller: {string.Join(", ", owners)}");
    }

    /// <summary>Hostile ids in the address of every write endpoint that has one.</summary>
    async Task RunPathIdsAsync()
    {
        var d = _host.Data;
        var routes = new (string Template, string Caller, string Body)[]
        {
            ("/api/contracts/{0}/amendments", "admin", """{"newEnd":"2027-01-31","reason":"Avenant"}"""),
            ("/api/contracts/{0}/renewal", "admin", """{"newEnd":"2028-08-31","reason":"Renouvellement"}"""),
            ("/api/contracts/{0}/decision", "admin", """{"kind":"NotRetained","reason":"Fin"}"""),
            ("/api/contracts/{0}/early-termination", "admin", """{"date":"2026-03-01","reason":"Resignation"}"""),
            ("/api/contracts/{0}/trainings", "admin", """{"start":"2026-04-06","end":"2026-06-26","hours":140}"""),
            ("/api/contracts/{0}/trainings/initial/completion", "admin", """{"completedOn":"2026-03-01"}"""),
            ("/api/contracts/{0}/exams", "admin", """{"exam":"Pix","passed":false}"""),
            ("/api/contracts/{0}/thematic-modules", "admin", """{"title":"Module","hours":7}"""),
            ("/api/tasks/{0}/complete", "admin", """{"note":"Fait"}"""),
            ("/api/incidents/{0}/retry", "admin", ""),
            ("DELETE /api/calendar-feeds/{0}", "hrA", ""),
            ("DELETE /api/auth/tokens/{0}", "admin", ""),
        };
        var ids = new (string Kind, string Id)[]
        {
            ("id:malformed", "pas-un-guid"),
            ("id:sql", Uri.EscapeDataString(SqlOr + "; --")),
            ("id:script", Uri.EscapeDataString(Script)),
            ("id:traversal", "..%2F..%2Fstructures"),
            ("id:huge", new string('a', 5000)),
            ("id:empty-guid", Guid.Empty.ToString()),
            ("id:unknown", Guid.NewGuid().ToString()),
            ("id:another-kind", d.PostA.ToString()),
            ("id:numeric", "12345"),
        };
        foreach (var (template, caller, body) in routes)
        {
            var method = template.StartsWith("DELETE ", StringComparison.Ordinal) ? "DELETE" : "POST";
            var route = template.Replace("DELETE ", "");
            var name = $"{method} {route.Replace("{0}", "{id}")}";
            foreach (var (kind, id) in ids)
                await RunAsync(new Case(name, "id", kind, caller, method, string.Format(route, id), body.Length == 0 ? null : JsonPayload(body), [404], null, false));
        }
    }

    // ---- one request, judged ----

    sealed record Case(string Endpoint, string Target, string Kind, string Caller, string Method, string Path, Payload? Payload,
        int[] Refusals, string? Why, bool WritesNothing, string? Stored = null, string? ReadBackSql = null);

    static readonly Regex EnglishWord = new(
        @"\b(the|was|were|could|cannot|failed|parameter|required|request|provided|value|occurred|invalid|unexpected|error|exception|must|expected|body|unsupported)\b",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    static readonly Regex Echo = new(@"«[^»]*»", RegexOptions.Compiled);

    static readonly string[] RawMarkup = ["<script", "<img", "onerror="];

    async Task<int> RunAsync(Case c)
    {
        var label = $"{c.Endpoint} [{c.Target} {c.Kind}] as {c.Caller}";
        _casesPerEndpoint[c.Endpoint] = _casesPerEndpoint.GetValueOrDefault(c.Endpoint) + 1;
        _kinds.Add(c.Kind);
        var before = _fingerprint ??= await FingerprintAsync();
        int status;
        string body;
        string? mediaType;
        try
        {
            (status, body, mediaType) = await SendFullAsync(c.Caller, c.Method, c.Path, c.Payload);
        }
        catch (Exception e)
        {
            _failures.Add($"{label}: the request threw {e.GetType().Name}: {Trim(e.Message)}");
            _fingerprint = null;
            return 0;
        }
        if (!_statuses.TryGetValue(c.Endpoint, out var tally)) _statuses[c.Endpoint] = tally = new();
        tally[status] = tally.GetValueOrDefault(status) + 1;

        if (status >= 500)
        {
            _failures.Add($"{label}: {status} {Trim(body)}");
            _fingerprint = null;
            return status;
        }
        if (status is >= 200 and < 300)
        {
            if (c.Why is null) _failures.Add($"{label}: accepted ({status}) although it must be refused: {Trim(body)}");
            else _accepted.Add($"{c.Endpoint} [{c.Target} {c.Kind}] → {status}: {c.Why}");
            if (c.WritesNothing)
            {
                var after = await FingerprintAsync();
                if (after != before) _failures.Add($"{label}: accepted with {status}, as writing nothing, but the database changed: {Diff(before, after)}");
                _fingerprint = after;
            }
            else _fingerprint = null;
            if (c.Why is not null && c.Stored is { } stored && c.ReadBackSql is { } sql
                && (await _host.QueryAsync<int>(sql, new { v = stored, j = InJsonbText(stored) }))[0] == 0)
                _failures.Add($"{label}: accepted with {status} but the text is not in the database as sent ({Trim(stored)})");
            return status;
        }

        // A refusal: the expected status, a French ProblemDetails without raw markup, and nothing written.
        if (!c.Refusals.Contains(status)) _failures.Add($"{label}: {status} instead of {string.Join("/", c.Refusals)}: {Trim(body)}");
        if (mediaType != "application/problem+json") _failures.Add($"{label}: {status} without ProblemDetails (Content-Type {mediaType ?? "none"}): {Trim(body)}");
        else ProblemIsFrench(label, status, body);
        if (RawMarkup.Where(m => body.Contains(m, StringComparison.OrdinalIgnoreCase)).ToList() is { Count: > 0 } echoed)
            _failures.Add($"{label}: the ProblemDetails echoes raw markup ({string.Join(", ", echoed)}): {Trim(body)}");
        if (status != 400) _otherRefusals.Add($"{c.Endpoint} [{c.Target} {c.Kind}] → {status}");

        var now = await FingerprintAsync();
        // A failed login counts towards the account's lockout: that counter, and nothing else, may change.
        var ignored = c.Caller == "anonymous" && status == 401 ? "app_user" : null;
        if (Without(now, ignored) != Without(before, ignored)) _failures.Add($"{label}: refused with {status} but the database changed: {Diff(before, now)}");
        _fingerprint = now;
        return status;
    }

    void ProblemIsFrench(string label, int status, string body)
    {
        JsonNode? problem;
        try { problem = JsonNode.Parse(body); }
        catch (JsonException) { _failures.Add($"{label}: {status} ProblemDetails is not JSON: {Trim(body)}"); return; }
        var title = problem?["title"]?.GetValue<string>();
        var detail = problem?["detail"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(title) || string.IsNullOrWhiteSpace(detail))
        {
            _failures.Add($"{label}: {status} ProblemDetails without {(string.IsNullOrWhiteSpace(title) ? "a title" : "a detail")}: {Trim(body)}");
            return;
        }
        if (problem?["status"]?.GetValue<int>() is { } s && s != status) _failures.Add($"{label}: ProblemDetails status {s} in a {status} answer");
        var texts = new List<string> { title, detail };
        Collect(problem?["errors"], texts);
        foreach (var text in texts)
            if (EnglishWord.Match(Echo.Replace(text, "")) is { Success: true } m)
                _failures.Add($"{label}: {status} ProblemDetails in English (\"{m.Value}\"): {Trim(text)}");

        static void Collect(JsonNode? node, List<string> into)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o)
                        if (key is not ("column" or "field")) Collect(value, into);
                    break;
                case JsonArray array:
                    foreach (var item in array) Collect(item, into);
                    break;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    into.Add(s);
                    break;
            }
        }
    }

    string? _fingerprintSql;

    /// <summary>
    /// Which rows exist in every table of the schema, and which version of each: a committed insert, update or delete
    /// anywhere changes it. The same guarantee as <see cref="ApiHost.FingerprintAsync"/> (stricter: even an update
    /// that writes the same values counts), over every table, in one query that does not read the rows' contents,
    /// so that it can run after each of the thousands of requests below.
    /// </summary>
    async Task<string> FingerprintAsync()
    {
        if (_fingerprintSql is null)
        {
            var tables = await _host.QueryAsync<string>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
            _fingerprintSql = "SELECT string_agg(x, ' ' ORDER BY x) FROM (" + string.Join(" UNION ALL ", tables.Select(t =>
                $"SELECT '{t}:' || count(*) || '/' || coalesce(md5(string_agg(ctid::text || xmin::text, ',' ORDER BY ctid)), '-') FROM \"{t}\"")) + ") f(x)";
        }
        return (await _host.QueryAsync<string>(_fingerprintSql))[0];
    }

    // ---- fixtures ----

    async Task<Guid> CreateAsync(string url, object body) => await ApiHost.CreatedIdAsync(await _host.As("admin").PostAsJsonAsync(url, body));

    async Task<(Guid Advisor, Guid Post)> FreshAdvisorAndPostAsync()
    {
        var (advisor, post, _, _) = await FreshAdvisorAndPostWithNamesAsync();
        return (advisor, post);
    }

    /// <summary>An advisor and a post of structure A, with no contract yet.</summary>
    async Task<(Guid Advisor, Guid Post, string Email, string Label)> FreshAdvisorAndPostWithNamesAsync()
    {
        var n = Unique();
        var (email, label) = ($"fixture.{n}@commune-a.fr", $"Poste fixture {n}");
        var advisor = await CreateAsync("/api/advisors", new { structureId = _host.Data.StructureA, fullName = $"Fixture {n}", workEmail = email, hasRecognisedDisability = false });
        var post = await CreateAsync("/api/posts", new { structureId = _host.Data.StructureA, label, wave = "FirstWave", grantStart = "2025-08-01" });
        _fingerprint = null;
        return (advisor, post, email, label);
    }

    /// <summary>A public fixed-term contract begun in September 2025: past its trial, waiting for its initial training to be scheduled.</summary>
    async Task<Guid> FreshContractAsync(bool withTraining = false)
    {
        var (advisor, post) = await FreshAdvisorAndPostAsync();
        var contract = await CreateAsync("/api/contracts", new { advisorId = advisor, postId = post, type = "Cdd", start = "2025-09-01", end = "2027-08-31" });
        await _host.SweepAsync();
        if (withTraining)
        {
            using var response = await _host.As("admin").PostAsJsonAsync($"/api/contracts/{contract}/trainings", new { start = "2026-02-02", end = "2026-06-26", hours = 140 });
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"fixture training: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        _fingerprint = null;
        return contract;
    }

    async Task<Guid> OpenTaskAsync(Guid contract) => (await _host.QueryAsync<Guid>("""
        SELECT t.id FROM human_task t JOIN workflow_instance i ON i.id = t.instance_id
         WHERE i.subject_id = @contract AND t.status = 'Open' AND t.kind = @kind
        """, new { contract, kind = Tasks.ScheduleTraining })).Single();

    // ---- plumbing ----

    async Task<(int Status, string Body)> SendAsync(string caller, string method, string path, Payload? payload)
    {
        var (status, body, _) = await SendFullAsync(caller, method, path, payload);
        return (status, body);
    }

    async Task<(int Status, string Body, string? MediaType)> SendFullAsync(string caller, string method, string path, Payload? payload)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (payload is not null)
        {
            request.Content = new ByteArrayContent(payload.Body);
            if (payload.ContentType is { } type) request.Content.Headers.ContentType = new MediaTypeHeaderValue(type);
        }
        var client = caller == "anonymous" ? _anonymous : _host.As(caller);
        using var response = await client.SendAsync(request);
        _sent++;
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    const string Marker = "__valeur_hostile__";

    static Payload JsonPayload(string json) => new(Encoding.UTF8.GetBytes(json), "application/json");

    /// <summary>A JSON string literal.</summary>
    static string S(string text) => JsonSerializer.Serialize(text);

    static JsonNode? Get(JsonObject body, string path)
    {
        JsonNode? node = body;
        foreach (var part in path.Split('.')) node = node?[part];
        return node;
    }

    static (JsonObject Copy, JsonObject Parent, string Key) Locate(JsonObject body, string path)
    {
        var copy = body.DeepClone().AsObject();
        var parts = path.Split('.');
        var parent = copy;
        foreach (var part in parts[..^1]) parent = parent[part]!.AsObject();
        return (copy, parent, parts[^1]);
    }

    /// <summary>The body with the value at path replaced by raw JSON text (which may be anything, even invalid JSON).</summary>
    static string SetRaw(JsonObject body, string path, string raw)
    {
        var (copy, parent, key) = Locate(body, path);
        parent[key] = Marker;
        return copy.ToJsonString().Replace($"\"{Marker}\"", raw);
    }

    static string Remove(JsonObject body, string path)
    {
        var (copy, parent, key) = Locate(body, path);
        parent.Remove(key);
        return copy.ToJsonString();
    }

    static string Extra(JsonObject body, string key, string raw)
    {
        var copy = body.DeepClone().AsObject();
        copy[key] = Marker;
        return copy.ToJsonString().Replace($"\"{Marker}\"", raw);
    }

    static string Siret(int n) => "3" + n.ToString("D13");

    static string Spaced(string siret) => $"{siret[..3]} {siret[3..6]} {siret[6..9]} {siret[9..]}";

    /// <summary>How PostgreSQL writes a string inside jsonb::text.</summary>
    static string InJsonbText(string text) =>
        text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");

    static string? Without(string fingerprint, string? table) =>
        table is null ? fingerprint : string.Join(" ", fingerprint.Split(' ').Where(p => !p.StartsWith(table + ":", StringComparison.Ordinal)));

    static string Diff(string before, string after)
    {
        var old = before.Split(' ').ToDictionary(p => p[..p.IndexOf(':')], p => p[(p.IndexOf(':') + 1)..]);
        var changed = after.Split(' ').Where(p => old.GetValueOrDefault(p[..p.IndexOf(':')]) != p[(p.IndexOf(':') + 1)..])
            .Select(p => $"{p[..p.IndexOf(':')]} {old.GetValueOrDefault(p[..p.IndexOf(':')])?.Split('/')[0]}→{p[(p.IndexOf(':') + 1)..].Split('/')[0]} rows");
        return string.Join(", ", changed);
    }

    static string Trim(string text)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length > 400 ? text[..400] + "…" : text;
    }
}
