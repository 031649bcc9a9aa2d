using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Rules;

public class TrainingRulesTests
{
    [Theory]
    [InlineData("2025-01-31", "2025-07-31")]
    [InlineData("2024-08-31", "2025-02-28")] // month-end clamp
    [InlineData("2023-08-29", "2024-02-29")] // leap year
    [InlineData("2025-01-14", "2025-07-11")] // 14 July, then the weekend
    [InlineData("2025-11-09", "2026-05-07")] // Saturday 9 May, then 8 May
    public void CertificationExamDeadline_is_six_months_after_initial_training(string trainingEnd, string expected)
    {
        var ccp1 = CertificationDeadline.Compute(D(trainingEnd), TrainingModuleKind.Ccp1Exam);
        var pix = CertificationDeadline.Compute(D(trainingEnd), TrainingModuleKind.PixExam);
        Assert.Equal(D(expected), ccp1.Date);
        Assert.Equal(D(expected), pix.Date);
        Assert.Equal("certification.exam-deadline:ccp1", ccp1.Key);
        Assert.Equal("certification.exam-deadline:pix", pix.Key);
    }

    [Fact]
    public void CertificationExamDeadline_only_for_exams() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CertificationDeadline.Compute(D("2025-01-31"), TrainingModuleKind.Thematic));

    [Theory]
    [InlineData(0, false)]
    [InlineData(69, false)]
    [InlineData(70, true)]
    [InlineData(245, true)]
    [InlineData(420, true)]
    [InlineData(421, false)]
    public void TrainingInitialHours_between_70_and_420(int hours, bool allowed)
    {
        var verdict = InitialTrainingHours.Check(hours);
        Assert.Equal(allowed, verdict.Allowed);
        Assert.Contains("training.initial-hours", verdict.Message);
    }
}
