using CareerPath.Domain.Model;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Model;

public class RecordValidationTests
{
    [Theory]
    [InlineData(69, false)]
    [InlineData(70, true)]
    [InlineData(420, true)]
    [InlineData(421, false)]
    public void TrainingInitialHours_are_validated_on_the_assignment(int hours, bool valid)
    {
        var training = new TrainingAssignment(Guid.NewGuid(), AdvisorId, TrainingModuleKind.InitialTraining, "Formation initiale", hours, D("2025-01-13"), D("2025-03-14"), D("2025-03-14"));
        Assert.Equal(valid, !training.Validate().Any(e => e.RuleId == "training.initial-hours"));
    }

    [Fact]
    public void Training_cannot_end_before_it_starts()
    {
        var training = new TrainingAssignment(Guid.NewGuid(), AdvisorId, TrainingModuleKind.Thematic, "Module", 14, D("2025-03-14"), D("2025-03-13"), D("2025-12-31"));
        Assert.Contains(training.Validate(), e => e.RuleId == "model.training.dates");
    }

    [Fact]
    public void Convention_tranches_cannot_exceed_its_amount()
    {
        var convention = new GrantConvention(Guid.NewGuid(), FundingSource.State, ConventionWave.Renewal2023, 40_000m, D("2023-10-01"), D("2026-09-30"),
            [new Tranche(30_000m, D("2023-10-01")), new Tranche(12_500m, D("2024-10-01"))]);
        Assert.Contains(convention.Validate(), e => e.RuleId == "model.convention.tranche-total");
    }

    [Theory]
    [InlineData(DecisionKind.Renewal, null, "model.decision.new-end")]
    [InlineData(DecisionKind.NotRetained, "2026-12-31", "model.decision.new-end")]
    public void Decision_new_end_goes_with_renewal_only(DecisionKind kind, string? newEnd, string ruleId)
    {
        var decision = new Decision(Guid.NewGuid(), kind, "motif", D("2025-10-01")) { NewEnd = newEnd is null ? null : D(newEnd) };
        Assert.Contains(decision.Validate(), e => e.RuleId == ruleId);
    }

    [Fact]
    public void Decision_cannot_be_notified_before_it_is_taken()
    {
        var decision = new Decision(Guid.NewGuid(), DecisionKind.PermanentHireCdi, "motif", D("2025-10-01")) { NotifiedOn = D("2025-09-30") };
        Assert.Contains(decision.Validate(), e => e.RuleId == "model.decision.notified");
    }

    [Fact]
    public void Structure_has_at_most_one_lead_hr_contact()
    {
        var structure = new Structure(Guid.NewGuid(), "Commune de Trifouillis", StructureKind.Commune, LegalRegime.Public,
            [new("A", "a@example.fr", true), new("B", "b@example.fr", true)]);
        Assert.Contains(structure.Validate(), e => e.RuleId == "model.structure.hr-lead");
    }

    [Fact]
    public void Advisor_needs_a_work_email() =>
        Assert.Contains(new Advisor(AdvisorId, "Camille Martin", "camille", false).Validate(), e => e.RuleId == "model.advisor.email");
}
