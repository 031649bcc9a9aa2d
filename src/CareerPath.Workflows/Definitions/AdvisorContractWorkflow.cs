using System.Text.Json.Nodes;
using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;
using CareerPath.Domain.Planning;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using CareerPath.Workflows.Records;
using Npgsql;
using Stateless;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Workflows.Definitions;

public enum ContractState
{
    Created, Recruited,
    Running, TrialPeriod, InitialTraining, AwaitingCertification, Active, MidContractReview, DecisionPending,
    Hired, Renewed, NotRetained, Ended, EarlyTerminated, TrialFailed, FollowUp, Closed,
}

public enum ContractTrigger
{
    Start, ContractStarted, TrialEnded, TrialFailed, TrainingStartDue, TrainingScheduled, TrainingCompleted,
    ExamPassed, ExamFailed, CertificationDeadline, ThematicModuleDue, ThematicModuleCompleted,
    MidContractReviewDue, ReviewCompleted, DecisionReminder, NoticeDeadline, Decide, AmendContract, FundingChanged, FundingEnded,
    EarlyTerminate, ContractEnded, FollowUpDue, FinalFollowUpDue, OutcomeRecorded,
    /// <summary>
    /// Internal: the advisor's career changed (an earlier contract amended or ended early, or recorded after this one),
    /// or CareerPath was upgraded (migration 0005): this contract's deadlines are planned again from the records.
    /// </summary>
    CareerChanged,
}

/// <summary>
/// advisor-contract: one instance per contract, from recruitment to the follow-up a year after it
/// ends. The running states share one superstate (Running) so that contract-wide events — an
/// amendment, the review, the decision reminders, an early end — are handled whatever the training stage.
/// </summary>
public sealed class AdvisorContractWorkflow : WorkflowDefinition<ContractState, ContractTrigger, AdvisorContractData>
{
    public const string DefinitionId = "advisor-contract";

    public override string Id => DefinitionId;
    protected override ContractState Created => ContractState.Created;
    protected override ContractTrigger Start => ContractTrigger.Start;
    protected override IReadOnlySet<ContractState> Final { get; } = new HashSet<ContractState> { ContractState.Closed };

    static readonly ContractState[] AfterDecision = [ContractState.Hired, ContractState.Renewed, ContractState.NotRetained];
    static readonly ContractState[] Left = [ContractState.Ended, ContractState.EarlyTerminated, ContractState.TrialFailed];

