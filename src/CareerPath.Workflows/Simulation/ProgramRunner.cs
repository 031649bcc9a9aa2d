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
    readonly PriorityQueue<Step, (DateTimeOffset, long)> _queue = new();
    readonly Dictionary<Guid, SimAdvisor> _byAdvisorId;
    readonly HashSet<Guid> _seenTasks = [];
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
            At(a, granted, () => StartPostAsync(a));
            var signed = a.Contract.Start.AddDays(-20);
            At(a, signed > granted ? signed : granted, () => StartContractAsync(a));
        }
    }

    /// <summary>Called after each step with the simulated day, for progress display.</summary>
    public Action<DateOnly>? Progress { get; init; }

    sealed record Step(int Advisor, Func<Task> Run);

    /// <summary>Runs until nothing is left to do, or until <paramref name="until"/> when given.</summary>
    public async Task RunAsync(DateTimeOffset? until = null, CancellationToken ct = default)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var nextTimer = await NextTimerAsync(ct);
            DateTimeOffset? nextAction;
            lock (_queue) nextAction = _queue.TryPeek(out _, out var key) ? key.Item1 : null;
            var next = Min(nextTimer, nextAction);
            if (next is null || (until is { } u && next > u))
            {
                if (until is { } end) _clock.Set(end);
                return;
            }
            _clock.Set(next.Value);
            if (nextTimer is { } t && t <= _clock.GetUtcNow())
                await _sweeper.SweepOnceAsync(ct);
            // Different advisors act independently: one advisor's steps run in order, several
            // advisors' at once (each advisor has its own post and contracts, so they never touch the same instance).
            var due = new List<Step>();
            lock (_queue)
                while (_queue.TryPeek(out _, out var k) && k.Item1 <= _clock.GetUtcNow()) due.Add(_queue.Dequeue());
            await Parallel.ForEachAsync(due.GroupBy(step => step.Advisor), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
                async (steps, _) => { foreach (var step in steps) await step.Run(); });
            await ReactToNewTasksAsync(ct);
            Progress?.Invoke(WorkflowEngine.ParisDate(_clock.GetUtcNow()));
        }
    }

    static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    async Task<DateTimeOffset?> NextTimerAsync(CancellationToken ct)
    {
        await using var conn = await _engine.DataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<DateTimeOffset?>("SELECT min(due_at) FROM workflow_timer WHERE fired_at IS NULL");
    }

    /// <summary>People act at 10:00 on their day, after the 08:00 reminders.</summary>
    void At(SimAdvisor a, DateOnly day, Func<Task> run)
    {
        var instant = WorkflowEngine.DueInstant(day).AddHours(2);
        if (instant < _clock.GetUtcNow()) instant = _clock.GetUtcNow();
        lock (_queue) _queue.Enqueue(new Step(a.Index, run), (instant, _sequence++));
    }

    async Task StartPostAsync(SimAdvisor a)
    {
        var data = new PostFundingData
        {
            Post = a.Post, StructureName = a.Structure.Structure.Name, HrEmail = a.Structure.HrEmail, HrLeadEmail = a.Structure.HrLeadEmail,
        };
        await _engine.StartAsync(new StartRequest(PostFundingWorkflow.DefinitionId, a.Post.Id, a.Structure.Structure.Id, WorkflowJson.ToObject(data), Actor(a)));
    }

    async Task StartContractAsync(SimAdvisor a)
    {
        var data = new AdvisorContractData
        {
            Contract = a.Contract, Advisor = a.Advisor, StructureId = a.Structure.Structure.Id, StructureName = a.Structure.Structure.Name,
            HrEmail = a.Structure.HrEmail, HrLeadEmail = a.Structure.HrLeadEmail, Post = a.Post,
        };
        var id = await _engine.StartAsync(new StartRequest(AdvisorContractWorkflow.DefinitionId, a.Contract.Id, a.Structure.Structure.Id, WorkflowJson.ToObject(data), Actor(a)));
        var b = a.Behaviour;
        if (b.TrialFailsOnDay is { } day)
            At(a, a.Contract.Start.AddDays(day), () => SignalAsync(id, ContractTrigger.TrialFailed, new() { ["date"] = IsoDate(a.Contract.Start.AddDays(day)) }, a));
        else if (b.EarlyEnd is { } early)
            At(a, a.Contract.Start.AddDays(early.Day), () => SignalAsync(id, ContractTrigger.EarlyTerminate,
                new() { ["date"] = IsoDate(a.Contract.Start.AddDays(early.Day)), ["reason"] = early.Reason.ToString() }, a));
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
            if (!_seenTasks.Add(task.Id) || !_byAdvisorId.TryGetValue(task.AdvisorId, out var a)) continue;
            React(task, a);
        }
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
                At(a, opened.AddDays(b.TrainingScheduledAfterDays), async () =>
                {
                    if (await SignalAsync(id, ContractTrigger.TrainingScheduled, new() { ["start"] = IsoDate(start), ["end"] = IsoDate(end), ["hours"] = b.TrainingHours }, a))
                        At(a, end, () => CompleteTrainingAsync(id, end, a));
                });
                break;
            case Tasks.Review when b.ReviewAfterDays is { } days:
                At(a, opened.AddDays(days), () => SignalAsync(id, ContractTrigger.ReviewCompleted, null, a));
                break;
            case Tasks.Decision when b.DecisionAfterDays is { } days:
                At(a, opened.AddDays(days), () => DecideAsync(id, task.Renewed ? b.DecisionAfterRenewal : b.Decision, a));
                break;
            case $"{Tasks.Outcome}-6" when b.OutcomeAfterDays is { } days:
                At(a, opened.AddDays(days), () => SignalAsync(id, ContractTrigger.OutcomeRecorded, new() { ["at"] = "Month6", ["kind"] = b.Outcome6.ToString() }, a));
                break;
            case $"{Tasks.Outcome}-12" when b.OutcomeAfterDays is { } days:
                At(a, opened.AddDays(days), () => SignalAsync(id, ContractTrigger.OutcomeRecorded, new() { ["at"] = "Month12", ["kind"] = b.Outcome12.ToString() }, a));
                break;
        }
    }

    async Task CompleteTrainingAsync(Guid id, DateOnly end, SimAdvisor a)
    {
        if (!await SignalAsync(id, ContractTrigger.TrainingCompleted, new() { ["completedOn"] = IsoDate(end) }, a)) return;
        var b = a.Behaviour;
        if (b.PixPassedAfterDays is { } pix) At(a, end.AddDays(pix), () => SignalAsync(id, ContractTrigger.ExamPassed, new() { ["exam"] = "Pix" }, a));
        if (b.FailsCcp1First) At(a, end.AddDays(15), () => SignalAsync(id, ContractTrigger.ExamFailed, new() { ["exam"] = "Ccp1" }, a));
        if (b.Ccp1PassedAfterDays is { } ccp1) At(a, end.AddDays(ccp1), () => SignalAsync(id, ContractTrigger.ExamPassed, new() { ["exam"] = "Ccp1" }, a));
    }

    async Task DecideAsync(Guid id, DecisionKind kind, SimAdvisor a)
    {
        var instance = await _engine.GetAsync(id);
        if (instance is null) return;
        var contract = WorkflowJson.Deserialize<AdvisorContractData>(instance.Data).Contract;
        var payload = new JsonObject { ["kind"] = kind.ToString(), ["reason"] = "Décision de la structure" };
        if (kind == DecisionKind.Renewal && contract.EffectiveEnd is { } currentEnd)
            payload["newEnd"] = IsoDate(DateMath.AddMonths(currentEnd, a.Behaviour.RenewalMonths));
        // A renewal the law refuses (a private CDD past 18 months) ends as a non-renewal.
        if (!await SignalAsync(id, ContractTrigger.Decide, payload, a) && kind != DecisionKind.NotRetained)
            await SignalAsync(id, ContractTrigger.Decide, new JsonObject { ["kind"] = nameof(DecisionKind.NotRetained), ["reason"] = "Renouvellement impossible" }, a);
    }

    async Task<bool> SignalAsync(Guid id, ContractTrigger trigger, JsonObject? payload, SimAdvisor a)
    {
        try
        {
            await _engine.SignalAsync(new SignalRequest(id, trigger.ToString(), payload, Actor(a)));
            return true;
        }
        catch (Exception e) when (e is TriggerNotPermittedException or WorkflowInputException)
        {
            // The instance moved on (ended early, already decided): what a person would find too.
            return false;
        }
    }

    static string Actor(SimAdvisor a) => $"hr:{a.Structure.HrEmail}";

}
