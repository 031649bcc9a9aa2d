using System.Text.Json;
using System.Text.RegularExpressions;
using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CareerPath.Server.Web;

/// <summary>The services of the administrators' pages (definitions, instances, incidents, outbox, accounts, access log, migrations).</summary>
public static class AdminPages
{
    public static IServiceCollection AddAdminPages(this IServiceCollection services)
    {
        // The administrators' actions, shared by the API's endpoints and these pages.
        services.TryAddSingleton<AccountActions>();
        services.TryAddSingleton<EngineActions>();
        return services;
    }

    /// <summary>The roles in French, in the order the account form offers them.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> RoleOptions =
    [
        (Roles.Hr, "Responsable RH"), (Roles.Advisor, "Conseiller numérique"), (Roles.Auditor, "Auditeur syndical"),
        (Roles.Program, "Coordination du programme"), (Roles.Admin, "Administrateur"),
    ];

    public static string Role(string role) => RoleOptions.FirstOrDefault(r => r.Value == role).Label ?? role;

    /// <summary>An outbox message's status in French, and its DSFR badge.</summary>
    public static (string Label, string Badge) OutboxStatus(string status) => status switch
    {
        "Pending" => ("En attente", "fr-badge--info"),
        "Sent" => ("Envoyé", "fr-badge--success"),
        "Failed" => ("En échec", "fr-badge--error"),
        _ => (status, ""),
    };

    /// <summary>The hour of an instant, Paris time (14:05): tables show the day (Fr.Short) and this beneath it.</summary>
    public static string Time(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")).ToString("HH:mm", Fr.Culture);

    /// <summary>Whom an e-mail is for, as the workflows name it (Definitions.Role).</summary>
    public static string Recipient(string role) => role switch
    {
        Workflows.Definitions.Role.Advisor => "conseiller",
        Workflows.Definitions.Role.Hr => "responsable RH",
        Workflows.Definitions.Role.HrLead => "référent RH",
        _ => role,
    };

    /// <summary>An instance's data as a person reads it: indented JSON.</summary>
    public static string PrettyJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(doc.RootElement, Indented);
    }

    static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // Accents as they are: the page escapes the markup.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>One line of a workflow's transition table: from a state, a trigger leads to a target (or to a choice made when it fires).</summary>
/// <param name="Guard">The condition the transition needs, as the definition words it; null when there is none.</param>
/// <param name="Choice">The target is chosen when the trigger fires (Stateless's dynamic transition).</param>
public sealed record Transition(string From, string Trigger, string To, string? Guard, bool Choice);

/// <summary>
/// A definition's state diagram, read back from the Mermaid text the definition generates from its own code
/// (IWorkflowDefinition.ToMermaid, the diagram of the API and of the README): the transitions as a table —
/// the page's text for those who do not see the diagram — and the composite states with their sub-states.
/// </summary>
public sealed partial record WorkflowDiagram(string Mermaid, IReadOnlyList<Transition> Transitions, IReadOnlyDictionary<string, IReadOnlyList<string>> Composites,
    string? Initial)
{
    public IReadOnlyList<string> Triggers => Transitions.Select(t => t.Trigger).Distinct().Order(StringComparer.Ordinal).ToList();

    public static WorkflowDiagram Parse(string mermaid)
    {
        var transitions = new List<Transition>();
        var composites = new Dictionary<string, IReadOnlyList<string>>();
        var choices = new HashSet<string>();
        string? initial = null;
        List<string>? inside = null;
        string? composite = null;
        foreach (var raw in mermaid.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("%%", StringComparison.Ordinal) || line.StartsWith("stateDiagram", StringComparison.Ordinal)) continue;
            if (inside is not null)
            {
                if (line == "}")
                {
                    composites[composite!] = inside;
                    (inside, composite) = (null, null);
                }
                else inside.Add(line);
                continue;
            }
            if (CompositeLine().Match(line) is { Success: true } c)
            {
                (composite, inside) = (c.Groups[1].Value, []);
                continue;
            }
            if (ChoiceLine().Match(line) is { Success: true } choice)
            {
                choices.Add(choice.Groups[1].Value);
                continue;
            }
            if (InitialLine().Match(line) is { Success: true } start)
            {
                initial = start.Groups[1].Value;
                continue;
            }
            if (TransitionLine().Match(line) is { Success: true } t)
            {
                var guard = t.Groups[4].Success ? t.Groups[4].Value.Trim() : null;
                transitions.Add(new Transition(t.Groups[1].Value, t.Groups[3].Value.Trim(), t.Groups[2].Value, string.IsNullOrEmpty(guard) ? null : guard, false));
            }
        }
        return new WorkflowDiagram(mermaid, transitions.Select(t => choices.Contains(t.To) ? t with { Choice = true } : t).ToList(), composites, initial);
    }

    [GeneratedRegex(@"^state (\S+) \{$")]
    private static partial Regex CompositeLine();

    [GeneratedRegex(@"^state (\S+) <<choice>>$")]
    private static partial Regex ChoiceLine();

    [GeneratedRegex(@"^\[\*\] --> (\S+)$")]
    private static partial Regex InitialLine();

    [GeneratedRegex(@"^(\S+) --> (\S+) : ([^\[]+?)(?:\s*\[(.*)\])?$")]
    private static partial Regex TransitionLine();
}

/// <summary>A minimal API result (the API's CSV stream) answered from a page handler: the same code writes the same file.</summary>
public sealed class EndpointResult(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