    protected override void Configure(StateMachine<ContractState, ContractTrigger> m, TransitionContext<AdvisorContractData> ctx)
    {
        m.Configure(ContractState.Created)
            .Permit(ContractTrigger.Start, ContractState.Recruited)
            .OnExit(() =>
            {
                // Nothing is armed from facts the rules would refuse: a bad import fails whole, with the rule's words.
                if (ctx.Data.Contract is null || ctx.Data.Advisor is null)
                    throw new WorkflowInputException("Un contrat démarre avec son contrat et son conseiller.");
                var errors = ctx.Data.Contract.Validate().Concat(ctx.Data.Advisor.Validate()).ToList();
                if (errors.Count > 0) throw new WorkflowInputException(string.Join(" ", errors.Select(e => e.Message)), errors[0].RuleId);
                CheckPrivateCddSuccession(ctx.Data);
            });

        m.Configure(ContractState.Recruited)
            .OnEntryFrom(ContractTrigger.Start, () =>
            {
                ctx.Record(new SignalSubject(PostFundingWorkflow.DefinitionId, ctx.Data.Contract.PostId, nameof(PostTrigger.AdvisorHired),
                    new JsonObject { ["contractId"] = ctx.Data.Contract.Id.ToString() }));
                Notify(ctx, Role.Advisor, Templates.Welcome, "start", new WelcomeMail(ctx.Data.Contract.Start));
                // Recorded after a later contract of the advisor (an import listing the newest first, a contract
                // entered late): that one counts this one now, so its deadlines are planned again.
                ReplanLaterContracts(ctx);
            })
            .PermitDynamic(ContractTrigger.ContractStarted, () => FirstRunningState(ctx.Data))
            .InternalTransition(ContractTrigger.AmendContract, () => Amend(ctx))
            .InternalTransition(ContractTrigger.FundingChanged, () => ctx.Data.Post = ctx.Arg<FundedPost>("post"))
            .InternalTransition(ContractTrigger.CareerChanged, () => CareerChanged(ctx))
            .Permit(ContractTrigger.EarlyTerminate, ContractState.EarlyTerminated);

        // Contract-wide events, whatever the stage.
        m.Configure(ContractState.Running)
            .InternalTransition(ContractTrigger.AmendContract, () => Amend(ctx))
            .InternalTransition(ContractTrigger.CareerChanged, () => CareerChanged(ctx))
            .InternalTransition(ContractTrigger.FundingChanged, () => ctx.Data.Post = ctx.Arg<FundedPost>("post"))
            .InternalTransition(ContractTrigger.TrainingScheduled, () => ScheduleTraining(ctx))
            .InternalTransition(ContractTrigger.TrainingCompleted, () => CompleteTraining(ctx))
            .InternalTransition(ContractTrigger.ExamPassed, () => RecordExam(ctx, passed: true))
            .InternalTransition(ContractTrigger.ExamFailed, () => RecordExam(ctx, passed: false))
            .InternalTransition(ContractTrigger.TrainingStartDue, () =>
            {
                if (ctx.Data.InitialTraining is null)
                    Notify(ctx, Role.Hr, Templates.TrainingStart, "training-start", new TrainingStartMail(TimerDate(ctx)));
            })
            .InternalTransition(ContractTrigger.CertificationDeadline, () => CertificationDeadlineReached(ctx))
            .InternalTransition(ContractTrigger.ThematicModuleDue, () => Notify(ctx, Role.Advisor, Templates.ThematicModuleDue,
                ctx.Arg<string>("timer"), new DueOnMail(TimerDate(ctx))))
            .InternalTransition(ContractTrigger.ThematicModuleCompleted, () => RecordThematicModule(ctx))
            // A review recorded after a reminder moved the contract on still closes its task.
            .InternalTransition(ContractTrigger.ReviewCompleted, () => ctx.Record(new CloseTasks(Tasks.Review, Completed: true, "Réalisé")))
            .Permit(ContractTrigger.MidContractReviewDue, ContractState.MidContractReview)
            .Permit(ContractTrigger.DecisionReminder, ContractState.DecisionPending)
            .InternalTransition(ContractTrigger.NoticeDeadline, () => NoticeDeadlineReached(ctx))
            .PermitDynamic(ContractTrigger.Decide, () => Decide(ctx))
            .Permit(ContractTrigger.EarlyTerminate, ContractState.EarlyTerminated)
            .Permit(ContractTrigger.ContractEnded, ContractState.Ended)
            // An open-ended contract has no decision to take: when the post's funding ends, the structure
            // keeps the advisor on its own budget, and this workflow's job is done.
            .PermitIf(ContractTrigger.FundingEnded, ContractState.Closed, () => ctx.Data.Contract.EffectiveEnd is null, "un CDI seulement")
            .IgnoreIf(ContractTrigger.FundingEnded, () => ctx.Data.Contract.EffectiveEnd is not null);

        m.Configure(ContractState.TrialPeriod)
            .SubstateOf(ContractState.Running)
            .PermitDynamic(ContractTrigger.TrialEnded, () => ctx.Data.InitialTrainingDone ? ContractState.Active : ContractState.InitialTraining)
            .Permit(ContractTrigger.TrialFailed, ContractState.TrialFailed);

        m.Configure(ContractState.InitialTraining)
            .SubstateOf(ContractState.Running)
            .OnEntry(() =>
            {
                if (ctx.Data.InitialTraining is null)
                    ctx.Record(new OpenTask(Tasks.ScheduleTraining, Role.Hr, $"Inscrire {ctx.Data.Advisor.FullName} à la formation initiale",
                        ctx.Today.AddDays(14), ctx.Today.AddDays(30)));
            })
            .PermitIf(ContractTrigger.TrainingCompleted, ContractState.AwaitingCertification, () => ctx.Data.InitialTraining is not null,
                "la formation initiale doit d'abord être programmée");

        m.Configure(ContractState.AwaitingCertification)
            .SubstateOf(ContractState.Running)
            .OnEntryFrom(ContractTrigger.TrainingCompleted, () =>
            {
                CompleteTraining(ctx);
                AssignExams(ctx);
            })
            .PermitIf(ContractTrigger.ExamPassed, ContractState.Active, () => PassingCompletesCertification(ctx), "les deux examens sont réussis")
            .InternalTransitionIf(ContractTrigger.ExamPassed, _ => !PassingCompletesCertification(ctx), _ => RecordExam(ctx, passed: true), "un examen reste à réussir");

        m.Configure(ContractState.Active)
            .SubstateOf(ContractState.Running)
            .OnEntryFrom(ContractTrigger.ExamPassed, () => RecordExam(ctx, passed: true));

        m.Configure(ContractState.MidContractReview)
            .SubstateOf(ContractState.Running)
            .OnEntry(() =>
            {
                ctx.Data.MidContractReviewOpenedOn = TimerDate(ctx);
                ctx.Record(new OpenTask(Tasks.Review, Role.Hr, $"Entretien de mi-parcours de {ctx.Data.Advisor.FullName}", TimerDate(ctx).AddDays(30), TimerDate(ctx).AddDays(45)));
                Notify(ctx, Role.Hr, Templates.MidContractReview, "review", new DueOnMail(TimerDate(ctx)));
            })
            .Ignore(ContractTrigger.MidContractReviewDue)
            .Permit(ContractTrigger.ReviewCompleted, ContractState.Active)
            .OnExit(t =>
            {
                if (t.Trigger == ContractTrigger.ReviewCompleted) ctx.Record(new CloseTasks(Tasks.Review, Completed: true, "Réalisé"));
            });

        m.Configure(ContractState.DecisionPending)
            .SubstateOf(ContractState.Running)
            .OnEntry(() =>
            {
                var due = DecisionDue(ctx.Data);
                ctx.Record(new OpenTask(Tasks.Decision, Role.Hr, $"Décision sur la suite du contrat de {ctx.Data.Advisor.FullName}", due.Date, due.Date));
                DecisionReminder(ctx);
            })
            .InternalTransition(ContractTrigger.DecisionReminder, () => DecisionReminder(ctx))
            .Ignore(ContractTrigger.MidContractReviewDue);

        foreach (var decided in AfterDecision)
        {
            m.Configure(decided)
                .OnEntryFrom(ContractTrigger.Decide, () => RecordDecision(ctx, decided))
                .Permit(ContractTrigger.EarlyTerminate, ContractState.EarlyTerminated)
                .InternalTransition(ContractTrigger.AmendContract, () => Amend(ctx))
                .Ignore(ContractTrigger.DecisionReminder)
                .Ignore(ContractTrigger.NoticeDeadline)
                .Ignore(ContractTrigger.FundingEnded);
        }
        m.Configure(ContractState.Hired).Permit(ContractTrigger.ContractEnded, ContractState.Ended);
        m.Configure(ContractState.NotRetained).Permit(ContractTrigger.ContractEnded, ContractState.Ended);
        // The advisor carries on under the renewed contract's own instance.
        m.Configure(ContractState.Renewed).Permit(ContractTrigger.ContractEnded, ContractState.Closed);

        m.Configure(ContractState.Ended)
            .OnEntry(() => ContractLeft(ctx, ctx.Data.Contract.ActualEnd!.Value))
            .OnEntryFrom(ContractTrigger.ContractEnded, () =>
            {
                if (ctx.Data.Decision is null) ctx.Record(new Remark("Contrat arrivé à son terme sans décision enregistrée."));
            });
        m.Configure(ContractState.EarlyTerminated)
            .OnEntryFrom(ContractTrigger.EarlyTerminate, () => Terminate(ctx, TerminationReason.Other));
        m.Configure(ContractState.TrialFailed)
            .OnEntryFrom(ContractTrigger.TrialFailed, () =>
            {
                ctx.Data.TrialFailed = true;
                Terminate(ctx, TerminationReason.TrialFailed);
            });
        foreach (var left in Left)
            m.Configure(left)
                .Permit(ContractTrigger.FollowUpDue, ContractState.FollowUp)
                .InternalTransition(ContractTrigger.OutcomeRecorded, () => RecordOutcome(ctx));

        m.Configure(ContractState.FollowUp)
            .OnEntry(() => AskOutcome(ctx, FollowUpPoint.Month6))
            .InternalTransition(ContractTrigger.OutcomeRecorded, () => RecordOutcome(ctx))
            .Permit(ContractTrigger.FinalFollowUpDue, ContractState.Closed);

        m.Configure(ContractState.Closed)
            .OnEntryFrom(ContractTrigger.FinalFollowUpDue, () => AskOutcome(ctx, FollowUpPoint.Month12))
            .OnEntryFrom(ContractTrigger.FundingEnded, () =>
            {
                ctx.Data.Outcomes.Add(new Outcome(ctx.Data.Contract.Id, FollowUpPoint.Month6, OutcomeKind.HiredByStructure, ctx.Today));
                ctx.Record(new Remark("Fin du financement : le conseiller en CDI reste en poste à la charge de la structure."));
                ctx.Record(new SignalSubject(PostFundingWorkflow.DefinitionId, ctx.Data.Contract.PostId, nameof(PostTrigger.AdvisorHiredPermanently),
                    new JsonObject { ["contractId"] = ctx.Data.Contract.Id.ToString() }));
            })
            .InternalTransition(ContractTrigger.OutcomeRecorded, () => RecordOutcome(ctx));
    }

