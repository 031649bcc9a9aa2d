namespace CareerPath.Workflows.Engine;

/// <summary>The instance changed since it was read: the losing side of a race. Retry from a fresh read.</summary>
public sealed class WorkflowConflictException(Guid instanceId, int expectedVersion)
    : Exception($"L'instance {instanceId} a été modifiée entre-temps (version {expectedVersion} attendue) : relisez-la puis réessayez.")
{
    public Guid InstanceId { get; } = instanceId;
}

/// <summary>The trigger is not allowed in the instance's current state (or a guard refused it).</summary>
public sealed class TriggerNotPermittedException(string trigger, string state, IReadOnlyCollection<string> permitted, string? because = null)
    : Exception($"Le déclencheur « {trigger} » n'est pas permis dans l'état « {state} »{(because is null ? "" : $" : {because}")}. Permis : {(permitted.Count == 0 ? "aucun" : string.Join(", ", permitted))}.")
{
    public string Trigger { get; } = trigger;
    public string State { get; } = state;
}

/// <summary>The request's data breaks a domain rule (e.g. a private CDD amendment past 18 months). Nothing was written.</summary>
public sealed class WorkflowInputException(string message, string? ruleId = null) : Exception(message)
{
    public string? RuleId { get; } = ruleId;
}

public sealed class WorkflowNotFoundException(string what) : Exception($"{what} introuvable.");

/// <summary>
/// How an error message quotes what the user sent: as is when it is short plain text, which helps
/// find the cell to fix; otherwise not at all, so that no message carries someone's markup or a
/// megabyte of input to whatever displays it.
/// </summary>
public static class InputEcho
{
    public static string Quote(string? value) => IsPlain(value) ? $"« {value!.Trim()} »" : "(valeur non reproduite)";

    public static bool IsPlain(string? value)
    {
        var text = value?.Trim() ?? "";
        return text.Length is > 0 and <= 60 && text.All(c => !char.IsControl(c) && c is not ('<' or '>' or '"' or '&' or '`' or '='));
    }
}

/// <summary>A batch met a transition it cannot write set-based (a start of another instance): the caller redoes its work one by one.</summary>
internal sealed class NotBatchableException(string what) : Exception($"Not batchable: {what}.");
