namespace CareerPath.Workflows.Privacy;

/// <summary>The categories of personal data CareerPath keeps, each with its own retention line.</summary>
public enum DataCategory
{
    ContractsAndWorkflows,
    Decisions,
    FollowUpOutcomes,
    Trainings,
    Tasks,
    Journal,
    Messages,
    CalendarFeeds,
    TokensAndSessions,
    Incidents,
    AccessLog,
}

/// <summary>One category's line of the policy, in the words of the register and the README.</summary>
/// <param name="Interpretation">The duration is CareerPath's reading of the texts, not a duration a text sets.</param>
public sealed record RetentionLine(DataCategory Category, string Label, string Data, string Active, string Archive, string Then, string Source,
    bool Interpretation);

/// <summary>
/// How long each category of personal data is kept, read from the configuration section <see cref="Section"/>. The
/// defaults follow the CNIL's human-resources référentiel (délibération n° 2019-160 du 21 novembre 2019): an active base
/// while the purpose lasts, an intermediate archive with restricted access, then erasure; its logging recommendation
/// (délibération n° 2021-122 du 14 octobre 2021) for the access log. Where no text sets a duration, the line says it is
/// CareerPath's interpretation, to be confirmed by the employer's data protection officer.
/// </summary>
public sealed record RetentionPolicy
{
    public const string Section = "CareerPath:Retention";

    /// <summary>
    /// The file stays in the active base this long after the end of the advisor's last contract: the program follows
    /// what became of them at 6 and 12 months.
    /// </summary>
    public int ActiveMonthsAfterLastContract { get; init; } = 12;

    /// <summary>
    /// Then the intermediate archive, until this many years after the end of the last contract. Five years: for a private
    /// employer, the limitation period of personal actions (Code civil, art. 2224); for a public one, whose agents' claims
    /// follow the four-year limitation counted from the 1st of January after the year they arose (loi n° 68-1250), about as
    /// long. After it, the name, e-mail and free texts are erased; the records stay under pseudonyms. A public employer's
    /// records are public archives: their elimination needs the archives service's approval (Code du patrimoine, art.
    /// L212-2), which the dry run's counts serve to ask for. CareerPath's reading, for the DPO and the archivist to confirm.
    /// </summary>
    public int ArchiveYearsAfterLastContract { get; init; } = 5;

    /// <summary>The access log: 6 months to 1 year (CNIL, délibération 2021-122); 12 months here.</summary>
    public int AccessLogMonths { get; init; } = 12;

    /// <summary>Sent e-mails (outbox rows and pickup files), counted from sending. Interpretation: see <see cref="Lines"/>.</summary>
    public int MessagesMonths { get; init; } = 12;

    /// <summary>Revoked or expired API tokens and calendar feeds, counted from their end; expired sessions go at once.</summary>
    public int ClosedCredentialsMonths { get; init; } = 12;

    /// <summary>Resolved incidents, counted from their resolution.</summary>
    public int ResolvedIncidentsMonths { get; init; } = 12;

