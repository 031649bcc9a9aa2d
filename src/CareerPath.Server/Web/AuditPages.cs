using System.Globalization;
using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using CsvHelper;

namespace CareerPath.Server.Web;

/// <summary>The services of the union auditors' pages (outcomes, decision log), which their API twins share.</summary>
public static class AuditPages
{
    public static IServiceCollection AddAuditPages(this IServiceCollection services)
    {
        services.AddSingleton<DecisionLog>();
        return services;
    }

    /// <summary>Whose contracts an outcomes report counts: a union auditor every structure, an HR manager theirs, an administrator all.</summary>
    public static ReadScope OutcomesScope(Caller caller) => caller.IsAuditor ? ReadScope.Everything : caller.Scope();
}

/// <summary>A page of the decision log as its reader may see it, and the advisors it is about (for the access log).</summary>
public sealed record DecisionLogPage(Page<AuditEntryView> Entries, IReadOnlyList<Guid> Advisors);

/// <summary>
/// The hash-chained decision log as the API and the page give it: an administrator sees each entry as stored; a
/// union auditor sees pseudonyms in place of the advisor and contract ids, no structure, and months for days (the
/// hashes are of the stored text, so they check the chain through the verification); decisions carry no name nor
/// free text to begin with.
/// </summary>
public sealed class DecisionLog(DecisionAuditQueries audit, Pseudonyms pseudonyms)
{
    static readonly (string Field, char Prefix)[] Ids = [("advisorId", 'A'), ("contractId", 'C')];
    static readonly string[] Dates = ["decidedOn", "notifiedOn", "noticeDeadline", "newEnd"];

