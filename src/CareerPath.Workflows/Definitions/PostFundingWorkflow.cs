using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CareerPath.Domain.Model;
using CareerPath.Domain.Planning;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Notifications;
using Stateless;
using static CareerPath.Workflows.Engine.WorkflowJson;

namespace CareerPath.Workflows.Definitions;

public enum PostState { Created, Granted, Funded, Recruiting, Occupied, Vacant, Renewed, FundingEnding, FundingEnded, Closed }

public enum PostTrigger
{
    Start, ConventionStarted, AdvisorHired, AdvisorHiredPermanently, ContractEnded, RecruitmentDeadline, RefillDeadline,
    TrancheDue, FundingEndingAlert, FundingEnd, ConventionRenewed, TrancheReceived,
}

/// <summary>What a post-funding instance knows: the post and its conventions, who holds it, whom to tell.</summary>
public sealed class PostFundingData
{
    public FundedPost Post { get; set; } = null!;
    public string StructureName { get; set; } = "";
    public string HrEmail { get; set; } = "";
    public string HrLeadEmail { get; set; } = "";
    public Guid? CurrentContractId { get; set; }
    public DateOnly? LastContractEnd { get; set; }
    public bool PermanentHire { get; set; }
    public bool RecruitmentDeadlineMissed { get; set; }
    public bool RefillDeadlineMissed { get; set; }

    // Computed views, not stored with the data (the post's conventions are already there).
    [JsonIgnore]
    public bool Occupied => CurrentContractId is not null;

    /// <summary>The State convention funding the post now: the latest one.</summary>
    [JsonIgnore]
    public GrantConvention? CurrentConvention => Post.Conventions.Where(c => c.Source == FundingSource.State).MaxBy(c => c.Start);
}

/// <summary>
/// post-funding: one instance per funded post, from the grant to the end of its funding. It hears
/// from advisor-contract when a contract starts or ends on the post, and tells the running contract
/// when its funding changes.
/// </summary>
public sealed class PostFundingWorkflow : WorkflowDefinition<PostState, PostTrigger, PostFundingData>
{
    public const string DefinitionId = "post-funding";

    public override string Id => DefinitionId;
    protected override PostState Created => PostState.Created;
    protected override PostTrigger Start => PostTrigger.Start;
    protected override IReadOnlySet<PostState> Final { get; } = new HashSet<PostState> { PostState.Closed };

