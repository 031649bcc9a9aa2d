using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Security;

/// <summary>
/// Who reads an advisor's file, and on what ground, once it has left the active base (issue 15). The CNIL's page on
/// retention periods (cnil.fr, « Les durées de conservation des données ») describes the intermediate archive as data
/// consulted "de manière ponctuelle et motivée par des personnes spécifiquement habilitées": here the administrators and the HR
/// lead of one of the advisor's structures, each read with a reason chosen from <see cref="Reasons"/> and written in the
/// access log with it. The advisor always reads their own file (GDPR art. 15). Before the archive, the usual checks
/// (<see cref="Caller.MaySeeAdvisor"/>) alone apply.
/// </summary>
public sealed class AdvisorFiles(AdvisorQueries advisors)
{
    /// <summary>The query parameter (API) and form field (pages) that carries the reason.</summary>
    public const string ReasonParameter = "motif";

    /// <summary>
    /// The grounds an archived file may be read on: those the référentiel gives for keeping it (a claim, a legal
    /// obligation, an inspection), and the person's own request. A closed list: the access log holds no free text.
    /// </summary>
    public static readonly IReadOnlyList<(string Code, string Label)> Reasons =
    [
        ("contentieux", "Litige ou contentieux"),
        ("demande-personne", "Demande de la personne concernée"),
        ("controle", "Contrôle ou inspection"),
        ("obligation-legale", "Obligation légale ou réglementaire"),
    ];

    public enum Outcome { Allowed, NotFound, Forbidden, ReasonRequired }

    /// <param name="ArchivedOn">The day the file left the active base, or null while it is active.</param>
    /// <param name="Reason">The reason the read was given, for an archived file.</param>
    public sealed record Access(Outcome Outcome, DateOnly? ArchivedOn, string? Reason)
    {
        /// <summary>The access log's action for this read: an archived file's read names its reason ("advisors.read:archive:contentieux").</summary>
        public string Action(string action) => Reason is null ? action : $"{action}{ArchiveMark}{Reason}";
    }

    public async Task<Access> CheckAsync(Caller caller, Guid advisorId, string? reason, CancellationToken ct = default)
    {
        var file = await advisors.FileStateAsync(advisorId, caller.Email, ct);
        if (!caller.MaySeeAdvisor(advisorId, file.Structures)) return new(Outcome.NotFound, null, null);
        if (file.ArchivedOn is null || (caller.IsAdvisor && caller.AdvisorId == advisorId)) return new(Outcome.Allowed, file.ArchivedOn, null);
        var lead = caller.IsHr && file.LedByCaller.Any(caller.Structures.Contains);
        if (!caller.IsAdmin && !lead) return new(Outcome.Forbidden, file.ArchivedOn, null);
        return Reasons.Any(r => r.Code == reason) ? new(Outcome.Allowed, file.ArchivedOn, reason) : new(Outcome.ReasonRequired, file.ArchivedOn, null);
    }

    /// <summary>Whether the advisor's file has left the active base (its forms are then closed to everyone).</summary>
    public async Task<bool> IsArchivedAsync(Guid advisorId, CancellationToken ct = default) =>
        (await advisors.FileStateAsync(advisorId, "", ct)).ArchivedOn is not null;

    /// <summary>What an access-log action says of an archived file's read: the action itself, and the reason given (null for another read).</summary>
    public static (string Action, string? Reason) ParseAction(string action)
    {
        var parts = action.Split(ArchiveMark, 2);
        return (parts[0], parts.Length == 2 ? parts[1] : null);
    }

    const string ArchiveMark = ":archive:";

    public static string ForbiddenText(DateOnly archivedOn) =>
        $"Ce dossier est archivé depuis le {archivedOn:dd/MM/yyyy} : il n'est plus lu que par un administrateur ou le responsable RH référent de la structure, avec un motif.";

    public static string ReasonText(DateOnly archivedOn) =>
        $"Ce dossier est archivé depuis le {archivedOn:dd/MM/yyyy} : indiquez le motif de la lecture (paramètre {ReasonParameter} : "
        + $"{string.Join(", ", Reasons.Select(r => r.Code))}). La lecture et son motif sont inscrits au journal des accès.";
}