    /// <summary>What is wrong with this policy, in French; empty when it can be applied.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Range(string name, int value, int min, int max)
        {
            if (value < min || value > max) problems.Add($"{Section}:{name} vaut {value} : attendu entre {min} et {max}.");
        }
        Range(nameof(ActiveMonthsAfterLastContract), ActiveMonthsAfterLastContract, 12, 60);
        Range(nameof(ArchiveYearsAfterLastContract), ArchiveYearsAfterLastContract, 1, 10);
        // The CNIL's recommendation: no less than 6 months (to investigate an incident), no more than a year.
        Range(nameof(AccessLogMonths), AccessLogMonths, 6, 12);
        Range(nameof(MessagesMonths), MessagesMonths, 1, 60);
        Range(nameof(ClosedCredentialsMonths), ClosedCredentialsMonths, 1, 60);
        Range(nameof(ResolvedIncidentsMonths), ResolvedIncidentsMonths, 1, 60);
        if (ArchiveYearsAfterLastContract * 12 < ActiveMonthsAfterLastContract)
            problems.Add($"{Section}:{nameof(ArchiveYearsAfterLastContract)} ({ArchiveYearsAfterLastContract} ans) finit avant la base active "
                         + $"({ActiveMonthsAfterLastContract} mois après le dernier contrat).");
        return problems;
    }

    const string Referentiel = "CNIL, référentiel « gestion du personnel » (délibération n° 2019-160 du 21 novembre 2019)";

    string ActiveText => $"pendant le contrat, puis {ActiveMonthsAfterLastContract} mois après la fin du dernier contrat (suivi à 6 et 12 mois)";
    string ArchiveText => $"jusqu'à {ArchiveYearsAfterLastContract} ans après la fin du dernier contrat ; lecture réservée à l'administrateur "
                          + "et au responsable RH, chaque lecture motivée et journalisée";
    string FileSource => $"{Referentiel} : base active, archivage intermédiaire, puis suppression ; {ArchiveYearsAfterLastContract} ans : "
                         + "employeur privé, prescription des actions personnelles (Code civil, art. 2224) ; employeur public, prescription "
                         + "quadriennale des créances sur les personnes publiques (loi n° 68-1250 du 31 décembre 1968), et visa du service "
                         + "d'archives avant toute élimination d'archives publiques (Code du patrimoine, art. L212-2)";

    /// <summary>
    /// The policy as a Markdown table, one row per category: the README's retention table is this text (a test keeps them
    /// in step), so what the README says is what the job does with the default configuration.
    /// </summary>
    public string ToMarkdownTable()
    {
        static string Cell(string text) => text.Replace("|", "\\|");
        var table = new System.Text.StringBuilder();
        table.Append("| Catégorie | Base active | Archivage intermédiaire | Ensuite | Source |\n|---|---|---|---|---|\n");
        foreach (var l in Lines)
            table.Append($"| {Cell(l.Label)} | {Cell(l.Active)} | {Cell(l.Archive)} | {Cell(l.Then)} | {Cell(l.Source)}{(l.Interpretation ? " *(interprétation)*" : "")} |\n");
        return table.ToString();
    }

    /// <summary>The policy as the register of processing and the README state it, one line per category.</summary>
    public IReadOnlyList<RetentionLine> Lines =>
    [
        new(DataCategory.ContractsAndWorkflows, "Contrats et données de leurs workflows",
            "identité du conseiller (nom, e-mail professionnel, reconnaissance de handicap), contrats, avenants, fins anticipées, échéances",
            ActiveText, ArchiveText,
            "nom, e-mail, reconnaissance de handicap, notes et motifs libres effacés ; compte du conseiller supprimé ; le contrat reste sous pseudonyme",
            FileSource, Interpretation: true),
        new(DataCategory.Decisions, "Décisions de fin de contrat",
            "type de décision, dates de décision et de notification, délai de prévenance, motif libre",
            ActiveText, ArchiveText,
            "motif libre effacé ; la décision reste sous pseudonyme dans le contrat et dans le journal chaîné des décisions (qui ne contient ni nom ni texte libre)",
            FileSource, Interpretation: true),
        new(DataCategory.FollowUpOutcomes, "Suites de parcours (6 et 12 mois)",
            "situation du conseiller à la fin du contrat, à 6 et à 12 mois",
            ActiveText, ArchiveText,
            "conservées sous pseudonyme pour les résultats du programme (RGPD, art. 5-1-e et 89 : fins statistiques)",
            FileSource + " ; statistiques : RGPD, art. 89", Interpretation: true),
        new(DataCategory.Trainings, "Formations et certifications",
            "formation initiale, examens (CCP1, Pix), modules thématiques",
            ActiveText, ArchiveText,
            "conservées sous pseudonyme avec le contrat",
            FileSource, Interpretation: true),
        new(DataCategory.Tasks, "Tâches",
            "tâches de décision, de revue, de formation et de suivi ; leur titre nomme le conseiller",
            ActiveText, ArchiveText,
            "nom retiré du titre, motif libre et auteur effacés",
            FileSource, Interpretation: true),
        new(DataCategory.Journal, "Journal des transitions",
            "qui (rôle et e-mail), quand, quoi, pourquoi, données du signal",
            ActiveText, ArchiveText,
            "auteur réduit à son rôle, motif et données du signal effacés ; la transition reste datée",
            FileSource, Interpretation: true),
        new(DataCategory.Messages, "E-mails envoyés (file d'envoi et dossier de dépôt)",
            "destinataire, modèle, données du message",
            $"{MessagesMonths} mois après l'envoi, une fois le suivi du contrat clos (sa clé anti-doublon vit avec lui)", "aucun",
            "supprimés (ligne et fichier .eml) ; ceux d'un conseiller effacé, avec lui",
            "interprétation de CareerPath : preuve de l'envoi des rappels, alignée sur la durée du journal des accès (CNIL, délibération n° 2021-122)",
            Interpretation: true),
        new(DataCategory.CalendarFeeds, "Abonnements iCalendar",
            "condensat du jeton secret, compte",
            $"tant que le compte existe ; {ClosedCredentialsMonths} mois après la révocation", "aucun",
            "supprimés ; ceux d'un compte supprimé, avec lui",
            "interprétation de CareerPath : traçabilité des accès, alignée sur la durée du journal des accès (CNIL, délibération n° 2021-122)",
            Interpretation: true),
        new(DataCategory.TokensAndSessions, "Jetons d'API et sessions",
            "condensat du jeton, compte, dates ; sessions du site",
            $"jetons : {ClosedCredentialsMonths} mois après leur révocation ou expiration ; sessions : jusqu'à leur expiration", "aucun",
            "supprimés ; ceux d'un compte supprimé, avec lui",
            "interprétation de CareerPath : traçabilité des accès, alignée sur la durée du journal des accès (CNIL, délibération n° 2021-122)",
            Interpretation: true),
        new(DataCategory.Incidents, "Incidents",
            "effet en échec, erreur (sans adresse), tentatives",
            $"jusqu'à leur résolution, puis {ResolvedIncidentsMonths} mois", "aucun",
            "supprimés ; ceux d'un conseiller effacé, avec lui",
            "interprétation de CareerPath : suivi d'exploitation",
            Interpretation: true),
        new(DataCategory.AccessLog, "Journal des accès",
            "qui (compte et rôle), quand, quelle lecture, de quelles personnes",
            $"{AccessLogMonths} mois", "aucun",
            "supprimé par le début de la chaîne ; l'ancre (dernier maillon supprimé) garde la chaîne vérifiable",
            "CNIL, recommandation relative à la journalisation (délibération n° 2021-122 du 14 octobre 2021) : 6 mois à 1 an recommandés",
            Interpretation: false),
    ];
}
