using System.Globalization;
using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CareerPath.Workflows.Tests.Infrastructure;

/// <summary>
/// The real engine on a database of its own, with a fake clock that tests move forward:
/// what a test does to an instance is what production does, minus the waiting.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    readonly bool _ownsDatabase;

    EngineHarness(string connectionString, DateTimeOffset start, IEnumerable<IWorkflowDefinition> definitions, bool ownsDatabase = true)
    {
        _ownsDatabase = ownsDatabase;
        ConnectionString = connectionString;
        Clock = new FakeTimeProvider(start);
        DataSource = Database.CreateDataSource(connectionString);
        Engine = new WorkflowEngine(DataSource, new DefinitionRegistry(definitions), Clock);
        Sweeper = new Sweeper(Engine);
        Driver = new ClockDriver(Engine, Sweeper, Clock.SetUtcNow);
    }

    public string ConnectionString { get; }
    public FakeTimeProvider Clock { get; }
    public NpgsqlDataSource DataSource { get; }
    public WorkflowEngine Engine { get; }
    public Sweeper Sweeper { get; }
    public ClockDriver Driver { get; }

    public static async Task<EngineHarness> CreateAsync(string start, IEnumerable<IWorkflowDefinition>? definitions = null) =>
        new(await TestCluster.CreateMigratedDatabaseAsync(), WorkflowEngine.DueInstant(D(start)).AddHours(-1),
            definitions ?? ShippedWorkflows.All);

    /// <summary>
    /// Another engine over this harness's database, as a second node or a redeployed process would be: its own
    /// connections, clock and definitions. Disposing it leaves the database to its owner.
    /// </summary>
    public EngineHarness Attach(DateTimeOffset now, IEnumerable<IWorkflowDefinition>? definitions = null) =>
        new(ConnectionString, now, definitions ?? ShippedWorkflows.All, ownsDatabase: false);

    /// <summary>Plays every timer due up to 08:00 (Paris) of that day, in order.</summary>
    public Task RunUntilAsync(string day) => Driver.RunUntilAsync(WorkflowEngine.DueInstant(D(day)));

    public static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, args)).ToList();
    }

    public Task<TransitionResult> SignalAsync(Guid instance, ContractTrigger trigger, JsonObject? payload = null, string actor = "hr:test", string? key = null) =>
        Engine.SignalAsync(new SignalRequest(instance, trigger.ToString(), payload, actor, key));

    public Task<TransitionResult> SignalAsync(Guid instance, PostTrigger trigger, JsonObject? payload = null, string actor = "hr:test", string? key = null) =>
        Engine.SignalAsync(new SignalRequest(instance, trigger.ToString(), payload, actor, key));

    public async Task<string> StateAsync(Guid instance) => (await Engine.GetAsync(instance))!.State;

    public async Task<List<(string Trigger, string From, string To)>> JournalAsync(Guid instance) =>
        (await InstanceQueries.JournalAsync(DataSource, instance)).Select(j => (j.Trigger, j.FromState ?? "", j.ToState)).ToList();

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (_ownsDatabase) await TestCluster.DropDatabaseAsync(ConnectionString);
    }
}

/// <summary>Realistic facts for one structure, one post and one advisor.</summary>
public static class Scenario
{
    public static readonly Guid StructureId = Guid.Parse("5f000000-0000-0000-0000-000000000001");
    public const string HrEmail = "rh@mairie-exemple.fr";
    public const string HrLeadEmail = "drh@mairie-exemple.fr";

