using System.Globalization;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Queries;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CareerPath.Server.Web;

/// <summary>The services of the program coordinators' national view and its open-data file.</summary>
public static class ProgramPages
{
    public static IServiceCollection AddProgramPages(this IServiceCollection services)
    {
        services.TryAddSingleton<ProgramQueries>();
        return services;
    }
}

/// <summary>
/// Where the program view looks: the whole country, a region, or a département (its region follows from it).
/// Read from the query string (« ?region=76 », « ?departement=48 »), INSEE codes as <see cref="Territory"/> knows them.
/// </summary>
public sealed record ProgramFilter(Region? Region, Departement? Departement)
{
    public static readonly ProgramFilter National = new(null, null);

    /// <summary>The filter of the query string, or the French sentence that says what is wrong with it.</summary>
    public static (ProgramFilter? Filter, string? Error) Parse(string? region, string? departement)
    {
        Region? r = null;
        Departement? d = null;
        if (!string.IsNullOrWhiteSpace(region) && (r = Territory.FindRegion(region)) is null)
            return (null, $"Région inconnue {Workflows.Engine.InputEcho.Quote(region)} : choisissez une région de la liste.");
        if (!string.IsNullOrWhiteSpace(departement) && (d = Territory.FindDepartement(departement)) is null)
            return (null, $"Le département {Workflows.Engine.InputEcho.Quote(departement)} {Territory.UnknownDepartement}.");
        if (r is not null && d is not null && d.Region != r)
            return (null, $"Le département {d.Name} ({d.Code}) n'est pas dans la région {r.Name} : choisissez l'un ou l'autre.");
        return (new ProgramFilter(d?.Region ?? r, d), null);
    }

    public bool IsNational => Region is null && Departement is null;

    /// <summary>« la France entière », « la région Occitanie », « le département Lozère (48) ».</summary>
    public string Name => Departement is { } d ? $"{d.Name} ({d.Code})" : Region is { } r ? r.Name : "France entière";

    /// <summary>The query string of the filter (« » for the national view), for links and the file.</summary>
    public string Query => Departement is { } d ? $"?departement={d.Code}" : Region is { } r ? $"?region={r.Code}" : "";

    /// <summary>The lines of the counts this filter shows.</summary>
    public ProgramArea Area(ProgramCounts counts)
    {
        var found = Departement is { } d ? counts.Departements.FirstOrDefault(a => a.DepartementCode == d.Code)
            : Region is { } r ? counts.Regions.FirstOrDefault(a => a.RegionCode == r.Code)
            : counts.National;
        // A region or département without any structure: zeros (no people there, nothing to hide).
        return found ?? new ProgramArea(Departement is null ? ProgramLevel.Region : ProgramLevel.Departement, Region?.Code, Departement?.Code, null, null, null,
            new ProgramFigures(0, 0, 0, 0, new int[ProgramQueries.FundingMonths], 0, 0));
    }

    public IReadOnlyList<ProgramArea> Structures(ProgramCounts counts) => counts.StructuresIn(Region?.Code, Departement?.Code);
}

/// <summary>Names of regions, départements and months for the program pages.</summary>
public static class ProgramLabels
{
    public const string NotGiven = "Non renseigné";

    public static string Region(string? code) => code is null ? NotGiven : Territory.FindRegion(code)?.Name ?? code;

    public static string Departement(string? code) => code is null ? NotGiven : Territory.FindDepartement(code) is { } d ? $"{d.Name} ({d.Code})" : code;

    /// <summary>« janvier 2027 ».</summary>
    public static string Month(DateOnly month) => month.ToString("MMMM yyyy", Fr.Culture);

    public static string Outcome(string kind) => kind switch
    {
        nameof(OutcomeKind.EmployedPermanentlyElsewhere) => "En emploi durable ailleurs",
        nameof(OutcomeKind.HiredByStructure) => "Embauché par la structure",
        nameof(OutcomeKind.JobSeeker) => "En recherche d'emploi",
        nameof(OutcomeKind.Training) => "En formation",
        nameof(OutcomeKind.Other) => "Autre situation",
        nameof(OutcomeKind.Unknown) => "Situation inconnue",
        _ => kind,
    };

