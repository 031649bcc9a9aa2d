using CareerPath.Domain.Rules;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Web;

/// <summary>One deadline as a page draws it (partial _Deadline): the date, the label, and its explanation.</summary>
/// <param name="Reached">The timer has fired: the date is behind us and CareerPath acted on it.</param>
public sealed record DeadlineLine(long Id, Deadline Deadline, DateOnly Today, bool Reached = false)
{
    /// <summary>The rule's date fell on a day off and was moved to a working day.</summary>
    public bool Moved => Deadline.UnadjustedDate != Deadline.Date;
    public bool Overdue => !Reached && Deadline.Date < Today;
}

/// <summary>One contract of an advisor's career: its facts, its workflow's journal and its deadlines.</summary>
public sealed record ContractSection(ContractView Contract, string StructureName, int? Version, IReadOnlyList<TimelineStep> Past,
    IReadOnlyList<DeadlineLine> Reached, IReadOnlyList<DeadlineLine> Coming)
{
    public Guid Id => Contract.Id;
}

public sealed record AdvisorCareerView(AdvisorView Advisor, string? StructureName, IReadOnlyList<ContractSection> Contracts);

/// <summary>
/// An advisor's career as the advisor page and "mon contrat" show it, read through the API's query
/// classes: the advisor and the contracts the scope reaches, each contract's journal (TimelineQueries)
/// and its timers with their stored explanations.
/// </summary>
public sealed class AdvisorCareer(AdvisorQueries advisors, ContractQueries contracts, TimelineQueries timelines, AdvisorPageQueries pages,
    StructureQueries structures, TimeProvider time)
{
    public DateOnly Today => WorkflowEngine.ParisDate(time.GetUtcNow());

    /// <param name="scope">The caller's scope: an HR manager reads the contracts of their structures only.</param>
    /// <param name="showActors">Staff see who acted; an advisor sees what happened, not which colleague did it.</param>
    public async Task<AdvisorCareerView?> LoadAsync(Guid advisorId, ReadScope scope, bool showActors, CancellationToken ct)
    {
        var advisor = await advisors.GetAsync(advisorId, scope, ct);
        if (advisor is null) return null;
        var timeline = (await timelines.ForAdvisorAsync(advisorId, scope, showActors, ct)).ToDictionary(t => t.ContractId);
        var deadlines = await pages.DeadlinesAsync(timeline.Values.Select(t => t.InstanceId).ToList(), ct);
        var names = new Dictionary<Guid, string>();
        async Task<string> NameAsync(Guid? id)
        {
            if (id is not { } s) return "";
            if (!names.TryGetValue(s, out var name)) names[s] = name = (await structures.GetAsync(s, ct))?.Name ?? "";
            return name;
        }
        var today = Today;
        var sections = new List<ContractSection>();
        foreach (var contractId in advisor.Contracts)
        {
            if (await contracts.GetAsync(contractId, ct) is not { } contract) continue;
            timeline.TryGetValue(contractId, out var t);
            InstanceDeadlines? timers = null;
            if (contract.InstanceId is { } instanceId) deadlines.TryGetValue(instanceId, out timers);
            var lines = (timers?.Timers ?? []).Select(x => new DeadlineLine(x.Id, DeadlineJson.Read(x.Explanation), today, x.FiredAt is not null)).ToList();
            sections.Add(new ContractSection(contract, await NameAsync(contract.StructureId), timers?.Version, t?.Past ?? [],
                lines.Where(l => l.Reached).OrderByDescending(l => l.Deadline.Date).ToList(),
                lines.Where(l => !l.Reached).OrderBy(l => l.Deadline.Date).ToList()));
        }
        return new AdvisorCareerView(advisor, await NameAsync(advisor.StructureId), sections);
    }
}

/// <summary>What the contract partial (Pages/Parcours/_Contrat) draws: one contract among the advisor's, for staff or for the advisor.</summary>
/// <param name="Actions">The forms of this contract (staff), as links.</param>
public sealed record ContractPanel(ContractSection Section, IReadOnlyList<ContractSection> Career, bool Staff,
    IReadOnlyList<(string Href, string Label)> Actions)
{
    public ContractSection? Previous => Section.Contract.PreviousContractId is { } p ? Career.FirstOrDefault(c => c.Id == p) : null;
    public ContractSection? Next => Career.FirstOrDefault(c => c.Contract.PreviousContractId == Section.Id);
}
