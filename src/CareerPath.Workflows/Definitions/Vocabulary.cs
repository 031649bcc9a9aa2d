namespace CareerPath.Workflows.Definitions;

/// <summary>Who a notification or a task is for. Addresses come from the instance's data.</summary>
public static class Role
{
    public const string Advisor = "advisor";
    public const string Hr = "hr";
    public const string HrLead = "hr-lead";
}

/// <summary>The template ids the workflows emit; the e-mail templates must cover each one.</summary>
public static class Templates
{
    public const string Welcome = "welcome";
    public const string TrainingStart = "training-start";
    public const string Milestones = "milestones";
    public const string CertificationDeadline = "certification-deadline";
    public const string ThematicModuleDue = "thematic-module-due";
    public const string MidContractReview = "mid-contract-review";
    public const string DecisionReminder = "decision-reminder";
    public const string DecisionOverdue = "decision-overdue";
    public const string DecisionRecorded = "decision-recorded";
    public const string FollowUp = "follow-up";
    public const string RecruitmentDeadline = "recruitment-deadline";
    public const string PostVacant = "post-vacant";
    public const string RefillDeadline = "refill-deadline";
    public const string TrancheDue = "tranche-due";
    public const string FundingEnding = "funding-ending";
    /// <summary>Not emitted by a transition: the weekly summary each HR manager receives.</summary>
    public const string WeeklyDigest = "weekly-digest";

}

public static class Tasks
{
    public const string ScheduleTraining = "schedule-training";
    public const string Review = "mid-contract-review";
    public const string Decision = "decision";
    public const string Escalation = "decision-escalation";
    public const string Outcome = "outcome";
    /// <summary>An advisor's request to correct their data (GDPR art. 16): opened by the advisor, closed by HR, no workflow trigger.</summary>
    public const string CorrectionRequest = "correction-request";
}

/// <summary>The definitions shipped with CareerPath.</summary>
public static class ShippedWorkflows
{
    public static IReadOnlyList<Engine.IWorkflowDefinition> All { get; } = [new AdvisorContractWorkflow(), new PostFundingWorkflow()];
}