    public static FundedPost Post(Guid postId, string conventionStart, LegalRegime regime = LegalRegime.Public) =>
        new(postId, StructureId, "Conseiller numérique — médiathèque",
            [StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.FirstWave, regime, EngineHarness.D(conventionStart))]);

    public static PostFundingData PostData(FundedPost post) => new()
    {
        Post = post, StructureName = "Mairie d'Exemple", HrEmail = HrEmail, HrLeadEmail = HrLeadEmail,
    };

    public static AdvisorContractData ContractData(Contract contract, FundedPost post, bool disabled = false) => new()
    {
        Contract = contract,
        Advisor = new Advisor(contract.AdvisorId, "Camille Martin", "camille.martin@mairie-exemple.fr", disabled),
        StructureId = StructureId,
        StructureName = "Mairie d'Exemple",
        HrEmail = HrEmail,
        HrLeadEmail = HrLeadEmail,
        Post = post,
    };

    public static Contract Contract(Guid postId, ContractType type, LegalRegime regime, string start, string? end) =>
        new(Guid.NewGuid(), Guid.NewGuid(), postId, type, regime, EngineHarness.D(start), end is null ? null : EngineHarness.D(end));

    public static async Task<(Guid Post, Guid Contract, AdvisorContractData Data)> StartPublicCddAsync(
        EngineHarness h, string start = "2024-01-15", string end = "2026-01-14", bool disabled = false)
    {
        var post = Post(Guid.NewGuid(), start);
        var postInstance = await StartPostAsync(h, post);
        var contract = Contract(post.Id, ContractType.Cdd, LegalRegime.Public, start, end);
        var data = ContractData(contract, post, disabled);
        var contractInstance = await StartContractAsync(h, data);
        return (postInstance, contractInstance, data);
    }

    /// <summary>
    /// The reference rows a contract's record points to (its structure, post and advisor), as the API or an
    /// import would have written them before starting the workflow. Each at most once.
    /// </summary>
    public static async Task RecordAsync(EngineHarness h, Guid postId, Advisor? advisor = null)
    {
        await using var conn = await h.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO structure (id, name, kind, legal_regime) VALUES (@StructureId, 'Mairie d''Exemple', 'Commune', 'Public') ON CONFLICT DO NOTHING;
            INSERT INTO funded_post (id, structure_id, label) VALUES (@postId, @StructureId, 'Poste ' || @postId) ON CONFLICT DO NOTHING;
            """, new { StructureId, postId });
        if (advisor is not null)
            await conn.ExecuteAsync("""
                INSERT INTO advisor (id, full_name, work_email, has_recognised_disability, structure_id)
                VALUES (@Id, @FullName, @email, @HasRecognisedDisability, @StructureId) ON CONFLICT DO NOTHING
                """, new { advisor.Id, advisor.FullName, email = $"{advisor.Id}@advisors.test", advisor.HasRecognisedDisability, StructureId });
    }

    /// <summary>A post funded by a 36-month renewal convention (2023 wave).</summary>
    public static FundedPost RenewalPost(Guid postId, string conventionStart, LegalRegime regime = LegalRegime.Public) =>
        new(postId, StructureId, "Conseiller numérique — maison France services",
            [StandardFunding.StandardConvention(Guid.NewGuid(), ConventionWave.Renewal2023, regime, EngineHarness.D(conventionStart))]);

    public static async Task<Guid> StartPostAsync(EngineHarness h, FundedPost post)
    {
        await RecordAsync(h, post.Id);
        return await h.Engine.StartAsync(new StartRequest(PostFundingWorkflow.DefinitionId, post.Id, StructureId, WorkflowJson.ToObject(PostData(post)), "hr:test"));
    }

    public static async Task<Guid> StartContractAsync(EngineHarness h, AdvisorContractData data)
    {
        await RecordAsync(h, data.Contract.PostId, data.Advisor);
        return await h.Engine.StartAsync(new StartRequest(AdvisorContractWorkflow.DefinitionId, data.Contract.Id, StructureId, WorkflowJson.ToObject(data), "hr:test"));
    }

    /// <summary>An initial training already completed, and both certification exams passed on its last day.</summary>
    public static List<TrainingAssignment> TrainingDone(Guid advisorId, string start, string end)
    {
        var (from, to) = (EngineHarness.D(start), EngineHarness.D(end));
        return
        [
            new(Guid.NewGuid(), advisorId, TrainingModuleKind.InitialTraining, "Formation initiale", 140, from, to, to) { CompletedOn = to },
            new(Guid.NewGuid(), advisorId, TrainingModuleKind.Ccp1Exam, "CCP1", 0, to, to, to) { CompletedOn = to, Passed = true },
            new(Guid.NewGuid(), advisorId, TrainingModuleKind.PixExam, "Pix", 0, to, to, to) { CompletedOn = to, Passed = true },
        ];
    }

    public static JsonObject Training(string start, string end, int hours = 140) =>
        new() { ["start"] = start, ["end"] = end, ["hours"] = hours };
}