    /// <summary>The outcomes report's measures the program view shows, in order, in French (ReportQueries' names).</summary>
    public static readonly IReadOnlyList<(string Measure, string Label)> OutcomeMeasures =
    [
        ("conseillers", "Conseillers suivis (tous contrats)"),
        ("cdiOuTitularisation", "CDI ou titularisation décidés"),
        ("renouvellements", "Renouvellements décidés"),
        ("nonRenouvellements", "Non-reconductions décidées"),
        ("finsAnticipees", "Fins anticipées"),
        ("delaiDePrevenanceTenu", "Décisions notifiées dans le délai de prévenance"),
        ("delaiDePrevenanceManque", "Décisions notifiées en retard ou délai manqué"),
        ("formationInitialeTerminee", "Formation initiale terminée"),
        ("certifies", "Certifiés"),
    ];
}

/// <summary>
/// The open-data file of the program view: one row per structure. Choices, stated on the page too: « , »
/// between fields and RFC 4180 quoting, as data.gouv.fr's schema guidance recommends for published CSV
/// (« Focus : Construire un schéma TableSchema », guides.data.gouv.fr), column names in lower-case
/// snake_case without accents, dates as ISO 8601; UTF-8 with a byte order mark so that a spreadsheet opens
/// the accents right (and TableSchema validators read it as UTF-8). A hidden count is an empty cell with
/// its own « …_masque » column set to true: a program reads a number or nothing, never « &lt; 5 ».
/// </summary>
public static class ProgramOpenData
{
    static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Separator = ',', Injection = CsvInjection.Escape, WriteByteOrderMark = true,
    };

    /// <summary>A column of the file: its name and what it holds (the page lists them).</summary>
    public sealed record Column(string Name, string Description);

    public static string MonthColumn(DateOnly month) => "fins_financement_" + month.ToString("yyyy_MM", CultureInfo.InvariantCulture);

    public static IReadOnlyList<Column> Columns(IReadOnlyList<DateOnly> months) =>
    [
        new("date_donnees", "Jour des données (AAAA-MM-JJ) : les comptes sont ceux de ce jour."),
        new("code_region", "Code INSEE de la région (Code officiel géographique), vide si la structure n'a pas de département renseigné."),
        new("nom_region", "Nom de la région."),
        new("code_departement", "Code INSEE du département (01 à 95, 2A, 2B, 971 à 976), vide s'il n'est pas renseigné."),
        new("nom_departement", "Nom du département."),
        new("nom_structure", "Nom de la structure employeuse (employeur public ou de l'économie sociale et solidaire)."),
        new("siret", "SIRET de la structure (14 chiffres), vide s'il n'est pas connu."),
        new("postes_finances", "Postes dont le financement de l'État est attribué et non terminé."),
        new("postes_occupes", "Postes financés occupés par un conseiller sous contrat."),
        new("postes_vacants", "Postes financés sans conseiller, à pourvoir (premier recrutement ou remplacement)."),
        .. months.Select(m => new Column(MonthColumn(m), $"Postes dont le financement de l'État prend fin en {ProgramLabels.Month(m)}" +
            (m == months[0] ? " (à partir du jour des données)." : "."))),
        new("decisions_a_prendre", "Décisions de fin de contrat à prendre (reconduire, embaucher ou non) : vide si masqué."),
        new("decisions_a_prendre_masque", "true si le nombre précédent est masqué (1 à 4 personnes, ou case qui permettrait de le retrouver), sinon false."),
        new("decisions_en_retard", "Dont la date limite de prévenance est passée : vide si masqué."),
        new("decisions_en_retard_masque", "true si le nombre précédent est masqué, sinon false."),
    ];

    public static byte[] Csv(ProgramCounts counts, IReadOnlyList<ProgramArea> structures)
    {
        using var stream = new MemoryStream();
        using (var csv = CsvWriter.Create(stream, Options, leaveOpen: true))
        {
            csv.WriteHeader(Columns(counts.Months).Select(c => c.Name).ToArray());
            var day = counts.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var s in structures)
            {
                var region = s.RegionCode is { } r ? Territory.FindRegion(r) : null;
                var departement = s.DepartementCode is { } d ? Territory.FindDepartement(d) : null;
                foreach (var text in (string?[])[day, s.RegionCode, region?.Name, s.DepartementCode, departement?.Name, s.StructureName, s.Siret])
                    csv.WriteField(text ?? "");
                var f = s.Figures;
                // Numbers, not text: a count is never mistaken for a formula.
                foreach (var n in (int[])[f.FundedPosts, f.OccupiedPosts, f.VacantPosts, .. f.FundingEnds]) csv.WriteField(n, default);
                foreach (var people in (int?[])[f.DecisionsDue, f.DecisionsOverdue])
                {
                    if (people is { } v) csv.WriteField(v, default);
                    else csv.WriteField("");
                    csv.WriteField(people is null ? "true" : "false");
                }
                csv.EndRecord();
            }
        }
        return stream.ToArray();
    }
}
