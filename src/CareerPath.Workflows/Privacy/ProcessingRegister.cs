using System.Text;

namespace CareerPath.Workflows.Privacy;

/// <summary>
/// Who answers for the processing, read from the configuration section <see cref="Section"/>. CareerPath cannot know
/// it: each employer structure is the controller of its agents' data and fills these in; until then the register
/// says so instead of naming anyone.
/// </summary>
public sealed record RegisterController
{
    public const string Section = "CareerPath:Register";

    /// <summary>The employer structure (name and address).</summary>
    public string? Name { get; init; }

    /// <summary>How to reach the controller about personal data (a service's address, not a person's if avoidable).</summary>
    public string? Contact { get; init; }

    /// <summary>The data protection officer's contact (délégué à la protection des données).</summary>
    public string? ProtectionOfficer { get; init; }
}

/// <summary>A purpose of the processing and its legal basis (GDPR art. 6, and art. 9 for the one special category).</summary>
/// <param name="Interpretation">The basis is CareerPath's analysis, to be confirmed by the data protection officer.</param>
public sealed record RegisterPurpose(string Purpose, string Basis, string Texts, bool Interpretation);

/// <summary>A category of people whose data CareerPath processes, and what it holds about them.</summary>
public sealed record RegisterSubject(string Category, string Data);

/// <summary>Who receives what, and what keeps them to it in the code.</summary>
public sealed record RegisterRecipient(string Recipient, string Receives, string Safeguard);

/// <summary>A security measure that CareerPath really applies, and where it lives (so that a reader can check it).</summary>
public sealed record RegisterMeasure(string Measure, string Detail, string Where);

/// <summary>
/// The record of processing activities (GDPR art. 30-1) for CareerPath, generated from its configuration: the
/// retention lines and the categories of data come from <see cref="RetentionPolicy.Lines"/>, the controller from
/// <see cref="RegisterController"/>; the rest states what the code does. The administrators' page renders this model,
/// and <see cref="ToMarkdown"/> is the file docs/registre-des-traitements.md (a test keeps the two in step).
/// </summary>
public sealed record ProcessingRegister(RetentionPolicy Policy, RegisterController Controller)
{
    public const string Name = "Gestion des parcours des conseillers numériques (CareerPath)";

    /// <summary>What stands in for a field of <see cref="RegisterController"/> the structure has not configured.</summary>
    public const string ToFill = "À compléter par la structure employeuse";

    public static ProcessingRegister For(RetentionPolicy policy, RegisterController? controller = null) => new(policy, controller ?? new RegisterController());

    public string ControllerName => Filled(Controller.Name, $"{RegisterController.Section}:{nameof(RegisterController.Name)}");
    public string ControllerContact => Filled(Controller.Contact, $"{RegisterController.Section}:{nameof(RegisterController.Contact)}");
    public string ProtectionOfficer => Filled(Controller.ProtectionOfficer, $"{RegisterController.Section}:{nameof(RegisterController.ProtectionOfficer)}");

    static string Filled(string? value, string setting) =>
        string.IsNullOrWhiteSpace(value) ? $"{ToFill} (paramètre {setting})" : value.Trim();

