using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Queries;

namespace CareerPath.Server.Web;

/// <summary>
/// One mention of the letter: what it tells the agent, and the text it comes from. <see cref="Interpretation"/>
/// says the wording (or the choice behind it) is CareerPath's reading, not the text's own words.
/// </summary>
public sealed record LetterMention(string Title, string Text, string Source, string? Interpretation = null);

/// <summary>
/// The notification letter of an end-of-contract decision, built ONCE here; the printable page
/// (/contrats/{id}/courrier) and the Word file (/contrats/{id}/courrier.docx) only render it.
/// The mentions depend on the contract's legal regime: public law (agents contractuels of the fonction
/// publique territoriale, décret n° 88-145) or private law (Code du travail, e.g. an association, or a PEC).
/// </summary>
public sealed record DecisionLetter(
    IReadOnlyList<string> Sender,
    IReadOnlyList<string> Recipient,
    string DateLine,
    string Subject,
    IReadOnlyList<string> Body,
    LetterMention Regime,
    IReadOnlyList<LetterMention> Mentions,
    IReadOnlyList<string> Signature,
    string FileName)
{
    // Sources, named once.
    const string Decree88145 = "Décret n° 88-145 du 15 février 1988, art. 38-1";
    const string AppealSources = "Code de justice administrative, art. R421-1 et R421-5 ; code des relations entre le public et l'administration, art. L411-2 et L231-4";

    /// <summary>The letter of the contract's recorded decision; null when no decision is recorded.</summary>
    public static DecisionLetter? Build(DecisionFacts facts)
    {
        var c = facts.Contract;
        if (c.Decision is not { } decision) return null;
        var regime = Enum.Parse<LegalRegime>(c.Regime);
        var type = Enum.Parse<ContractType>(c.Type);
        var employer = facts.Employer;
        var notified = decision.NotifiedOn ?? decision.DecidedOn;
        var term = c.End;
        var contractLabel = FrenchTerms.Describe(type, regime);
        var termText = term is { } t ? $"le {Fr.Date(t)}" : "sans terme (contrat à durée indéterminée)";

        var body = new List<string>
        {
            "Madame, Monsieur,",
            $"Vous êtes employé(e) par {employer.Name} en qualité de conseiller numérique, par un {contractLabel} qui a pris effet le {Fr.Date(c.Start)} et arrive à son terme {termText}.",
        };
        body.Add(decision.Kind switch
        {
            DecisionKind.Renewal => $"J'ai l'honneur de vous proposer le renouvellement de ce contrat, du {Fr.Date(term!.Value.AddDays(1))} au {Fr.Date(decision.NewEnd!.Value)}.",
            DecisionKind.PermanentHireCdi => $"J'ai l'honneur de vous proposer, à l'issue de ce contrat, un contrat à durée indéterminée sur le même emploi, à compter du {Fr.Date(term!.Value.AddDays(1))}.",
            DecisionKind.Titularisation => $"J'ai l'honneur de vous informer de ma décision de vous titulariser. Votre nomination fera l'objet d'un arrêté distinct ; votre contrat prend fin à son terme, {termText}.",
            _ => $"J'ai le regret de vous informer que ce contrat ne sera pas renouvelé : il prendra fin à son terme, {termText}.",
        });
        body.Add($"Motif de la décision : {decision.Reason}");
        body.Add($"Décision prise le {Fr.Date(decision.DecidedOn)}, notifiée le {Fr.Date(notified)}.");

        var mentions = regime == LegalRegime.Public
            ? PublicMentions(facts, decision, type, notified)
            : PrivateMentions(facts, decision, type, notified);

        return new DecisionLetter(
            Sender: new[] { employer.Name, employer.HrName is null ? null : $"Affaire suivie par : {employer.HrName}", employer.HrEmail }.OfType<string>().ToList(),
            Recipient: [c.AdvisorName, facts.AdvisorEmail],
            DateLine: $"Le {Fr.Date(notified)}",
            Subject: "Objet : " + decision.Kind switch
            {
                DecisionKind.Renewal => "proposition de renouvellement de votre contrat",
                DecisionKind.PermanentHireCdi => "proposition d'un contrat à durée indéterminée",
                DecisionKind.Titularisation => "titularisation à l'issue de votre contrat",
                _ => "non-renouvellement de votre contrat",
            },
            Body: body,
            Regime: RegimeMention(employer, regime, type),
            Mentions: mentions,
            Signature: ["Pour " + employer.Name + ",", "l'autorité signataire (nom, qualité, signature)"],
            FileName: $"courrier-decision-{c.Id:N}.docx");
    }

    /// <summary>Which law the letter follows, from the contract's regime (the employer's, a PEC being private law everywhere).</summary>
    static LetterMention RegimeMention(EmployerView employer, LegalRegime regime, ContractType type)
    {
        if (regime == LegalRegime.Private)
            return new("Droit applicable",
                $"Contrat de droit privé : le Code du travail s'applique (employeur : {employer.Name}).",
                type == ContractType.Pec ? "Code du travail, art. L1242-1 et suivants ; L5134-24 (le PEC est un contrat de droit privé)" : "Code du travail, art. L1242-1 et suivants");
        var territorial = employer.Kind is StructureKind.Commune or StructureKind.Epci or StructureKind.Departement;
        return new("Droit applicable",
            $"Agent contractuel de droit public de la fonction publique territoriale (employeur : {employer.Name}) : le décret n° 88-145 du 15 février 1988 s'applique.",
            "Code général de la fonction publique, art. L332-8 et suivants ; décret n° 88-145 du 15 février 1988",
            territorial ? null
                : "L'employeur est de droit public sans être une commune, un EPCI ou un département : CareerPath applique le décret n° 88-145 (fonction publique territoriale) ; "
                  + "pour l'État ce serait le décret n° 86-83, pour l'hôpital le décret n° 91-155. À vérifier.");
    }

    static List<LetterMention> PublicMentions(DecisionFacts facts, Decision decision, ContractType type, DateOnly notified)
    {
        var list = new List<LetterMention>();
        var c = facts.Contract;
        var noticeSource = facts.Notice?.Explanation.Rule.Source ?? Decree88145;
        if (c.NoticeDeadline is { } deadline && facts.Notice is not null)
            list.Add(new("Délai de prévenance",
                $"L'employeur notifie son intention de renouveler ou non le contrat au plus tard le {Fr.Date(deadline)}. "
                + (c.DecisionLate ? $"La présente notification, du {Fr.Date(notified)}, intervient après ce délai." : $"La présente notification, du {Fr.Date(notified)}, respecte ce délai."),
                noticeSource));
        if (facts.EntretienPrealable)
            list.Add(new("Entretien préalable",
                "Cette notification doit être précédée d'un entretien préalable, le contrat pouvant être renouvelé pour une durée indéterminée, "
                + "ou les contrats conclus pour répondre à un besoin permanent totalisant au moins 3 ans. Entretien tenu le : ……………………",
                Decree88145,
                facts.RenewalCouldBeCdi ? null
                    : "Les 3 ans sont comptés comme la durée du délai de prévenance, et le besoin est tenu pour permanent faute d'indication contraire : lecture prudente de CareerPath."));
        if (decision.Kind is DecisionKind.Renewal or DecisionKind.PermanentHireCdi)
        {
            var answer = PublicContractNotice.AgentAnswerDeadline(notified);
            list.Add(new("Délai de réponse : 8 jours",
                $"Vous disposez d'un délai de 8 jours à compter de la notification de ce courrier pour faire connaître votre réponse, soit jusqu'au {Fr.Date(answer.Date)}. "
                + "Votre silence dans ce délai vaut refus : vous serez réputé(e) renoncer à l'emploi.",
                type == ContractType.ContratDeProjet ? ContratDeProjetRules.NoticeRule.Source : Decree88145,
                decision.Kind == DecisionKind.PermanentHireCdi
                    ? "Un contrat à durée indéterminée proposé à l'issue d'un contrat à durée déterminée est un renouvellement pour une durée indéterminée : le délai de 8 jours s'applique (lecture de CareerPath)."
                    : null));
        }
        if (decision.Kind == DecisionKind.Titularisation)
            list.Add(new("Titularisation",
                "La titularisation se fait par un arrêté de nomination, distinct du présent courrier ; le contrat en cours prend fin à son terme.",
                "Code général de la fonction publique, livre III",
                "Ce courrier annonce la décision ; l'acte qui titularise est l'arrêté (lecture de CareerPath)."));
        list.Add(new("Voies et délais de recours",
            "Vous pouvez contester cette décision dans un délai de deux mois à compter de sa notification : par un recours gracieux adressé à l'autorité qui l'a prise "
            + "(ou un recours hiérarchique, s'il existe une autorité hiérarchique), et par un recours contentieux devant le tribunal administratif territorialement compétent, "
            + "qui peut être saisi par l'application Télérecours citoyens (www.telerecours.fr). Un recours gracieux ou hiérarchique formé dans ce délai le prolonge : "
            + "le délai de recours contentieux de deux mois repart de la réponse, ou du rejet implicite né du silence gardé pendant deux mois.",
            AppealSources,
            "Une collectivité territoriale n'a en principe pas d'autorité hiérarchique au-dessus de l'autorité territoriale : le recours hiérarchique est cité pour mémoire (lecture de CareerPath)."));
        return list;
    }

    static List<LetterMention> PrivateMentions(DecisionFacts facts, Decision decision, ContractType type, DateOnly notified)
    {
        // A private contrat de projet is a CDI d'opération: it has no term that ends it of itself.
        if (type == ContractType.ContratDeProjet)
            return
            [
                new("Procédure applicable",
                    "Ce contrat de chantier ou d'opération est un contrat à durée indéterminée : il ne cesse pas de plein droit à la fin de l'opération. "
                    + "Sa rupture à cette fin est un licenciement, soumis à l'entretien préalable, à la lettre de licenciement et au préavis du Code du travail. "
                    + "Ce courrier ne tient pas lieu de lettre de licenciement.",
                    "Code du travail, art. L1223-8 et L1236-8 ; art. L1232-2 à L1232-6",
                    "Lecture de CareerPath : la lettre de licenciement, avec son motif et son préavis, reste à établir selon cette procédure."),
                new("Voies et délais de recours",
                    "Un licenciement peut être contesté devant le conseil de prud'hommes dans les 12 mois de sa notification.",
                    "Code du travail, art. L1411-1 et L1471-1"),
            ];
        var list = new List<LetterMention>
        {
            new("Délai de prévenance",
                "Le Code du travail ne prévoit pas de délai de prévenance pour un contrat à durée déterminée qui arrive à son terme : il cesse de plein droit à l'échéance du terme. "
                + "Le délai de prévenance du décret n° 88-145 ne concerne que les agents de droit public.",
                "Code du travail, art. L1243-5"),
        };
        switch (decision.Kind)
        {
            case DecisionKind.Renewal:
                list.Add(new("Renouvellement",
                    "Le renouvellement prend la forme d'un avenant qui vous est soumis avant le terme du contrat. "
                    + $"Le Code du travail ne fixe pas de délai de réponse : merci de faire connaître votre réponse avant le {Fr.Date(facts.Contract.End ?? notified)}. "
                    + "Le délai de 8 jours du décret n° 88-145 (silence valant renonciation) ne s'applique pas à un contrat de droit privé.",
                    "Code du travail, art. L1243-13",
                    "La date de réponse demandée (le terme du contrat) est un choix de CareerPath, le Code du travail n'en fixant pas."));
                break;
            case DecisionKind.PermanentHireCdi:
                var answer = notified.AddDays(PublicContractNotice.AgentAnswerDays);
                list.Add(new("Délai de réponse",
                    $"Vous disposez d'un délai de 8 jours, jusqu'au {Fr.Date(answer)}, pour vous prononcer sur cette proposition. "
                    + "À l'issue de ce délai de réflexion, une absence de réponse de votre part vaut rejet de la proposition (le silence vaut refus). "
                    + "En cas de refus, l'employeur en informe France Travail dans le délai d'un mois.",
                    "Code du travail, art. L1243-11-1 et R1243-2 (décret n° 2023-1307 du 28 décembre 2023)",
                    "Le texte exige un « délai raisonnable » sans le chiffrer : CareerPath propose 8 jours, comme en droit public. Modifiez-le si besoin."));
                break;
            case DecisionKind.NotRetained when type == ContractType.Cdd:
                list.Add(new("Indemnité de fin de contrat",
                    "Le contrat ne se poursuivant pas par un contrat à durée indéterminée, une indemnité de fin de contrat égale à 10 % de la rémunération totale brute vous est due, sauf exception prévue par la loi.",
                    "Code du travail, art. L1243-8 et L1243-10"));
                break;
        }
        list.Add(new("Voies et délais de recours",
            "Vous pouvez contester cette décision devant le conseil de prud'hommes. Délais : 12 mois à compter de la notification pour une action portant sur la rupture du contrat de travail, "
            + "2 ans pour une action portant sur son exécution, dont une demande de requalification du contrat à durée déterminée en contrat à durée indéterminée.",
            "Code du travail, art. L1411-1 et L1471-1 ; Cour de cassation, chambre sociale, 29 janvier 2020, n° 18-15.359",
            "L'arrivée d'un contrat à durée déterminée à son terme n'est pas une rupture au sens de L1471-1 : le délai applicable dépend de ce qui est contesté (lecture de CareerPath ; mention informative, non exigée par le Code du travail)."));
        return list;
    }
}