    protected override void Configure(StateMachine<PostState, PostTrigger> m, TransitionContext<PostFundingData> ctx)
    {
        m.Configure(PostState.Created)
            .PermitDynamic(PostTrigger.Start, () =>
                ctx.Data.CurrentConvention is { } c && c.Start > ctx.Today ? PostState.Granted : PostState.Recruiting)
            .OnExit(() => Validate(ctx.Data));

        m.Configure(PostState.Granted)
            .Permit(PostTrigger.ConventionStarted, PostState.Recruiting)
            .InternalTransition(PostTrigger.TrancheReceived, () => ReceiveTranche(ctx))
            .Permit(PostTrigger.AdvisorHired, PostState.Occupied)
            .OnExit(t => { if (t.Trigger == PostTrigger.AdvisorHired) Hired(ctx); });

        // Every funded stage hears the same events; the substates differ by what they wait for.
        m.Configure(PostState.Funded)
            .Permit(PostTrigger.AdvisorHired, PostState.Occupied)
            .InternalTransition(PostTrigger.AdvisorHiredPermanently, () => ctx.Data.PermanentHire = true)
            .InternalTransition(PostTrigger.TrancheDue, () => Notify(ctx, Role.Hr, Templates.TrancheDue, ctx.Arg<string>("timer"), new PostReminderMail()))
            .InternalTransition(PostTrigger.TrancheReceived, () => ReceiveTranche(ctx))
            .Permit(PostTrigger.FundingEndingAlert, PostState.FundingEnding)
            // A contract that ends with a permanent hire leaves the advisor in post: not a vacancy.
            .PermitDynamic(PostTrigger.ContractEnded, () => EndsCurrentContract(ctx) && !ctx.Data.PermanentHire ? PostState.Vacant : Current(m))
            .InternalTransition(PostTrigger.ConventionRenewed, () => Renew(ctx))
            .Ignore(PostTrigger.RecruitmentDeadline)
            .Ignore(PostTrigger.RefillDeadline);

        m.Configure(PostState.Recruiting)
            .SubstateOf(PostState.Funded)
            .InternalTransition(PostTrigger.RecruitmentDeadline, () =>
            {
                ctx.Data.RecruitmentDeadlineMissed = true;
                ctx.Record(new Remark("Délai de recrutement dépassé : aucun conseiller recruté 3 mois après l'attribution du poste."));
                Notify(ctx, Role.HrLead, Templates.RecruitmentDeadline, "recruitment", new PostReminderMail());
            });

        m.Configure(PostState.Occupied)
            .SubstateOf(PostState.Funded)
            .OnEntryFrom(PostTrigger.AdvisorHired, () => Hired(ctx))
            .InternalTransition(PostTrigger.AdvisorHired, () => Hired(ctx));

        m.Configure(PostState.Vacant)
            .SubstateOf(PostState.Funded)
            .OnEntry(t =>
            {
                if (t.Trigger == PostTrigger.ContractEnded) Vacate(ctx);
                var refill = StaffingDeadlines.Refill(ctx.Data.LastContractEnd!.Value);
                Notify(ctx, Role.Hr, Templates.PostVacant, $"vacant:{ctx.Data.LastContractEnd:yyyyMMdd}",
                    new PostVacantMail(refill.Date, refill.Describe()));
            })
            .InternalTransition(PostTrigger.RefillDeadline, () =>
            {
                ctx.Data.RefillDeadlineMissed = true;
                ctx.Record(new Remark("Délai pour pourvoir à nouveau le poste dépassé."));
                Notify(ctx, Role.HrLead, Templates.RefillDeadline, $"refill:{ctx.Data.LastContractEnd:yyyyMMdd}", new PostReminderMail());
            });

        m.Configure(PostState.Renewed)
            .SubstateOf(PostState.Funded)
            .OnEntryFrom(PostTrigger.ConventionRenewed, () => Renew(ctx));

        m.Configure(PostState.FundingEnding)
            .OnEntry(() =>
            {
                var end = FundingDeadlines.End(ctx.Data.CurrentConvention!);
                Notify(ctx, Role.Hr, Templates.FundingEnding, $"ending:{end.Date:yyyyMMdd}",
                    new FundingEndingMail(end.Describe()), fundingEnd: end.Date);
            })
            .Permit(PostTrigger.ConventionRenewed, PostState.Renewed)
            .PermitDynamic(PostTrigger.FundingEnd, () => ctx.Data.Occupied && !ctx.Data.PermanentHire ? PostState.FundingEnded : PostState.Closed)
            .InternalTransition(PostTrigger.AdvisorHired, () => Hired(ctx))
            .InternalTransition(PostTrigger.AdvisorHiredPermanently, () => ctx.Data.PermanentHire = true)
            .InternalTransition(PostTrigger.ContractEnded, () => { if (EndsCurrentContract(ctx) && !ctx.Data.PermanentHire) Vacate(ctx); })
            .InternalTransition(PostTrigger.TrancheDue, () => Notify(ctx, Role.Hr, Templates.TrancheDue, ctx.Arg<string>("timer"), new PostReminderMail()))
            .InternalTransition(PostTrigger.TrancheReceived, () => ReceiveTranche(ctx))
            .Ignore(PostTrigger.RecruitmentDeadline)
            .Ignore(PostTrigger.RefillDeadline);

        // Funding is over but an advisor still works on the post under a fixed-term contract: the
        // post closes when that contract ends or turns permanent.
        m.Configure(PostState.FundingEnded)
            .OnEntry(() =>
            {
                ctx.Record(new Remark("Financement terminé ; le contrat en cours continue à la charge de la structure."));
                ctx.Record(new SignalSubject(AdvisorContractWorkflow.DefinitionId, ctx.Data.CurrentContractId!.Value, nameof(ContractTrigger.FundingEnded)));
            })
            .PermitIf(PostTrigger.ContractEnded, PostState.Closed, () => EndsCurrentContract(ctx))
            .IgnoreIf(PostTrigger.ContractEnded, () => !EndsCurrentContract(ctx))
            .Permit(PostTrigger.AdvisorHiredPermanently, PostState.Closed)
            .InternalTransition(PostTrigger.AdvisorHired, () => Hired(ctx))
            .InternalTransition(PostTrigger.TrancheReceived, () => ReceiveTranche(ctx))
            .Permit(PostTrigger.ConventionRenewed, PostState.Renewed);

        m.Configure(PostState.Closed)
            .OnEntry(() => { if (ctx.Data.Occupied && !ctx.Data.PermanentHire) ctx.Data.CurrentContractId = null; });
    }