    /// <summary>
    /// The purposes and their legal bases. Interpretation throughout: no text names the basis of this processing, so each
    /// line is CareerPath's reading, for the employer's data protection officer to confirm or correct.
    /// </summary>
    public IReadOnlyList<RegisterPurpose> Purposes { get; } =
    [
        new("Gestion administrative des contrats des conseillers : recrutement, période d'essai, avenants, renouvellements, fins de contrat, "
            + "délais de prévenance et rappels des échéances",
            "Obligation légale (RGPD, art. 6-1-c)",
            "Agents contractuels de la fonction publique territoriale : décret n° 88-145 du 15 février 1988 (notamment art. 38-1 : délai de prévenance) ; employeurs de droit privé : Code du travail",
            Interpretation: true),
        new("Suivi de la formation initiale, des certifications (CCP1, Pix) et des modules thématiques exigés par le programme",
            "Obligation légale (RGPD, art. 6-1-c)",
            "Obligations de l'employeur envers le programme Conseillers numériques (convention de financement) ; interprétation de CareerPath : "
            + "si la convention n'est pas regardée comme une obligation légale, la base serait la mission d'intérêt public (art. 6-1-e)",
            Interpretation: true),
        new("Remontées au programme : postes financés, occupés et vacants, fins de financement, décisions dues, devenir des conseillers",
            "Obligation légale (RGPD, art. 6-1-c) pour l'employeur ; mission d'intérêt public (RGPD, art. 6-1-e) pour les services de l'État qui coordonnent le programme",
            "Programme Conseillers numériques (plan de relance) : conventions de financement ; chiffres agrégés, sans personne nommée",
            Interpretation: true),
        new("Contrôle par les représentants du personnel des décisions de fin de contrat et du respect des délais, sous pseudonyme",
            "Obligation légale (RGPD, art. 6-1-c), à défaut mission d'intérêt public (RGPD, art. 6-1-e)",
            "Interprétation de CareerPath : aucun texte ne prévoit ce contrôle sous cette forme ; il est rattaché au dialogue social de l'employeur, "
            + "et ne porte que sur des données pseudonymisées",
            Interpretation: true),
        new("Reconnaissance de la qualité de travailleur handicapé (donnée sensible) : suivi de l'obligation d'emploi des travailleurs handicapés ; "
            + "aucune échéance calculée par CareerPath n'en dépend, et elle n'est jamais montrée aux auditeurs syndicaux ni au programme",
            "Obligations en matière de droit du travail et de protection sociale (RGPD, art. 9-2-b), en plus de l'art. 6-1-c",
            "Obligation d'emploi des travailleurs handicapés (Code du travail, art. L5212-2 et suivants) ; "
            + "interprétation de CareerPath : si la structure n'en a pas l'usage, la donnée n'est pas à renseigner",
            Interpretation: true),
        new("Sécurité du service : comptes, sessions, journal des accès aux données personnelles, journal chaîné des décisions",
            "Obligation légale (RGPD, art. 6-1-c et art. 32 : sécurité du traitement)",
            "RGPD, art. 32 ; CNIL, recommandation relative à la journalisation (délibération n° 2021-122 du 14 octobre 2021)",
            Interpretation: true),
    ];

    public IReadOnlyList<RegisterSubject> Subjects { get; } =
    [
        new("Conseillers numériques", "identité, contrats, échéances, formations, décisions, devenir ; compte s'ils en ont un"),
        new("Responsables RH des structures employeuses", "compte (nom, e-mail professionnel, structures), actions qu'ils enregistrent, lectures journalisées"),
        new("Auditeurs syndicaux", "compte (nom, e-mail professionnel), lectures journalisées"),
        new("Coordinateurs du programme (État, national ou régional)", "compte (nom, e-mail professionnel), lectures journalisées"),
        new("Administrateurs de CareerPath", "compte (nom, e-mail professionnel), actions d'administration, lectures journalisées"),
    ];

    /// <summary>The categories of personal data: one per retention line, so that the register and the policy cannot disagree.</summary>
    public IReadOnlyList<(string Category, string Data)> DataCategories => Policy.Lines.Select(l => (l.Label, l.Data)).ToList();

    public IReadOnlyList<RetentionLine> Retention => Policy.Lines;

    public IReadOnlyList<RegisterRecipient> Recipients { get; } =
    [
        new("Responsables RH de la structure employeuse", "les dossiers des conseillers de leurs structures, et eux seuls",
            "contrôle de chaque dossier : un dossier d'une autre structure répond « introuvable » ; chaque lecture journalisée"),
        new("Le conseiller lui-même", "son contrat, ses échéances et ses formations",
            "il ne voit que son propre dossier ; chaque lecture journalisée"),
        new("Auditeurs syndicaux", "devenir des conseillers, décisions et respect des délais, journal chaîné des décisions : sous pseudonyme uniquement",
            "jamais de nom, d'e-mail, de structure ni de texte libre ; pseudonymes par hachage à clé ; effectifs de 1 à 4 masqués"),
        new("Coordinateurs du programme (État)", "comptages par structure, département et région : postes, fins de financement, décisions, devenir",
            "jamais de personne nommée ; petits effectifs (moins de 5) masqués, y compris par soustraction"),
        new("Administrateurs de CareerPath", "tout, pour l'exploitation du service : instances, journal, incidents, e-mails envoyés, comptes, journal des accès",
            "rôle réservé ; chaque lecture de données personnelles journalisée"),
    ];

    public const string Transfers =
        "Aucun transfert hors de l'Union européenne par CareerPath : la base de données, les e-mails en attente et les ressources du site "
        + "(système de design de l'État, sans CDN) restent sur le serveur de la structure. L'hébergement et le serveur de messagerie choisis par "
        + "la structure doivent l'être aussi : à vérifier par elle.";

