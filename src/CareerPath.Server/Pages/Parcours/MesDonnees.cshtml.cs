using System.Text.Json;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CareerPath.Server.Pages.Parcours;

/// <summary>
/// The advisor's right of access (GDPR art. 15) as a page: everything CareerPath holds about them, read through the
/// API's own export (PersonalDataExports), the same file to download as JSON, and a request to correct a field
/// (art. 16), which becomes a task for their HR managers. Each display and each download is a logged read.
/// </summary>
public sealed class MesDonneesModel(PersonalDataExports exports, CorrectionRequests requests, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    CareerPath.Workflows.Privacy.RetentionPolicy retention) : CareerPathPage
{
    /// <summary>How long the access log keeps a read (the retention policy in force).</summary>
    public int AccessLogMonths => retention.AccessLogMonths;

    public PersonalDataExport Export { get; private set; } = null!;

    [BindProperty(Name = "field")] public string? Field { get; set; }
    [BindProperty(Name = "value")] public string? Value { get; set; }

    public static IReadOnlyList<(string Value, string Label)> Fields { get; } =
        Enum.GetValues<CorrectedField>().Select(f => (f.ToString(), CorrectionRequests.Label(f))).ToList();

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Mon contrat", "/mon-contrat"), new("Mes données")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await LoadAsync("advisors.data-page", ct) ? Page() : NotFoundPage();

    /// <summary>The same JSON as GET /api/advisors/{id}/export, serialised with the API's options, as a file.</summary>
    public async Task<IActionResult> OnGetJsonAsync(CancellationToken ct)
    {
        if (!await LoadAsync("advisors.export", ct)) return NotFoundPage();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(Export, json.Value.SerializerOptions);
        return File(bytes, "application/json; charset=utf-8", $"mes-donnees-careerpath-{Fr.Short(Export.ProducedAt).Replace('/', '-')}.json");
    }

    public async Task<IActionResult> OnPostCorrectionAsync(CancellationToken ct)
    {
        if (!Caller.IsAdvisor || Caller.AdvisorId is not { } me) return NotFoundPage();
        var value = Value?.Trim();
        CorrectedField? field = Enum.TryParse<CorrectedField>(Field, out var f) && Enum.IsDefined(f) ? f : null;
        if (field is null) Form.Add("field", "Choisissez la donnée à corriger.");
        if (string.IsNullOrEmpty(value)) Form.Add("value", "Indiquez la valeur exacte.");
        else if (value.Length > 2000) Form.Add("value", "2000 caractères au plus.");
        else if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) Form.Add("value", "Caractères de contrôle interdits.");
        if (!Form.HasErrors)
        {
            var (result, _) = await requests.OpenAsync(me, field!.Value, value!, ct);
            if (result == CorrectionRequests.OpenResult.Opened)
            {
                Success = $"Votre demande de correction ({CorrectionRequests.Label(field.Value)}) est transmise à votre responsable RH, qui doit y répondre dans un délai d'un mois.";
                return Redirect("/mes-donnees");
            }
            if (result == CorrectionRequests.OpenResult.NoSuchAdvisor) return NotFoundPage();
            Form.Fail("Aucun contrat n'est enregistré à votre nom : aucune structure ne peut traiter la demande. Adressez-vous directement à votre employeur.");
        }
        else Form.Fail("Le formulaire contient des erreurs : corrigez les champs signalés.");
        if (!await LoadAsync("advisors.data-page", ct)) return NotFoundPage();
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>The signed-in advisor's own data only; the read is logged before the page is built, so it lists itself.</summary>
    async Task<bool> LoadAsync(string action, CancellationToken ct)
    {
        if (!Caller.IsAdvisor || Caller.AdvisorId is not { } me) return false;
        await LogReadAsync(action, "advisor", me, [me]);
        if (await exports.ExportAsync(me, Scope, ct) is not { } export) return false;
        Export = export;
        return true;
    }

    /// <summary>A read of the access log in words: what was read (the action's resource), and for an archived file the reason given.</summary>
    public static string Read(string action)
    {
        var (read, reasonCode) = Security.AdvisorFiles.ParseAction(action);
        var what = read switch
        {
            "advisors.own-page" or "advisors.data-page" => "votre page",
            "advisors.export" => "export de vos données",
            "advisors.page" or "advisors.read" => "votre fiche",
            "advisors.timeline" => "votre parcours",
            "advisors.list" => "liste des conseillers",
            "contracts.read" or "contracts.page" => "votre contrat",
            "contracts.list" => "liste des contrats",
            "deadlines.list" or "deadlines.export" => "liste des échéances",
            "tasks.list" => "liste des tâches",
            "dashboard.page" or "dashboard.export" => "tableau de bord",
            "calendar.read" => "agenda (iCalendar)",
            var other when other.StartsWith("instances.", StringComparison.Ordinal) => "données du suivi (administration)",
            var other => other,
        };
        var reason = reasonCode is null ? null : Security.AdvisorFiles.Reasons.FirstOrDefault(r => r.Code == reasonCode).Label;
        return reason is null ? what : $"{what} — dossier archivé, motif : {reason.ToLowerInvariant()}";
    }

    public static string Role(string role) => role switch
    {
        "advisor" => "vous-même",
        "hr" => "responsable RH",
        "admin" => "administrateur",
        "auditor" => "auditeur syndical",
        "program" => "coordination du programme",
        "timer" => "CareerPath (échéance)",
        "system" or "import" => "CareerPath",
        _ => role,
    };

    public static string Status(string status) => status switch
    {
        "Open" => "en cours",
        "Completed" => "traitée",
        "Cancelled" => "annulée",
        "Sent" => "envoyé",
        "Pending" => "en attente d'envoi",
        "Failed" => "échec d'envoi",
        _ => status,
    };
}