    /// <summary>A page in chain order; null when the cursor is not one of this list.</summary>
    public async Task<DecisionLogPage?> ReadAsync(Caller caller, PageRequest page, CancellationToken ct = default)
    {
        if (await audit.ListAsync(page, ct) is not { } entries) return null;
        var p = await pseudonyms.ForRequestAsync(ct);
        var advisors = entries.Items.Select(e => JsonNode.Parse(e.Details)?["advisorId"]?.GetValue<string>())
            .Select(a => Guid.TryParse(a, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
        return new DecisionLogPage(new Page<AuditEntryView>(entries.Items.Select(e => View(caller, e, p)).ToList(), entries.Next), advisors);
    }

    /// <summary>Walks the whole chain and reports the first broken link, if any.</summary>
    public Task<AuditVerification> VerifyAsync(CancellationToken ct = default) => audit.VerifyAsync(ct);

    static AuditEntryView View(Caller caller, AuditEntry e, Func<char, Guid, string> pseudonym)
    {
        var details = JsonNode.Parse(e.Details);
        if (!caller.IsAdmin && details is JsonObject o)
        {
            // For a union: who is pseudonymised, the employer is left out (one decision in a small
            // structure is one person) and days become months.
            foreach (var (field, prefix) in Ids)
                if (o[field]?.GetValue<string>() is { } text && Guid.TryParse(text, out var id)) o[field] = pseudonym(prefix, id);
            o.Remove("structureId");
            // The rule names the kind of employer (public, contrat de projet): it would split the counts.
            o.Remove("noticeRule");
            foreach (var field in Dates)
                if (o[field]?.GetValue<string>() is { Length: 10 } day) o[field] = day[..7];
        }
        // The stored actor is a role already; only the role part is ever shown.
        var at = caller.IsAdmin ? e.At.ToString("O") : e.At.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        return new AuditEntryView(e.Seq, at, WorkflowEngine.ActorRole(e.Actor), e.Kind, details, e.PrevHash, e.Hash);
    }
}

/// <summary>The outcomes page's words: measures, groups and values in French, and what each measure counts.</summary>
public static class OutcomeLabels
{
    /// <summary>A family of measures, shown together: its title and its measures (code, label, what it counts).</summary>
    public sealed record Family(string Title, IReadOnlyList<(string Measure, string Label, string Counts)> Measures);

    static string Kind(OutcomeKind kind) => kind switch
    {
        OutcomeKind.HiredByStructure => "Gardé par la structure",
        OutcomeKind.EmployedPermanentlyElsewhere => "En emploi durable ailleurs",
        OutcomeKind.JobSeeker => "En recherche d'emploi",
        OutcomeKind.Training => "En formation",
        OutcomeKind.Other => "Autre situation",
        OutcomeKind.Unknown => "Situation inconnue",
        _ => kind.ToString(),
    };

    /// <summary>The follow-up situations in the order the page lists them (kept first, unknown last).</summary>
    public static readonly OutcomeKind[] Situations =
        [OutcomeKind.HiredByStructure, OutcomeKind.EmployedPermanentlyElsewhere, OutcomeKind.Training, OutcomeKind.JobSeeker, OutcomeKind.Other, OutcomeKind.Unknown];

    public static string Situation(OutcomeKind kind) => Kind(kind);

    /// <summary>Every measure of the page, by family, in the order of its tables and of its CSV file.</summary>
    public static IReadOnlyList<Family> Families { get; } =
    [
        new("Effectif", [("conseillers", "Conseillers", "Conseillers ayant au moins un contrat dans la sélection.")]),
        new("Situation à la fin du contrat",
        [
            ($"{ReportCube.EndOfContract}.{nameof(OutcomeKind.HiredByStructure)}", "Fin de contrat : gardé par la structure",
                "Conseillers dont un contrat est arrivé à son terme avec une décision d'embauche en CDI ou de titularisation."),
            ($"{ReportCube.EndOfContract}.{nameof(OutcomeKind.Unknown)}", "Fin de contrat : situation inconnue",
                "Conseillers dont un contrat s'est terminé autrement (non retenu, fin anticipée, période d'essai non concluante, fin sans décision) : " +
                "leur situation n'est connue qu'au suivi à 6 mois. Un contrat renouvelé ne compte pas ici : le conseiller continue sous le nouveau contrat."),
        ]),
        new("Situation 6 mois après le contrat",
            [.. Situations.Select(k => ($"{ReportCube.Month6}.{k}", $"À 6 mois : {Kind(k).ToLowerInvariant()}",
                $"Conseillers dont la situation relevée par la structure 6 mois après la fin du contrat est « {Kind(k).ToLowerInvariant()} »."))]),
        new("Situation 12 mois après le contrat",
            [.. Situations.Select(k => ($"{ReportCube.Month12}.{k}", $"À 12 mois : {Kind(k).ToLowerInvariant()}",
                $"Conseillers dont la situation relevée par la structure 12 mois après la fin du contrat est « {Kind(k).ToLowerInvariant()} »."))]),
        new("Décisions sur la suite du contrat",
        [
            ("cdiOuTitularisation", "Décision : CDI ou titularisation", "Conseillers pour qui la structure a décidé une embauche en CDI ou une titularisation."),
            ("renouvellements", "Décision : renouvellement", "Conseillers dont la structure a décidé de renouveler le contrat."),
            ("nonRenouvellements", "Décision : non retenu", "Conseillers que la structure a décidé de ne pas garder à la fin du contrat (non-reconduction)."),
        ]),
        new("Notification des décisions",
        [
            ("delaiDePrevenanceTenu", "Décision notifiée dans le délai", "Conseillers dont la décision a été notifiée avant la date limite de prévenance."),
            ("delaiDePrevenanceManque", "Délai de prévenance manqué",
                "Conseillers dont la décision a été notifiée après la date limite de prévenance, ou dont la date limite est passée sans décision."),
        ]),
        new("Départs avant le terme",
        [
            ("finsAnticipees", "Fin anticipée", "Conseillers dont un contrat a pris fin avant son terme (démission, licenciement, rupture d'un commun accord, autre)."),
            ("periodesEssaiNonConcluantes", "Période d'essai non concluante", "Conseillers dont un contrat a pris fin pendant la période d'essai."),
        ]),
        new("Formation et certification",
        [
            ("formationInitialeTerminee", "Formation initiale terminée", "Conseillers ayant terminé leur formation initiale."),
            ("certifies", "Certifié", "Conseillers ayant réussi les deux examens de la certification : le CCP1 du titre REMN et Pix."),
        ]),
    ];

    static readonly Dictionary<string, string> Labels = Families.SelectMany(f => f.Measures).ToDictionary(m => m.Measure, m => m.Label);

    /// <summary>The measures in the order of the page (each measure of the report once).</summary>
    public static IReadOnlyList<string> Order { get; } = [.. Families.SelectMany(f => f.Measures).Select(m => m.Measure)];

    public static string Measure(string measure) => Labels.GetValueOrDefault(measure, measure);

    public static string StructureKind(string kind) => kind switch
    {
        nameof(Domain.Model.StructureKind.Commune) => "Communes",
        nameof(Domain.Model.StructureKind.Epci) => "Intercommunalités",
        nameof(Domain.Model.StructureKind.Departement) => "Départements",
        nameof(Domain.Model.StructureKind.Association) => "Associations",
        nameof(Domain.Model.StructureKind.OtherSocialEconomy) => "Autres structures de l'ESS",
        _ => kind,
    };

    /// <summary>"2024-T1" → "2024-T1 (janvier à mars 2024)".</summary>
    public static string Cohort(string cohort) => cohort.Length == 7 && int.TryParse(cohort[6..], out var q) && q is >= 1 and <= 4
        ? $"{cohort} ({Fr.Culture.DateTimeFormat.GetMonthName(3 * q - 2)} à {Fr.Culture.DateTimeFormat.GetMonthName(3 * q)} {cohort[..4]})"
        : cohort;

    public static string Dimension(string dimension) => dimension switch
    {
        "ensemble" => "Ensemble",
        "cohorte" => "Cohorte de recrutement",
        "typeDeStructure" => "Type de structure",
        "typeDeContrat" => "Type de contrat",
        _ => dimension,
    };

    /// <summary>A group's value as the page writes it.</summary>
    public static string Value(ReportGroup group) => group.Dimension switch
    {
        "ensemble" => "Ensemble de la sélection",
        "typeDeStructure" => StructureKind(group.Value),
        "typeDeContrat" => CareerLabels.ContractType(group.Value),
        _ => group.Value,
    };
}

/// <summary>
/// The auditors' downloads: CSV for a spreadsheet in French, as the dashboard's (UTF-8 with a byte order mark,
/// « ; » between fields, text that looks like a formula escaped).
/// </summary>
public static class AuditFiles
{
    public static byte[] Csv(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        using var stream = new MemoryStream();
        using (var csv = CsvWriter.Create(stream, DashboardFiles.FrenchCsv, leaveOpen: true))
        {
            csv.WriteHeader([.. header]);
            foreach (var row in rows)
            {
                foreach (var field in row) csv.WriteField(field ?? "");
                csv.EndRecord();
            }
        }
        return stream.ToArray();
    }
}