    /// <summary>
    /// The measures the code applies today, each with where to check it (paths from the repository's root; a test checks
    /// they exist). A measure not in the code does not go here.
    /// </summary>
    public IReadOnlyList<RegisterMeasure> Measures { get; } =
    [
        new("Moindre privilège en base de données",
            "deux rôles PostgreSQL : le propriétaire applique les migrations ; le serveur se connecte avec un rôle qui lit et écrit des lignes, "
            + "ne peut ni modifier ni supprimer une table, et n'a qu'INSERT et SELECT sur les journaux ; les entrées du journal des accès "
            + "échues ne sortent que par une fonction du propriétaire, qui laisse une ancre",
            "src/CareerPath.Workflows/Storage/LeastPrivilege.cs ; README, « Least privilege: two roles »"),
        new("Journaux chaînés",
            "le journal des décisions et le journal des accès sont en ajout seul et chaînés par SHA-256 : modifier, insérer ou supprimer une ligne "
            + "casse la chaîne (hors la purge des entrées échues, dont l'ancre garde la chaîne vérifiable) ; leurs têtes sont écrites chaque nuit "
            + "dans le journal du serveur",
            "src/CareerPath.Workflows/Storage/Migrations (0002, 0003, 0008, 0011) ; /api/integrity ; README, « Hash-chained logs and their exported heads »"),
        new("Journal des accès",
            "chaque lecture de données personnelles (fiche, liste, export) est journalisée avant que les données ne quittent le serveur : qui, quand, quoi, quels conseillers",
            "src/CareerPath.Server/Security/AccessLog.cs ; page /admin/journal-des-acces"),
        new("Contrôle d'accès par rôle et par dossier",
            "chaque point d'accès exige un rôle ; chaque dossier est vérifié contre la personne connectée (un responsable RH ne lit que ses structures, "
            + "un conseiller que son dossier)",
            "src/CareerPath.Server/Security/Caller.cs, src/CareerPath.Workflows/Queries/ReadScope.cs ; tests de la matrice d'autorisation (AuthorizationMatrixTests)"),
        new("Mots de passe et secrets",
            "mots de passe hachés (PBKDF2 salé, ASP.NET Core Identity) ; compte verrouillé après des échecs répétés ; nombre de tentatives de connexion "
            + "limité par adresse ; jetons d'API et flux iCalendar conservés sous forme de condensat SHA-256",
            "src/CareerPath.Server/Security/Accounts.cs (CareerPath:Accounts) ; src/CareerPath.Server/Api/ApiSetup.cs (CareerPath:RateLimits)"),
        new("Sessions côté serveur",
            "le cookie ne porte qu'une clé aléatoire ; la déconnexion, la désactivation d'un compte ou le changement de ses structures mettent fin à ses sessions ; 8 heures glissantes",
            "src/CareerPath.Server/Security/ServerSessions.cs"),
        new("En-têtes de sécurité",
            "Content-Security-Policy sans script en ligne, X-Frame-Options, X-Content-Type-Options, Referrer-Policy, Cache-Control: no-store hors ressources statiques, "
            + "Strict-Transport-Security sur toute requête HTTPS ; jeton anti-falsification sur chaque formulaire. Le chiffrement TLS lui-même est celui "
            + "du serveur frontal de la structure",
            "src/CareerPath.Server/Web/WebSetup.cs ; README, « Security headers »"),
        new("Pseudonymes pour les auditeurs syndicaux",
            "hachage à clé (HMAC-SHA256) de l'identifiant ; la clé reste en base et n'est jamais transmise",
            "src/CareerPath.Server/Security/Pseudonyms.cs"),
        new("Conservation limitée et effacement",
            "chaque nuit, une tâche archive les dossiers sortis de la base active, efface l'identité des conseillers dont l'archivage est échu "
            + "(partout où elle a été copiée : données des workflows, tâches, journal, e-mails et fichiers déposés) et supprime ce qui a dépassé sa durée ; "
            + "simulation sans effet ; chaque exécution consignée par ses seuls nombres",
            "src/CareerPath.Workflows/Privacy/Retention.cs ; page /admin/conservation ; README, « Personal data over time: retention and erasure »"),
        new("Archive intermédiaire à accès restreint",
            "un dossier archivé quitte les listes des responsables RH ; sa fiche, son parcours, son export et ses contrats ne sont lus que par "
            + "un administrateur ou le responsable RH référent de la structure, avec un motif choisi dans une liste et inscrit au journal des accès ; "
            + "ses formulaires sont fermés ; le conseiller lit toujours son propre dossier. Les pages d'exploitation de l'administrateur "
            + "(instances, journal) restent lisibles sans motif, et journalisées",
            "src/CareerPath.Server/Security/AdvisorFiles.cs"),
        new("Masquage des petits effectifs",
            "tout effectif de 1 à 4 personnes est affiché « < 5 », ainsi que les cellules qui le redonneraient par soustraction ou par ses bornes",
            "src/CareerPath.Workflows/Queries/ReportCube.cs ; README, « Small-cell suppression that bounds cannot undo »"),
    ];