    /// <summary>The post's deadlines come from the rules planner; each state arms those it waits for.</summary>
    protected override IEnumerable<TimerSpec> Timers(PostState state, PostFundingData data)
    {
        var convention = data.CurrentConvention;
        if (convention is null) yield break;
        if (state == PostState.Granted)
        {
            yield return new(StaffingDeadlines.GrantStartRule.Id, nameof(PostTrigger.ConventionStarted), StaffingDeadlines.GrantStart(convention));
            yield break;
        }
        if (state is not (PostState.Recruiting or PostState.Occupied or PostState.Vacant or PostState.Renewed or PostState.FundingEnding)) yield break;
        foreach (var deadline in DeadlinePlanner.PlanPost(data.Post, state == PostState.Vacant ? data.LastContractEnd : null))
        {
            var rule = deadline.RuleId;
            (string, PostTrigger)? timer =
                rule == StaffingDeadlines.RecruitmentRule.Id ? (state == PostState.Recruiting ? ("recruitment", PostTrigger.RecruitmentDeadline) : null)
                : rule == StaffingDeadlines.RefillRule.Id ? ("refill", PostTrigger.RefillDeadline)
                : rule == FundingDeadlines.TranchesRule.Id ? (deadline.Key, PostTrigger.TrancheDue)
                : rule == FundingDeadlines.EndingAlertRule.Id ? (state != PostState.FundingEnding ? ("funding-alert", PostTrigger.FundingEndingAlert) : null)
                : rule == FundingDeadlines.EndRule.Id ? ("funding-end", PostTrigger.FundingEnd)
                : null;
            if (timer is var (name, trigger)) yield return new(name, trigger.ToString(), deadline);
        }
    }

    static PostState Current(StateMachine<PostState, PostTrigger> m) => m.State;

    /// <summary>A post starts only with a State convention and valid conventions: a bad import is refused whole.</summary>
    static void Validate(PostFundingData d)
    {
        if (d.Post is null || d.CurrentConvention is null)
            throw new WorkflowInputException("Un poste financé doit avoir une convention de l'État.");
        var errors = d.Post.Conventions.SelectMany(c => c.Validate()).ToList();
        if (errors.Count > 0) throw new WorkflowInputException(string.Join(" ", errors.Select(e => e.Message)), errors[0].RuleId);
    }

    static bool EndsCurrentContract(TransitionContext<PostFundingData> ctx) =>
        ctx.Data.CurrentContractId is { } current && ctx.Arg<Guid>("contractId") == current;

    static void Hired(TransitionContext<PostFundingData> ctx)
    {
        ctx.Data.CurrentContractId = ctx.Arg<Guid>("contractId");
        ctx.Data.PermanentHire = false;
    }

    static void Vacate(TransitionContext<PostFundingData> ctx)
    {
        ctx.Data.LastContractEnd = ctx.Arg<DateOnly>("endedOn");
        ctx.Data.CurrentContractId = null;
    }

    static void Renew(TransitionContext<PostFundingData> ctx)
    {
        var d = ctx.Data;
        var convention = ctx.Arg<GrantConvention>("convention");
        var errors = convention.Validate();
        if (errors.Count > 0) throw new WorkflowInputException(string.Join(" ", errors.Select(e => e.Message)), errors[0].RuleId);
        if (d.Post.Conventions.Any(c => c.Id == convention.Id)) return;
        d.Post = d.Post with { Conventions = [.. d.Post.Conventions, convention] };
        ctx.Record(new Remark($"Nouvelle convention jusqu'au {IsoDate(convention.End)}."));
        if (d.CurrentContractId is { } contract)
            ctx.Record(new SignalSubject(AdvisorContractWorkflow.DefinitionId, contract, nameof(ContractTrigger.FundingChanged),
                new JsonObject { ["post"] = WorkflowJson.ToObject(d.Post) }));
    }

    /// <summary>A tranche paid: no reminder is due for it any more (its timer goes at the re-arm).</summary>
    static void ReceiveTranche(TransitionContext<PostFundingData> ctx)
    {
        var d = ctx.Data;
        var conventionId = ctx.Arg<Guid>("conventionId");
        var seq = ctx.Arg<int>("seq");
        var on = ctx.Arg<DateOnly>("receivedOn");
        var convention = d.Post.Conventions.FirstOrDefault(c => c.Id == conventionId);
        if (convention is null || seq < 1 || seq > convention.Tranches.Count)
            throw new WorkflowInputException($"Aucune tranche n° {seq} dans cette convention du poste.");
        var tranches = convention.Tranches.ToList();
        tranches[seq - 1] = tranches[seq - 1] with { ReceivedOn = on };
        d.Post = d.Post with { Conventions = d.Post.Conventions.Select(c => c.Id == conventionId ? c with { Tranches = tranches } : c).ToList() };
        ctx.Record(new Remark($"Tranche n° {seq} reçue le {IsoDate(on)}."));
    }

    /// <param name="fundingEnd">The funding end the message speaks of; by default the current convention's.</param>
    static void Notify(TransitionContext<PostFundingData> ctx, string role, string template, string occasion, MailData mail, DateOnly? fundingEnd = null)
    {
        var d = ctx.Data;
        var subject = new PostMailSubject(d.Post.Label, d.StructureName, $"/posts/{d.Post.Id}", fundingEnd ?? d.CurrentConvention?.End, d.Post.Id.ToString());
        var address = role == Role.HrLead && !string.IsNullOrEmpty(d.HrLeadEmail) ? d.HrLeadEmail : d.HrEmail;
        ctx.Record(new Notify(role, address, template, MailData.Combine(subject, mail), $"{ctx.InstanceId}:{template}:{role}:{occasion}"));
    }

}
