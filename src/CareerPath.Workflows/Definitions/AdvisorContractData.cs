using System.Text.Json.Serialization;
using CareerPath.Domain.Model;
using CareerPath.Domain.Planning;

namespace CareerPath.Workflows.Definitions;

/// <summary>
/// What an advisor-contract instance knows: the contract and its chain, the advisor (minimal
/// personal data), whom to notify, the trainings, and what was decided. Stored as the instance's jsonb.
/// </summary>
public sealed class AdvisorContractData
{
    public Contract Contract { get; set; } = null!;
    public Advisor Advisor { get; set; } = null!;

    /// <summary>
    /// The advisor's other contracts with the same employer, read from the records before each transition
    /// (whatever way they were recorded); never stored with the instance: the records are their one home.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<Contract> OtherContracts { get; set; } = [];

    /// <summary>The other contracts that start after this one: they are re-planned when this one changes.</summary>
    [JsonIgnore]
    public IEnumerable<Contract> LaterContracts => OtherContracts.Where(c => c.Start > Contract.Start);

    public Guid StructureId { get; set; }
    public string StructureName { get; set; } = "";
    /// <summary>The HR manager who receives reminders, and the HR lead who receives escalations.</summary>
    public string HrEmail { get; set; } = "";
    public string HrLeadEmail { get; set; } = "";
    public FundedPost? Post { get; set; }
    public List<TrainingAssignment> Trainings { get; set; } = [];
    public bool? RenewalCouldBeCdi { get; set; }
    public int[] ReminderOffsetsInDays { get; set; } = [60, 30, 7];
    public Decision? Decision { get; set; }
    /// <summary>The date the decision had to be notified by, as computed when it was taken.</summary>
    public DateOnly? DecisionDueOn { get; set; }
    public bool DecisionLate { get; set; }
    public bool NoticeDeadlineMissed { get; set; }
    public bool TrialFailed { get; set; }
    /// <summary>The day the mid-contract review was asked for: it is asked once per contract.</summary>
    public DateOnly? MidContractReviewOpenedOn { get; set; }
    public List<Outcome> Outcomes { get; set; } = [];

    // The computed views below are not stored: Facts alone (a copy of the contract, advisor, post, trainings and the other
    // contracts) was half of every instance's JSON, written and parsed at every transition (issue 14). InitialTrainingDone and
    // CertificationDone stay in the JSON: the reports read them there (ReportQueries).
    [JsonIgnore]
    public ContractFacts Facts => new(Contract, Advisor)
    {
        EarlierContracts = OtherContracts,
        Trainings = Trainings,
        Post = Post,
        RenewalCouldBeCdi = RenewalCouldBeCdi,
        ReminderOffsetsInDays = ReminderOffsetsInDays,
    };

    [JsonIgnore]
    public TrainingAssignment? InitialTraining => Trainings.Where(t => t.Kind == TrainingModuleKind.InitialTraining).MinBy(t => t.Start);

    public bool InitialTrainingDone => InitialTraining?.CompletedOn is not null;

    public bool ExamPassed(TrainingModuleKind exam) => Trainings.Any(t => t.Kind == exam && t.Passed == true);

    public bool CertificationDone => ExamPassed(TrainingModuleKind.Ccp1Exam) && ExamPassed(TrainingModuleKind.PixExam);
}