    /// <summary>The register in French Markdown: headings and tables, the same content as the administrators' page.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        void Table(string[] headers, IEnumerable<string[]> rows)
        {
            Line("| " + string.Join(" | ", headers.Select(Cell)) + " |");
            Line("|" + string.Concat(headers.Select(_ => "---|")));
            foreach (var row in rows) Line("| " + string.Join(" | ", row.Select(Cell)) + " |");
            Line();
        }

        Line($"# Registre des activités de traitement — {Name}");
        Line();
        Line("Fiche du registre prévue par l'article 30-1 du RGPD. Elle est produite par CareerPath à partir de sa configuration "
             + $"(durées de conservation : section `{RetentionPolicy.Section}` ; responsable du traitement : section `{RegisterController.Section}`) "
             + "et de ce que son code met en œuvre. Les mentions « " + InterpretationMark + " » sont une lecture des textes par CareerPath, "
             + "à confirmer par le délégué à la protection des données de la structure employeuse.");
        Line();

        Line("## Responsable du traitement");
        Line();
        Table(["Rubrique", "Renseignement"],
        [
            ["Traitement", Name],
            ["Responsable du traitement (structure employeuse)", ControllerName],
            ["Contact", ControllerContact],
            ["Délégué à la protection des données", ProtectionOfficer],
        ]);

        Line("## Finalités et bases légales");
        Line();
        Table(["Finalité", "Base légale", "Textes", "Statut"], Purposes.Select(p => new[] { p.Purpose, p.Basis, p.Texts, Status(p.Interpretation) }));

        Line("## Personnes concernées");
        Line();
        Table(["Catégorie de personnes", "Données traitées à leur sujet"], Subjects.Select(s => new[] { s.Category, s.Data }));

        Line("## Catégories de données personnelles");
        Line();
        Table(["Catégorie", "Données"], DataCategories.Select(c => new[] { c.Category, c.Data }));
        Line("Donnée sensible (RGPD, art. 9) : la reconnaissance de la qualité de travailleur handicapé, dans l'identité du conseiller.");
        Line();

        Line("## Destinataires");
        Line();
        Table(["Destinataire", "Ce qu'il reçoit", "Garanties"], Recipients.Select(r => new[] { r.Recipient, r.Receives, r.Safeguard }));

        Line("## Transferts hors de l'Union européenne");
        Line();
        Line(Transfers);
        Line();

        Line("## Durées de conservation prévues");
        Line();
        Table(["Catégorie", "Base active", "Archivage intermédiaire", "Ensuite", "Source"],
            Retention.Select(l => new[] { l.Label, l.Active, l.Archive, l.Then, Source(l) }));
        Line($"Paramètres en vigueur (section `{RetentionPolicy.Section}`) :");
        Line();
        foreach (var (setting, value) in Settings) Line($"- `{setting}` : {value}");
        Line();

        Line("## Mesures de sécurité");
        Line();
        Table(["Mesure", "Ce qu'elle fait", "Où la vérifier"], Measures.Select(m => new[] { m.Measure, m.Detail, m.Where }));
        return md.ToString();
    }

    public const string InterpretationMark = "Interprétation de CareerPath";

    public static string Status(bool interpretation) => interpretation ? $"{InterpretationMark}, à confirmer par le délégué à la protection des données" : "Texte";

    /// <summary>A retention line's source, marked when the duration is CareerPath's reading rather than a text's.</summary>
    public static string Source(RetentionLine line) =>
        line.Interpretation && !line.Source.Contains(InterpretationMark, StringComparison.OrdinalIgnoreCase) ? $"{line.Source} ({InterpretationMark})" : line.Source;

    /// <summary>The policy's settings and the values in force, as an administrator changes them.</summary>
    public IReadOnlyList<(string Setting, string Value)> Settings =>
    [
        (nameof(RetentionPolicy.ActiveMonthsAfterLastContract), $"{Policy.ActiveMonthsAfterLastContract} mois"),
        (nameof(RetentionPolicy.ArchiveYearsAfterLastContract), $"{Policy.ArchiveYearsAfterLastContract} ans"),
        (nameof(RetentionPolicy.AccessLogMonths), $"{Policy.AccessLogMonths} mois"),
        (nameof(RetentionPolicy.MessagesMonths), $"{Policy.MessagesMonths} mois"),
        (nameof(RetentionPolicy.ClosedCredentialsMonths), $"{Policy.ClosedCredentialsMonths} mois"),
        (nameof(RetentionPolicy.ResolvedIncidentsMonths), $"{Policy.ResolvedIncidentsMonths} mois"),
    ];

    /// <summary>A table cell: a pipe would end the cell, a line break the row.</summary>
    static string Cell(string text) => text.Replace("|", "\\|").ReplaceLineEndings(" ");
}