    // ---- the records: read before each transition, written after it ----

    /// <summary>Each instance's advisor's other contracts with the same employer, for all the rows in one query.</summary>
    public override async Task<IReadOnlyDictionary<Guid, object>> ReadRecordsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx,
        IReadOnlyList<InstanceRow> rows, CancellationToken ct)
    {
        var subjects = rows.Select(r => (Row: r, Contract: ContractOf(r.Data))).Where(x => x.Contract is not null).ToList();
        if (subjects.Count == 0) return new Dictionary<Guid, object>();
        var careers = await ContractRecords.CareersAsync(conn, tx, subjects.Select(x => x.Contract!.Value.AdvisorId).ToList(), ct);
        return subjects.ToDictionary(x => x.Row.Id,
            x => (object)ContractRecords.OthersWithEmployer(careers, x.Contract!.Value.AdvisorId, x.Row.StructureId, x.Contract.Value.Id));
    }

    /// <summary>The contract and advisor ids of an instance's data, read without building the whole data.</summary>
    static (Guid Id, Guid AdvisorId)? ContractOf(string data)
    {
        using var json = System.Text.Json.JsonDocument.Parse(data);
        return json.RootElement.TryGetProperty("contract", out var c) && c.ValueKind == System.Text.Json.JsonValueKind.Object
               && c.TryGetProperty("id", out var id) && c.TryGetProperty("advisorId", out var advisor)
            ? (id.GetGuid(), advisor.GetGuid())
            : null;
    }

    protected override void Attach(AdvisorContractData data, object? records)
    {
        if (records is IReadOnlyList<Contract> others) data.OtherContracts = others;
    }

    /// <summary>The contract's record: its dates, amendments, early end and decision.</summary>
    protected override IEnumerable<RecordWrite> Project(AdvisorContractData d)
    {
        if (d.Contract is null) yield break;
        yield return new ContractRecord(d.Contract, d.Decision is { } decision
            ? new DecisionRecord(decision.Kind, decision.Reason, decision.DecidedOn, decision.NotifiedOn, decision.NewEnd, d.DecisionDueOn, d.DecisionLate)
            : null);
    }

    /// <summary>The timers of each state, all from the rules catalogue through the planner.</summary>
    protected override IEnumerable<TimerSpec> Timers(ContractState state, AdvisorContractData data)
    {
        var plan = DeadlinePlanner.Plan(data.Facts);
        switch (state)
        {
            case ContractState.Recruited:
                yield return new(ContractMilestones.StartRule.Id, nameof(ContractTrigger.ContractStarted), ContractMilestones.Start(data.Contract));
                // A contract signed for a later start shows its deadlines from the day it is recorded: those of the
                // state it will start in, all due on or after its first day, so the start timer fires first.
                foreach (var timer in RunningTimers(FirstRunningState(data), data, plan)) yield return timer;
                break;
            case ContractState.TrialPeriod or ContractState.InitialTraining or ContractState.AwaitingCertification
                or ContractState.Active or ContractState.MidContractReview or ContractState.DecisionPending:
                foreach (var timer in RunningTimers(state, data, plan)) yield return timer;
                break;
            case ContractState.Hired or ContractState.Renewed or ContractState.NotRetained:
                foreach (var deadline in plan.Where(x => x.RuleId == EndOfContract.ContractEndRule.Id))
                    yield return new(deadline.Key, nameof(ContractTrigger.ContractEnded), deadline);
                break;
            case ContractState.Ended or ContractState.EarlyTerminated or ContractState.TrialFailed:
                foreach (var deadline in plan.Where(x => x.RuleId == EndOfContract.FollowUp6Rule.Id))
                    yield return new(deadline.Key, nameof(ContractTrigger.FollowUpDue), deadline);
                break;
            case ContractState.FollowUp:
                foreach (var deadline in plan.Where(x => x.RuleId == EndOfContract.FollowUp12Rule.Id))
                    yield return new(deadline.Key, nameof(ContractTrigger.FinalFollowUpDue), deadline);
                break;
        }
    }

    static IEnumerable<TimerSpec> RunningTimers(ContractState state, AdvisorContractData data, IReadOnlyList<Deadline> plan)
    {
        if (data.InitialTraining is null && data.Contract.PreviousContractId is null)
            yield return new(ContractMilestones.TrainingStartRule.Id, nameof(ContractTrigger.TrainingStartDue), ContractMilestones.TrainingStartDue(data.Contract));
        // A renewed contract inherits its predecessor's training dates: what fell due before it
        // started was that contract's business, already reminded there.
        foreach (var deadline in plan.Where(x => x.Date >= data.Contract.Start))
        {
            if (RunningTrigger(deadline, state, data) is { } trigger) yield return new(deadline.Key, trigger.ToString(), deadline);
        }
    }

    /// <summary>Where ContractStarted leads: a first contract starts with its trial period, a renewal carries on its training.</summary>
    static ContractState FirstRunningState(AdvisorContractData d) => d.Contract.PreviousContractId is null
        ? ContractState.TrialPeriod
        : d.InitialTrainingDone ? ContractState.Active : ContractState.InitialTraining;

    static readonly HashSet<string> TrialRules = [PublicTrialPeriod.Rule.Id, PrivateTrialPeriod.CddRule.Id, PrivateTrialPeriod.CdiRule.Id];
    internal static readonly HashSet<string> NoticeRules = [PublicContractNotice.Rule.Id, ContratDeProjetRules.NoticeRule.Id];

    /// <summary>The trigger a running contract's deadline fires, by the rule that computed it (rule ids come from the rules).</summary>
    static ContractTrigger? RunningTrigger(Deadline deadline, ContractState state, AdvisorContractData data)
    {
        var rule = deadline.RuleId;
        if (TrialRules.Contains(rule)) return state == ContractState.TrialPeriod ? ContractTrigger.TrialEnded : null;
        // Once held (or opened), the review is not asked again when an amendment moves the midpoint.
        if (rule == MidContractReviewRule.Rule.Id) return data.MidContractReviewOpenedOn is null ? ContractTrigger.MidContractReviewDue : null;
        if (rule == DecisionReminders.Rule.Id) return data.Decision is null ? ContractTrigger.DecisionReminder : null;
        if (NoticeRules.Contains(rule)) return data.Decision is null ? ContractTrigger.NoticeDeadline : null;
        if (rule == CertificationDeadline.Rule.Id) return data.CertificationDone ? null : ContractTrigger.CertificationDeadline;
        if (rule == ThematicModules.Rule.Id) return ContractTrigger.ThematicModuleDue;
        return rule == EndOfContract.ContractEndRule.Id ? ContractTrigger.ContractEnded : null;
    }

    // ---- actions: they change the data and record effects, nothing else ----

    static void Amend(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        var newEnd = ctx.Arg<DateOnly>("newEnd");
        var reason = ctx.Arg<string>("reason");
        var effectiveOn = ctx.OptionalArg<DateOnly?>("effectiveOn") ?? ctx.Today;
        if (d.Contract.Type == ContractType.Cdi)
            throw new WorkflowInputException("Un CDI n'a pas de date de fin à modifier.");
        if (newEnd < d.Contract.Start || newEnd < effectiveOn)
            throw new WorkflowInputException($"La nouvelle fin ({IsoDate(newEnd)}) précède le début du contrat ou la date d'effet de l'avenant.");
        Refuse(PrivateCddLimits.CheckAmendment(d.Contract, newEnd, PrivateCddLimits.EarlierInSuccession(d.Contract, d.OtherContracts)));
        if (d.Contract.Type == ContractType.ContratDeProjet)
            Refuse(ContratDeProjetRules.CheckDuration(d.Contract.Regime, d.Contract.Start, newEnd));
        d.Contract = d.Contract with
        {
            Amendments = [.. d.Contract.Amendments, new ContractAmendment(Guid.CreateVersion7(ctx.Now), effectiveOn, newEnd, reason)],
        };
        ctx.Record(new Remark($"Avenant : fin du contrat au {IsoDate(newEnd)} ({reason})."));
        ReplanLaterContracts(ctx);
    }

    /// <summary>
    /// Whatever the way in (API, import, renewal, simulator), a private CDD is checked with the advisor's other
    /// contracts as the records hold them: a CDD signed in succession on the same post counts towards the 18 months
    /// (Code du travail L1242-8-1, L1244-3), whether it is this one's predecessor or, recorded before it, its successor.
    /// </summary>
    static void CheckPrivateCddSuccession(AdvisorContractData d)
    {
        if (d.Contract is { Type: ContractType.Cdd, Regime: LegalRegime.Private, EffectiveEnd: { } end })
            Refuse(PrivateCddLimits.CheckAmendment(d.Contract, end, PrivateCddLimits.EarlierInSuccession(d.Contract, d.OtherContracts)));
        foreach (var later in d.LaterContracts.Where(c => c is { Type: ContractType.Cdd, Regime: LegalRegime.Private, EffectiveEnd: not null }))
        {
            var succession = PrivateCddLimits.EarlierInSuccession(later, d.OtherContracts.Where(c => c.Id != later.Id).Append(d.Contract));
            if (succession.Any(c => c.Id == d.Contract.Id))
                Refuse(PrivateCddLimits.CheckAmendment(later, later.EffectiveEnd!.Value, succession));
        }
    }

    /// <summary>An earlier contract's end counts in the later ones' cumulated service: they plan their deadlines again.</summary>
    static void ReplanLaterContracts(TransitionContext<AdvisorContractData> ctx)
    {
        foreach (var later in ctx.Data.LaterContracts)
            ctx.Record(new SignalSubject(DefinitionId, later.Id, nameof(ContractTrigger.CareerChanged),
                new JsonObject { ["contractId"] = ctx.Data.Contract.Id.ToString() }));
    }

    /// <summary>Nothing to change in this contract's data: its timers are planned again from the records after every transition.</summary>
    static void CareerChanged(TransitionContext<AdvisorContractData> ctx) =>
        ctx.Record(new Remark(ctx.OptionalArg<string>("contractId") is { } other
            ? $"Un autre contrat du conseiller ({other}) a changé : échéances recalculées."
            : "Échéances recalculées à partir des registres (mise à jour de CareerPath)."));

    static void Refuse(Verdict verdict)
    {
        if (!verdict.Allowed) throw new WorkflowInputException(verdict.Message, verdict.RuleId);
    }

    static void ScheduleTraining(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        var start = ctx.Arg<DateOnly>("start");
        var end = ctx.Arg<DateOnly>("end");
        var hours = ctx.Arg<int>("hours");
        var training = new TrainingAssignment(Guid.CreateVersion7(ctx.Now), d.Advisor.Id, TrainingModuleKind.InitialTraining,
            ctx.OptionalArg<string>("title") ?? "Formation initiale Conseiller numérique", hours, start, end, end);
        var errors = training.Validate();
        if (errors.Count > 0) throw new WorkflowInputException(string.Join(" ", errors.Select(e => e.Message)), errors[0].RuleId);
        d.Trainings.RemoveAll(t => t.Kind == TrainingModuleKind.InitialTraining && t.CompletedOn is null);
        d.Trainings.Add(training);
        ctx.Record(new CloseTasks(Tasks.ScheduleTraining, Completed: true, "Programmée"));
        Notify(ctx, Role.Advisor, Templates.Milestones, $"training:{start:yyyyMMdd}:{end:yyyyMMdd}", new TrainingScheduledMail(start, end, hours));
    }

    static void CompleteTraining(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        var initial = d.InitialTraining ?? throw new WorkflowInputException("Aucune formation initiale n'est programmée.");
        var on = ctx.OptionalArg<DateOnly?>("completedOn") ?? ctx.Today;
        if (on < initial.Start) throw new WorkflowInputException("Une formation ne peut pas être terminée avant d'avoir commencé.");
        d.Trainings[d.Trainings.IndexOf(initial)] = initial with { CompletedOn = on, End = on };
    }

    static void AssignExams(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        var trainingEnd = d.InitialTraining!.CompletedOn!.Value;
        foreach (var exam in new[] { TrainingModuleKind.Ccp1Exam, TrainingModuleKind.PixExam })
        {
            if (d.Trainings.Any(t => t.Kind == exam)) continue;
            var due = CertificationDeadline.Compute(trainingEnd, exam);
            d.Trainings.Add(new TrainingAssignment(Guid.CreateVersion7(ctx.Now), d.Advisor.Id, exam, due.Label, 0, trainingEnd, null, due.Date));
        }
        var deadline = CertificationDeadline.Compute(trainingEnd, TrainingModuleKind.Ccp1Exam);
        Notify(ctx, Role.Advisor, Templates.Milestones, $"exams:{trainingEnd:yyyyMMdd}", new ExamsDueMail(deadline.Date, deadline.Describe()));
    }

    static TrainingModuleKind ExamOf(TransitionContext<AdvisorContractData> ctx) => ctx.Arg<string>("exam") switch
    {
        "Ccp1" or "Ccp1Exam" => TrainingModuleKind.Ccp1Exam,
        "Pix" or "PixExam" => TrainingModuleKind.PixExam,
        var other => throw new WorkflowInputException($"Examen inconnu « {other} » : attendu Ccp1 ou Pix."),
    };

    static bool PassingCompletesCertification(TransitionContext<AdvisorContractData> ctx)
    {
        var exam = ExamOf(ctx);
        var other = exam == TrainingModuleKind.Ccp1Exam ? TrainingModuleKind.PixExam : TrainingModuleKind.Ccp1Exam;
        return ctx.Data.ExamPassed(other);
    }

    static void RecordExam(TransitionContext<AdvisorContractData> ctx, bool passed)
    {
        var d = ctx.Data;
        var exam = ExamOf(ctx);
        var on = ctx.OptionalArg<DateOnly?>("on") ?? ctx.Today;
        var index = d.Trainings.FindIndex(t => t.Kind == exam && t.Passed != true);
        if (index < 0)
        {
            if (d.ExamPassed(exam)) return; // already recorded as passed: a replay
            d.Trainings.Add(new TrainingAssignment(Guid.CreateVersion7(ctx.Now), d.Advisor.Id, exam, exam.ToString(), 0, on, on, on)
            { CompletedOn = on, Passed = passed });
            return;
        }
        d.Trainings[index] = d.Trainings[index] with { CompletedOn = on, End = on, Passed = passed };
        if (!passed) ctx.Record(new Remark($"Échec à l'examen {exam} le {IsoDate(on)}."));
    }

    static void RecordThematicModule(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        var on = ctx.OptionalArg<DateOnly?>("on") ?? ctx.Today;
        d.Trainings.Add(new TrainingAssignment(Guid.CreateVersion7(ctx.Now), d.Advisor.Id, TrainingModuleKind.Thematic,
            ctx.OptionalArg<string>("title") ?? "Module thématique", ctx.OptionalArg<int?>("hours") ?? 0, on, on, on) { CompletedOn = on, Passed = true });
    }

    static void CertificationDeadlineReached(TransitionContext<AdvisorContractData> ctx)
    {
        if (ctx.Data.CertificationDone) return;
        ctx.Record(new Remark("Certification non obtenue à l'échéance."));
        Notify(ctx, Role.Advisor, Templates.CertificationDeadline, ctx.Arg<string>("timer"), new DueOnMail(TimerDate(ctx)));
        Notify(ctx, Role.Hr, Templates.CertificationDeadline, ctx.Arg<string>("timer"), new DueOnMail(TimerDate(ctx)));
    }

    /// <summary>The date the decision must be notified by: the legal notice deadline, else the contract's end.</summary>
    internal static Deadline DecisionDue(AdvisorContractData d)
    {
        var plan = DeadlinePlanner.Plan(d.Facts);
        return plan.FirstOrDefault(x => NoticeRules.Contains(x.RuleId))
            ?? plan.First(x => x.RuleId == EndOfContract.ContractEndRule.Id);
    }

    static void DecisionReminder(TransitionContext<AdvisorContractData> ctx)
    {
        var due = DecisionDue(ctx.Data);
        var occasion = ctx.OptionalArg<string>("timer") ?? $"reminder:{ctx.Today:yyyyMMdd}";
        Notify(ctx, Role.Hr, Templates.DecisionReminder, $"{occasion}:{due.Date:yyyyMMdd}", NoticeMail(due, ctx.Data));
    }

    static NoticeDeadlineMail NoticeMail(Deadline due, AdvisorContractData d) =>
        new(due.Date, due.RuleId, due.Explanation.Rule.Source, due.Describe(), d.Contract.EffectiveEnd);

    static void NoticeDeadlineReached(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        if (d.Decision is not null) return;
        d.NoticeDeadlineMissed = true;
        var due = DecisionDue(d);
        ctx.Record(new Remark($"Délai de prévenance dépassé le {IsoDate(due.Date)} sans décision : escalade au référent RH."));
        ctx.Record(new OpenTask(Tasks.Escalation, Role.HrLead, $"Décision en retard pour {d.Advisor.FullName}", d.Contract.EffectiveEnd ?? ctx.Today, null));
        Notify(ctx, Role.HrLead, Templates.DecisionOverdue, $"overdue:{due.Date:yyyyMMdd}", NoticeMail(due, d));
    }

    static ContractState Decide(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        if (d.Contract.EffectiveEnd is null)
            throw new WorkflowInputException("Un CDI n'a pas de fin : il n'y a pas de décision de fin de contrat à prendre.");
        var kind = ctx.Arg<DecisionKind>("kind");
        var reason = ctx.Arg<string>("reason");
        if (string.IsNullOrWhiteSpace(reason)) throw new WorkflowInputException("Le motif de la décision est obligatoire.");
        var newEnd = ctx.OptionalArg<DateOnly?>("newEnd");
        var decision = new Decision(d.Contract.Id, kind, reason, ctx.Today) { NewEnd = newEnd, NotifiedOn = ctx.OptionalArg<DateOnly?>("notifiedOn") ?? ctx.Today };
        var errors = decision.Validate();
        if (errors.Count > 0) throw new WorkflowInputException(string.Join(" ", errors.Select(e => e.Message)), errors[0].RuleId);
        if (kind == DecisionKind.Renewal)
        {
            var currentEnd = d.Contract.EffectiveEnd ?? throw new WorkflowInputException("Un CDI ne se renouvelle pas.");
            if (newEnd <= currentEnd) throw new WorkflowInputException($"La nouvelle fin ({IsoDate(newEnd)}) doit suivre la fin actuelle ({IsoDate(currentEnd)}).");
            Refuse(PrivateCddLimits.CheckAmendment(d.Contract, newEnd!.Value, PrivateCddLimits.EarlierInSuccession(d.Contract, d.OtherContracts)));
        }
        if (kind == DecisionKind.Titularisation && d.Contract.Regime != LegalRegime.Public)
            throw new WorkflowInputException("La titularisation n'existe que chez un employeur public.");
        d.DecisionDueOn = DecisionDue(d).Date;
        d.DecisionLate = decision.NotifiedOn > d.DecisionDueOn;
        d.Decision = decision;
        return kind switch
        {
            DecisionKind.PermanentHireCdi or DecisionKind.Titularisation => ContractState.Hired,
            DecisionKind.Renewal => ContractState.Renewed,
            _ => ContractState.NotRetained,
        };
    }

    static void RecordDecision(TransitionContext<AdvisorContractData> ctx, ContractState outcome)
    {
        var d = ctx.Data;
        var decision = d.Decision!;
        var due = DecisionDue(d);
        ctx.Record(new CloseTasks(Tasks.Decision, Completed: true, decision.Kind.ToString()));
        ctx.Record(new CloseTasks(Tasks.Escalation, Completed: true, decision.Kind.ToString()));
        // The audit log is for unions too: no name, no free text, only facts.
        ctx.Record(new AuditDecision(decision.Kind.ToString(), new JsonObject
        {
            ["contractId"] = d.Contract.Id.ToString(),
            ["advisorId"] = d.Advisor.Id.ToString(),
            ["structureId"] = d.StructureId.ToString(),
            ["decidedOn"] = IsoDate(decision.DecidedOn),
            ["notifiedOn"] = IsoDate(decision.NotifiedOn),
            ["noticeDeadline"] = IsoDate(due.Date),
            ["noticeRule"] = due.RuleId,
            ["late"] = d.DecisionLate,
            ["newEnd"] = decision.NewEnd is { } e ? IsoDate(e) : null,
        }));
        if (d.DecisionLate) ctx.Record(new Remark($"Décision notifiée après le délai de prévenance ({IsoDate(due.Date)})."));
        // The advisor and the HR lead learn of it, with the date it had to be notified by and whether it was.
        var mail = new DecisionRecordedMail(decision.Kind, decision.DecidedOn, decision.NotifiedOn ?? decision.DecidedOn, due.Date, d.DecisionLate,
            decision.NewEnd, due.Explanation.Rule.Source);
        Notify(ctx, Role.Advisor, Templates.DecisionRecorded, "decision", mail);
        Notify(ctx, Role.HrLead, Templates.DecisionRecorded, "decision", mail);
        if (outcome == ContractState.Hired)
            ctx.Record(new SignalSubject(PostFundingWorkflow.DefinitionId, d.Contract.PostId, nameof(PostTrigger.AdvisorHiredPermanently),
                new JsonObject { ["contractId"] = d.Contract.Id.ToString() }));
        if (outcome == ContractState.Renewed) StartRenewal(ctx);
    }

    static void StartRenewal(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        var end = d.Contract.EffectiveEnd!.Value;
        var next = new Contract(Guid.CreateVersion7(ctx.Now), d.Contract.AdvisorId, d.Contract.PostId, d.Contract.Type, d.Contract.Regime,
            end.AddDays(1), d.Decision!.NewEnd) { PreviousContractId = d.Contract.Id };
        var data = new AdvisorContractData
        {
            Contract = next,
            Advisor = d.Advisor,
            StructureId = d.StructureId,
            StructureName = d.StructureName,
            HrEmail = d.HrEmail,
            HrLeadEmail = d.HrLeadEmail,
            Post = d.Post,
            Trainings = d.Trainings,
            ReminderOffsetsInDays = d.ReminderOffsetsInDays,
        };
        ctx.Record(new StartInstance(DefinitionId, next.Id, d.StructureId, WorkflowJson.ToObject(data)));
    }

    static void Terminate(TransitionContext<AdvisorContractData> ctx, TerminationReason fallback)
    {
        var d = ctx.Data;
        var on = ctx.OptionalArg<DateOnly?>("date") ?? ctx.Today;
        var reason = fallback == TerminationReason.TrialFailed ? fallback : ctx.OptionalArg<TerminationReason?>("reason") ?? fallback;
        if (on < d.Contract.Start || (d.Contract.EffectiveEnd is { } end && on > end))
            throw new WorkflowInputException($"La date de fin anticipée ({IsoDate(on)}) doit tomber pendant le contrat.");
        d.Contract = d.Contract with { EarlyTermination = new EarlyTermination(on, reason, ctx.OptionalArg<string>("note")) };
        ctx.Record(new CloseTasks(Tasks.Decision, Completed: false));
        ctx.Record(new CloseTasks(Tasks.Review, Completed: false));
        ctx.Record(new CloseTasks(Tasks.ScheduleTraining, Completed: false));
        ctx.Record(new Remark($"Fin anticipée le {IsoDate(on)} ({FrenchTerms.Describe(reason)})."));
        ContractLeft(ctx, on);
        ReplanLaterContracts(ctx);
    }

    static void ContractLeft(TransitionContext<AdvisorContractData> ctx, DateOnly endedOn) =>
        ctx.Record(new SignalSubject(PostFundingWorkflow.DefinitionId, ctx.Data.Contract.PostId, nameof(PostTrigger.ContractEnded),
            new JsonObject { ["contractId"] = ctx.Data.Contract.Id.ToString(), ["endedOn"] = IsoDate(endedOn) }));

    static void AskOutcome(TransitionContext<AdvisorContractData> ctx, FollowUpPoint point)
    {
        var months = point == FollowUpPoint.Month6 ? 6 : 12;
        ctx.Record(new OpenTask($"{Tasks.Outcome}-{months}", Role.Hr, $"Situation de {ctx.Data.Advisor.FullName} {months} mois après le contrat", ctx.Today.AddDays(30), null));
        Notify(ctx, Role.Hr, Templates.FollowUp, $"followup-{months}", new FollowUpMail(months, ctx.Data.Contract.ActualEnd));
    }

    static void RecordOutcome(TransitionContext<AdvisorContractData> ctx)
    {
        var d = ctx.Data;
        var at = ctx.Arg<FollowUpPoint>("at");
        var kind = ctx.Arg<OutcomeKind>("kind");
        d.Outcomes.RemoveAll(o => o.At == at);
        d.Outcomes.Add(new Outcome(d.Contract.Id, at, kind, ctx.Today));
        ctx.Record(new CloseTasks($"{Tasks.Outcome}-{(at == FollowUpPoint.Month6 ? 6 : 12)}", Completed: true, kind.ToString()));
    }

    // ---- notifications ----

    static void Notify(TransitionContext<AdvisorContractData> ctx, string role, string template, string occasion, MailData mail)
    {
        var d = ctx.Data;
        var address = role switch
        {
            Role.Advisor => d.Advisor.WorkEmail,
            Role.HrLead => string.IsNullOrEmpty(d.HrLeadEmail) ? d.HrEmail : d.HrLeadEmail,
            _ => d.HrEmail,
        };
        var subject = new ContractMailSubject(d.Advisor.FullName, d.StructureName, $"/contracts/{d.Contract.Id}", d.Contract.Id.ToString());
        ctx.Record(new Notify(role, address, template, MailData.Combine(subject, mail), $"{ctx.InstanceId}:{template}:{role}:{occasion}"));
    }

    /// <summary>The day the firing timer was due (a sweep may run later, e.g. after downtime); today for a person's signal.</summary>
    static DateOnly TimerDate(TransitionContext<AdvisorContractData> ctx) => ctx.OptionalArg<DateOnly?>("dueOn") ?? ctx.Today;

}
