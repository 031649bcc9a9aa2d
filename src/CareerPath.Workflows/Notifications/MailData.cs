using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Engine;

namespace CareerPath.Workflows.Notifications;

/// <summary>
/// The data of the e-mails, one record type per template. The workflow that emits a message and the template that
/// renders it share its type, so a misspelt or missing field fails the build, not the delivery. An outbox row holds
/// the subject's fields (whom and what it is about) and the template's own, side by side in one JSON object.
/// </summary>
public abstract record MailData
{
    static readonly JsonSerializerOptions Strict = new(WorkflowJson.Options)
    {
        // A row without a field its template needs is a bug to surface, never a blank in a sent e-mail.
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>The row's JSON: the subject's fields and the template's, side by side.</summary>
    public static JsonObject Combine(object? subject, MailData mail)
    {
        var data = subject is null ? [] : JsonSerializer.SerializeToNode(subject, subject.GetType(), WorkflowJson.Options)!.AsObject();
        foreach (var (key, value) in JsonSerializer.SerializeToNode(mail, mail.GetType(), WorkflowJson.Options)!.AsObject().ToList())
            data[key] = value?.DeepClone();
        return data;
    }

    /// <summary>Reads a record back from a row's JSON; a missing or malformed field names itself.</summary>
    public static T Read<T>(string template, JsonObject data)
    {
        try
        {
            return data.Deserialize<T>(Strict) ?? throw new MissingTemplateValueException(template, typeof(T).Name);
        }
        catch (JsonException e)
        {
            throw new MissingTemplateValueException(template, FieldOf(e));
        }
    }

    /// <summary>"… was missing required properties including: 'refillDeadline', 'explanation'." → refillDeadline, explanation.</summary>
    static string FieldOf(JsonException e)
    {
        const string marker = "including: ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0) return e.Message[(at + marker.Length)..].TrimEnd('.').Replace("'", "");
        return e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : e.Message;
    }
}

/// <summary>What every e-mail about a contract carries: the advisor, the employer, the contract, and the page to open.</summary>
public sealed record ContractMailSubject(string AdvisorName, string StructureName, string Link, string? ContractId = null);

/// <summary>What every e-mail about a funded post carries: the post, the employer, its funding end, and the page to open.</summary>
public sealed record PostMailSubject(string PostLabel, string StructureName, string Link, DateOnly? FundingEnd = null, string? PostId = null);

public sealed record WelcomeMail(DateOnly ContractStart) : MailData;

/// <summary>Initial training not scheduled a month after the start.</summary>
public sealed record TrainingStartMail(DateOnly DueOn) : MailData;

/// <summary>The advisor's training milestones: the training scheduled (dates and hours).</summary>
public sealed record TrainingScheduledMail(DateOnly TrainingStart, DateOnly TrainingEnd, int Hours) : MailData;

/// <summary>The advisor's training milestones: training done, the certification exams to pass by a date.</summary>
public sealed record ExamsDueMail(DateOnly ExamDeadline, string Explanation) : MailData;

/// <summary>A dated reminder with nothing else to say: the certification deadline, a thematic module, the mid-contract review.</summary>
public sealed record DueOnMail(DateOnly DueOn) : MailData;

/// <summary>The decision to notify by the legal notice deadline (a reminder to HR, or the escalation to the HR lead once it passed).</summary>
public sealed record NoticeDeadlineMail(DateOnly NoticeDeadline, string RuleId, string Source, string Explanation, DateOnly? ContractEnd) : MailData;

/// <summary>The decision recorded, to the advisor and the HR lead: the date it had to be notified by, and whether it was.</summary>
public sealed record DecisionRecordedMail(DecisionKind Decision, DateOnly DecidedOn, DateOnly NotifiedOn, DateOnly NoticeDeadline,
    bool Late, DateOnly? NewEnd, string NoticeRuleSource) : MailData
{
    [JsonIgnore]
    public string DecisionInWords => Decision switch
    {
        DecisionKind.PermanentHireCdi => "embauche en CDI",
        DecisionKind.Titularisation => "titularisation",
        DecisionKind.Renewal => "renouvellement du contrat",
        _ => "non-renouvellement du contrat",
    };
}

/// <summary>The advisor's situation to record, 6 or 12 months after the contract.</summary>
public sealed record FollowUpMail(int Months, DateOnly? ContractEnd) : MailData;

/// <summary>A post's reminder whose subject says it all (recruitment or refill deadline passed, tranche due).</summary>
public sealed record PostReminderMail : MailData;

/// <summary>A post left vacant: the day by which to recruit again.</summary>
public sealed record PostVacantMail(DateOnly RefillDeadline, string Explanation) : MailData;

/// <summary>The post's funding ends soon.</summary>
public sealed record FundingEndingMail(string Explanation) : MailData;

/// <summary>The weekly summary of an HR manager, per structure.</summary>
public sealed record WeeklyDigestMail(string StructureName, DateOnly WeekOf, string Link, IReadOnlyList<DigestDeadline> Deadlines,
    IReadOnlyList<DigestTask> Overdue) : MailData;

public sealed record DigestDeadline(DateOnly DueOn, string Label, string About);

public sealed record DigestTask(DateOnly DueOn, string Title);
