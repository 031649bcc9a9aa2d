using CareerPath.Server.Actions;

namespace CareerPath.Server.Web;

/// <summary>One form field as the DSFR draws it: label, hint, value, and its errors beside it.</summary>
/// <param name="Type">text, date, number, email, textarea, or select (then <see cref="Options"/>).</param>
public sealed record Field(string Name, string Label, string? Value = null, string? Hint = null, string Type = "text", bool Required = false,
    IReadOnlyList<string>? Errors = null, IReadOnlyList<(string Value, string Label)>? Options = null, int? MaxLength = null, string? Min = null,
    string? Max = null)
{
    public string Id => "champ-" + Name.Replace('.', '-');
    public bool HasError => Errors is { Count: > 0 };
}

/// <summary>
/// What a form page keeps between the post and the page it shows again: the errors by field, a
/// message for the whole form, and whether the record changed meanwhile (stale form).
/// </summary>
public sealed class FormState
{
    readonly Dictionary<string, List<string>> _errors = new(StringComparer.OrdinalIgnoreCase);

    public string? Message { get; private set; }
    public bool Stale { get; private set; }
    public bool HasErrors => _errors.Count > 0 || Message is not null;

    public IReadOnlyList<string> For(string field) => _errors.TryGetValue(field, out var list) ? list : [];

    public IEnumerable<(string Field, string Message)> All => _errors.SelectMany(e => e.Value.Select(m => (e.Key, m)));

    public FormState Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public FormState Fail(string message)
    {
        Message = message;
        return this;
    }

    /// <summary>Takes an action's failure: field errors beside their fields, the rest as the form's message.</summary>
    public FormState From(ActionFailure failure)
    {
        if (failure.Message == ActionFailure.ChangedMeanwhile) Stale = true;
        if (failure.Errors.Count == 0 || failure.Kind != FailureKind.Invalid) Message = failure.Message;
        else
        {
            Message = "Le formulaire contient des erreurs : corrigez les champs signalés.";
            foreach (var (field, messages) in failure.Errors)
                foreach (var m in messages) Add(field, m);
        }
        return this;
    }
}
