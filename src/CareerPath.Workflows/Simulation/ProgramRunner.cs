using System.Text.Json.Nodes;
using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using Dapper;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Workflows.Simulation;

/// <summary>
/// Plays a <see cref="ProgramModel"/> through the real engine on a simulated clock: posts and contracts
/// start on their dates, timers fire through the real sweeper, and the people of each structure
/// answer their tasks as their seeded <see cref="Behaviour"/> says, on the day it says.
/// </summary>
public sealed class ProgramRunner
{
    readonly ProgramModel _model;
    readonly WorkflowEngine _engine;
    readonly SimulatedClock _clock;
    readonly Sweeper _sweeper;
    // Filled and read by the simulation's single loop only.
    readonly PriorityQueue<Step, (DateTimeOffset, long)> _queue = new();
    readonly Dictionary<Guid, SimAdvisor> _byAdvisorId;
    // The tasks opened at the instant last looked from: the next look starts at that instant and finds them again.
    // Only those are kept, so the memory does not grow with the program's history.
    HashSet<Guid> _seenTasks = [];
    long _sequence;
    DateTimeOffset _tasksSeenUntil = DateTimeOffset.MinValue;

    public ProgramRunner(ProgramModel model, WorkflowEngine engine, SimulatedClock clock, int sweepBatch = 500)
    {
        _model = model;
        _engine = engine;
        _clock = clock;
        _sweeper = new Sweeper(engine) { BatchSize = sweepBatch };
        _byAdvisorId = model.Advisors.ToDictionary(a => a.Advisor.Id);
        foreach (var a in model.Advisors)
        {
            // The post exists before anyone is recruited on it: the contract's first signal goes to it.
            var granted = a.Post.Conventions[0].Start.AddDays(-1);
            At(a, granted, new StartPost());
            var signed = a.Contract.Start.AddDays(-20);
            At(a, signed > granted ? signed : granted, new StartContract());
        }
    }

    /// <summary>Called after each step with the simulated day, for progress display.</summary>
    public Action<DateOnly>? Progress { get; init; }

    /// <summary>What a person does at a simulated moment: data, so that a moment's actions go to the engine as batches.</summary>
    abstract record Act;
    sealed record StartPost : Act;
    sealed record StartContract : Act;
    /// <param name="Then">Called with whether the engine took the signal (a refused one changed nothing).</param>
    sealed record Send(Guid Instance, ContractTrigger Trigger, JsonObject? Payload, Action<bool>? Then = null) : Act;
    sealed record Decide(Guid Instance, DecisionKind Kind) : Act;

    sealed record Step(SimAdvisor Advisor, Act Act);

