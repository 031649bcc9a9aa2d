using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Engine;

namespace CareerPath.Workflows.Notifications;

/// <summary>
/// The data of the "decision recorded" e-mail. The workflow that emits it and the template that renders it
/// share this type, so a misspelt field fails the build, not the delivery.
/// </summary>
public sealed record DecisionRecordedMail(DecisionKind Decision, DateOnly DecidedOn, DateOnly NotifiedOn, DateOnly NoticeDeadline,
    bool Late, DateOnly? NewEnd, string NoticeRuleSource)
{
    public JsonObject ToData() => WorkflowJson.ToObject(this);

    public static DecisionRecordedMail From(JsonObject data) => WorkflowJson.FromObject<DecisionRecordedMail>(data);

    public string DecisionInWords => Decision switch
    {
        DecisionKind.PermanentHireCdi => "embauche en CDI",
        DecisionKind.Titularisation => "titularisation",
        DecisionKind.Renewal => "renouvellement du contrat",
        _ => "non-renouvellement du contrat",
    };
}