    /// <summary>Runs until nothing is left to do, or until <paramref name="until"/> when given.</summary>
    public async Task RunAsync(DateTimeOffset? until = null, CancellationToken ct = default)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var nextTimer = await NextTimerAsync(ct);
            DateTimeOffset? nextAction = _queue.TryPeek(out _, out var key) ? key.Item1 : null;
            var next = Min(nextTimer, nextAction);
            if (next is null || (until is { } u && next > u))
            {
                if (until is { } end) _clock.Set(end);
                return;
            }
            _clock.Set(next.Value);
            if (nextTimer is { } t && t <= _clock.GetUtcNow())
                await _sweeper.SweepOnceAsync(ct);
            var due = new List<Step>();
            while (_queue.TryPeek(out _, out var k) && k.Item1 <= _clock.GetUtcNow()) due.Add(_queue.Dequeue());
            await ActAsync(due, ct);
            await ReactToNewTasksAsync(ct);
            Progress?.Invoke(WorkflowEngine.ParisDate(_clock.GetUtcNow()));
        }
    }

    /// <summary>
    /// A moment's actions, in rounds: each round takes the next action of every advisor who has one, so one advisor's
    /// actions keep their order, and sends them as one batch of starts and one of signals (each advisor has a post and
    /// contracts of their own: a round never touches an instance twice).
    /// </summary>
    async Task ActAsync(List<Step> due, CancellationToken ct)
    {
        var pending = due.GroupBy(s => s.Advisor.Index).Select(g => new LinkedList<Act>(g.Select(s => s.Act))).ToList();
        var advisors = due.GroupBy(s => s.Advisor.Index).Select(g => g.First().Advisor).ToList();
        while (true)
        {
            var round = new List<(SimAdvisor Advisor, Act Act, LinkedList<Act> Later)>();
            for (var i = 0; i < pending.Count; i++)
            {
                if (pending[i].First is not { } first) continue;
                pending[i].RemoveFirst();
                round.Add((advisors[i], first.Value, pending[i]));
            }
            if (round.Count == 0) return;

            var starts = round.Where(r => r.Act is StartPost or StartContract).ToList();
            var ids = await _engine.StartManyAsync(starts.Select(r => r.Act is StartPost ? PostStart(r.Advisor) : ContractStart(r.Advisor)).ToList(), ct);
            for (var i = 0; i < starts.Count; i++)
                if (starts[i].Act is StartContract) ContractStarted(starts[i].Advisor, ids[i]);

            var sends = new List<(SimAdvisor Advisor, Send Send)>();
            foreach (var (a, act, rest) in round)
            {
                if (act is Send send) sends.Add((a, send));
                else if (act is Decide decide && await DecisionAsync(decide, a, rest, ct) is { } decision) sends.Add((a, decision));
            }
            var outcomes = await _engine.SignalManyAsync(sends.Select(s => new SignalRequest(s.Send.Instance, s.Send.Trigger.ToString(), s.Send.Payload, Actor(s.Advisor))).ToList(), ct);
            for (var i = 0; i < sends.Count; i++)
            {
                // A refusal is what a person would meet too: the instance moved on (ended early, already decided).
                if (outcomes[i].Refusal is { } refusal && refusal is not (TriggerNotPermittedException or WorkflowInputException)) throw refusal;
                sends[i].Send.Then?.Invoke(outcomes[i].Applied);
            }
        }
    }

    static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    async Task<DateTimeOffset?> NextTimerAsync(CancellationToken ct)
    {
        await using var conn = await _engine.DataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<DateTimeOffset?>("SELECT min(due_at) FROM workflow_timer WHERE fired_at IS NULL");
    }

    /// <summary>People act at 10:00 on their day, after the 08:00 reminders.</summary>
    void At(SimAdvisor a, DateOnly day, Act act)
    {
        var instant = WorkflowEngine.DueInstant(day).AddHours(2);
        if (instant < _clock.GetUtcNow()) instant = _clock.GetUtcNow();
        _queue.Enqueue(new Step(a, act), (instant, _sequence++));
    }

    static StartRequest PostStart(SimAdvisor a)
    {
        var data = new PostFundingData
        {
            Post = a.Post, StructureName = a.Structure.Structure.Name, HrEmail = a.Structure.HrEmail, HrLeadEmail = a.Structure.HrLeadEmail,
        };
        return new StartRequest(PostFundingWorkflow.DefinitionId, a.Post.Id, a.Structure.Structure.Id, WorkflowJson.ToObject(data), Actor(a));
    }

    static StartRequest ContractStart(SimAdvisor a)
    {
        var data = new AdvisorContractData
        {
            Contract = a.Contract, Advisor = a.Advisor, StructureId = a.Structure.Structure.Id, StructureName = a.Structure.Structure.Name,
            HrEmail = a.Structure.HrEmail, HrLeadEmail = a.Structure.HrLeadEmail, Post = a.Post,
        };
        return new StartRequest(AdvisorContractWorkflow.DefinitionId, a.Contract.Id, a.Structure.Structure.Id, WorkflowJson.ToObject(data), Actor(a));
    }

    void ContractStarted(SimAdvisor a, Guid id)
    {
        var b = a.Behaviour;
        if (b.TrialFailsOnDay is { } day)
            At(a, a.Contract.Start.AddDays(day), new Send(id, ContractTrigger.TrialFailed, new() { ["date"] = IsoDate(a.Contract.Start.AddDays(day)) }));
        else if (b.EarlyEnd is { } early)
            At(a, a.Contract.Start.AddDays(early.Day), new Send(id, ContractTrigger.EarlyTerminate,
                new() { ["date"] = IsoDate(a.Contract.Start.AddDays(early.Day)), ["reason"] = early.Reason.ToString() }));
    }

    async Task ReactToNewTasksAsync(CancellationToken ct)
    {
        await using var conn = await _engine.DataSource.OpenConnectionAsync(ct);
        var tasks = await conn.QueryAsync<OpenedTask>("""
            SELECT t.id, t.instance_id AS InstanceId, t.kind, t.opened_at AS OpenedAt, c.advisor_id AS AdvisorId,
                   c.previous_contract_id IS NOT NULL AS Renewed
              FROM human_task t JOIN workflow_instance i ON i.id = t.instance_id JOIN contract c ON c.id = i.subject_id
             WHERE t.status = 'Open' AND t.opened_at >= @since
            """, new { since = _tasksSeenUntil });
        _tasksSeenUntil = _clock.GetUtcNow();
        foreach (var task in tasks.OrderBy(t => t.OpenedAt).ThenBy(t => t.Id))
        {
            if (_seenTasks.Contains(task.Id) || !_byAdvisorId.TryGetValue(task.AdvisorId, out var a)) continue;
            React(task, a);
        }
        _seenTasks = tasks.Where(t => t.OpenedAt >= _tasksSeenUntil).Select(t => t.Id).ToHashSet();
    }

    sealed record OpenedTask
    {
        public Guid Id { get; init; }
        public Guid InstanceId { get; init; }
        public string Kind { get; init; } = "";
        public DateTimeOffset OpenedAt { get; init; }
        public Guid AdvisorId { get; init; }
        public bool Renewed { get; init; }
    }

    void React(OpenedTask task, SimAdvisor a)
    {
        var b = a.Behaviour;
        var id = task.InstanceId;
        var opened = WorkflowEngine.ParisDate(task.OpenedAt);
        switch (task.Kind)
        {
            case Tasks.ScheduleTraining:
                var start = opened.AddDays(b.TrainingScheduledAfterDays + b.TrainingStartsAfterDays);
                // About 35 hours of training a week.
                var end = start.AddDays(Math.Max(14, b.TrainingHours / 35 * 7));
                At(a, opened.AddDays(b.TrainingScheduledAfterDays), new Send(id, ContractTrigger.TrainingScheduled,
                    new() { ["start"] = IsoDate(start), ["end"] = IsoDate(end), ["hours"] = b.TrainingHours },
                    scheduled => { if (scheduled) At(a, end, CompleteTraining(id, end, a)); }));
                break;
            case Tasks.Review when b.ReviewAfterDays is { } days:
                At(a, opened.AddDays(days), new Send(id, ContractTrigger.ReviewCompleted, null));
                break;
            case Tasks.Decision when b.DecisionAfterDays is { } days:
                At(a, opened.AddDays(days), new Decide(id, task.Renewed ? b.DecisionAfterRenewal : b.Decision));
                break;
            case $"{Tasks.Outcome}-6" when b.OutcomeAfterDays is { } days:
                At(a, opened.AddDays(days), new Send(id, ContractTrigger.OutcomeRecorded, new() { ["at"] = "Month6", ["kind"] = b.Outcome6.ToString() }));
                break;
            case $"{Tasks.Outcome}-12" when b.OutcomeAfterDays is { } days:
                At(a, opened.AddDays(days), new Send(id, ContractTrigger.OutcomeRecorded, new() { ["at"] = "Month12", ["kind"] = b.Outcome12.ToString() }));
                break;
        }
    }

    Send CompleteTraining(Guid id, DateOnly end, SimAdvisor a) =>
        new(id, ContractTrigger.TrainingCompleted, new() { ["completedOn"] = IsoDate(end) }, completed =>
        {
            if (!completed) return;
            var b = a.Behaviour;
            if (b.PixPassedAfterDays is { } pix) At(a, end.AddDays(pix), new Send(id, ContractTrigger.ExamPassed, new() { ["exam"] = "Pix" }));
            if (b.FailsCcp1First) At(a, end.AddDays(15), new Send(id, ContractTrigger.ExamFailed, new() { ["exam"] = "Ccp1" }));
            if (b.Ccp1PassedAfterDays is { } ccp1) At(a, end.AddDays(ccp1), new Send(id, ContractTrigger.ExamPassed, new() { ["exam"] = "Ccp1" }));
        });

    /// <summary>
    /// The decision's signal, from the contract as it stands (a renewal's new end). A renewal the law refuses
    /// (a private CDD past 18 months) ends as a non-renewal: that second signal comes next, before the advisor's other actions.
    /// </summary>
    async Task<Send?> DecisionAsync(Decide decide, SimAdvisor a, LinkedList<Act> rest, CancellationToken ct)
    {
        var payload = new JsonObject { ["kind"] = decide.Kind.ToString(), ["reason"] = "Décision de la structure" };
        // Only a renewal reads the contract as it stands (its end, amendments included): the other decisions need no round trip.
        if (decide.Kind == DecisionKind.Renewal)
        {
            var instance = await _engine.GetAsync(decide.Instance, ct);
            if (instance is null) return null;
            if (WorkflowJson.Deserialize<AdvisorContractData>(instance.Data).Contract.EffectiveEnd is { } currentEnd)
                payload["newEnd"] = IsoDate(DateMath.AddMonths(currentEnd, a.Behaviour.RenewalMonths));
        }
        return new Send(decide.Instance, ContractTrigger.Decide, payload, decided =>
        {
            if (!decided && decide.Kind != DecisionKind.NotRetained)
                rest.AddFirst(new Send(decide.Instance, ContractTrigger.Decide,
                    new JsonObject { ["kind"] = nameof(DecisionKind.NotRetained), ["reason"] = "Renouvellement impossible" }));
        });
    }

    static string Actor(SimAdvisor a) => $"hr:{a.Structure.HrEmail}";

}
