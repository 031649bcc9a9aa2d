using CareerPath.Domain.Calendar;
using CareerPath.Domain.Model;

namespace CareerPath.Domain.Rules;

/// <summary>The notice deadline of a public-law CDD, with what it was computed from.</summary>
public sealed record PublicNotice(Deadline Deadline, CumulatedService Service, CalendarPeriod NoticePeriod, bool RequiresEntretienPrealable);

/// <summary>Notice of renewal or non-renewal of a public-law fixed-term contract (fonction publique territoriale).</summary>
public static class PublicContractNotice
{
    public static readonly RuleInfo Rule = new(
        "notice.public-contract",
        "Délai de prévenance du renouvellement ou non d'un CDD de droit public",
        "L'employeur notifie son intention de renouveler ou non le contrat au plus tard 8 jours, 1 mois ou 2 mois avant son terme selon la durée cumulée des contrats (moins de 6 mois, moins de 2 ans, 2 ans ou plus), 3 mois si le renouvellement peut se faire en CDI. "
        + "La durée cumulée compte tous les contrats avec l'agent, à travers les interruptions de 4 mois au plus qui ne sont pas dues à sa démission. "
        + "Un entretien préalable précède la notification si le renouvellement peut se faire en CDI, ou si les contrats conclus pour un besoin permanent totalisent 3 ans ou plus. "
        + "Ces délais ne sont pas doublés pour un agent handicapé : le doublement, plafonné à 3 mois, est celui du préavis de licenciement (art. 40).",
        "Décret n° 88-145 du 15 février 1988, art. 38-1")
    {
        Interpretations =
        [
            "Une interruption entre deux contrats se mesure de date à date, du lendemain de la fin d'un contrat à la veille du suivant : exactement 4 mois se cumule encore. "
            + "Le décret ne dit rien des fins de mois : quand le mois d'arrivée est plus court, CareerPath s'arrête à son dernier jour, si bien qu'une interruption "
            + "du 31 octobre au 28 février fait 4 mois et 1 jour et rompt le cumul.",
            "Les durées de plusieurs contrats s'additionnent en mois et en jours, 30 jours faisant un mois.",
            "Les 3 ans de contrats qui rendent l'entretien préalable obligatoire se comptent comme la durée cumulée du délai de prévenance : "
            + "à travers les interruptions de 4 mois au plus qui ne sont pas dues à une démission.",
            "Quand le caractère permanent du besoin n'est pas renseigné, CareerPath prévoit l'entretien préalable dès 3 ans de contrats (un entretien de trop coûte une heure, "
            + "un entretien omis est une irrégularité de procédure) et tient un renouvellement en CDI pour possible dès 6 ans de services, avec le délai de 3 mois.",
        ],
    };

    public static readonly RuleInfo AgentAnswerRule = new(
        "notice.agent-answer",
        "Délai de réponse de l'agent à une proposition de renouvellement",
        "L'agent dispose de 8 jours après la notification pour accepter le renouvellement ; sans réponse, il est présumé renoncer à l'emploi.",
        "Décret n° 88-145 du 15 février 1988, art. 38-1")
    {
        Interpretations =
        [
            "Les 8 jours se comptent à partir du lendemain de la notification. Leur dernier jour n'est ni avancé ni reporté quand il tombe un samedi, "
            + "un dimanche ou un jour férié : l'avancer écourterait le délai de l'agent, et le décret ne prévoit pas de le prolonger.",
        ],
    };

    public static readonly RuleInfo CdiAfterSixYearsRule = new(
        "cdi.six-years",
        "Renouvellement en CDI après 6 ans de services",
        "Un contrat sur emploi permanent renouvelé avec un agent qui justifie de 6 ans de services publics auprès du même employeur (à travers des interruptions de 4 mois au plus) l'est pour une durée indéterminée.",
        "Code général de la fonction publique, art. L332-10 (ex-loi n° 84-53 du 26 janvier 1984, art. 3-4)")
    {
        Interpretations =
        [
            "Les interruptions se mesurent comme pour le délai de prévenance : de date à date, exactement 4 mois compte encore, et un mois d'arrivée plus court "
            + "s'arrête à son dernier jour (du 31 octobre au 28 février : 4 mois et 1 jour, le cumul est rompu).",
            "Les durées de plusieurs contrats s'additionnent en mois et en jours, 30 jours faisant un mois.",
            "Un contrat terminé par démission n'est pas compté, ni ceux qui le précèdent, comme pour le délai de prévenance (décret n° 88-145, art. 38-1) : "
            + "l'article L332-10 ne pose que la condition d'interruptions de 4 mois au plus.",
            "La catégorie hiérarchique des fonctions n'est pas vérifiée : tous les contrats avec le même employeur sont comptés, hors contrats de projet.",
            "Quand le caractère permanent du besoin n'est pas renseigné, un renouvellement est tenu pour possible en CDI dès 6 ans de services.",
        ],
    };

    public static readonly CalendarPeriod CdiThreshold = CalendarPeriod.OfYears(6);
    public static readonly CalendarPeriod EntretienThreshold = CalendarPeriod.OfYears(3);
    public const int AgentAnswerDays = 8;

    /// <summary>
    /// Whether a renewal at the term would have to be a CDI: 6 years of cumulated service. The caller must
    /// still check the post is permanent (art. L332-8) in the same category; contrats de projet never count.
    /// </summary>
    public static bool RenewalCouldBeCdi(CalendarPeriod cumulatedAtTerm) => cumulatedAtTerm >= CdiThreshold;

    /// <summary>
    /// The notice period of art. 38-1 for a cumulated length of service. A recognised disability does not change it:
    /// the doubling capped at 3 months (décret 88-145, art. 40) applies to the dismissal notice, not to this one.
    /// </summary>
    public static CalendarPeriod NoticePeriod(CalendarPeriod cumulated, bool renewalCouldBeCdi) =>
        renewalCouldBeCdi ? CalendarPeriod.OfMonths(3)
            : cumulated < CalendarPeriod.OfMonths(6) ? CalendarPeriod.OfDays(8)
            : cumulated < CalendarPeriod.OfYears(2) ? CalendarPeriod.OfMonths(1)
            : CalendarPeriod.OfMonths(2);

    /// <param name="earlierContracts">Other contracts of the advisor with the same employer (for the cumulated length).</param>
    /// <param name="renewalCouldBeCdi">Whether a renewal at the term would be a CDI (see <see cref="RenewalCouldBeCdi"/>).</param>
    /// <param name="onPermanentNeed">
    /// Whether the contracts answer a permanent need; null when unknown, which is read as "may be" for the entretien préalable.
    /// </param>
    public static PublicNotice Compute(Contract contract, IEnumerable<Contract> earlierContracts, bool renewalCouldBeCdi, bool? onPermanentNeed = null)
    {
        if (contract is not { Type: ContractType.Cdd, Regime: LegalRegime.Public, EffectiveEnd: { } term })
            throw new DomainException(Rule.Id, "Ce délai de prévenance ne concerne que les CDD de droit public.");

        var earlier = earlierContracts.ToList();
        var service = CumulatedService.UpToTermOf(contract, earlier);
        var notice = NoticePeriod(service.Total, renewalCouldBeCdi);
        // Contrats de projet are by law on non-permanent posts (décret 88-145, art. 1): they never count towards
        // the 3 years "conclus pour répondre à un besoin permanent".
        var onPermanentNeedTotal = earlier.Any(c => c.Type == ContractType.ContratDeProjet)
            ? CumulatedService.UpToTermOf(contract, earlier.Where(c => c.Type != ContractType.ContratDeProjet)).Total
            : service.Total;
        var (entretien, entretienWhy) = RequiresEntretien(renewalCouldBeCdi, onPermanentNeedTotal, onPermanentNeed);

        var explanation = new ExplanationBuilder(Rule)
            .Input("Début du contrat", contract.Start)
            .Input("Terme du contrat", term)
            .Input("Durée cumulée", service.Total.Describe())
            .Input("Renouvellement possible en CDI", renewalCouldBeCdi ? "oui" : "non")
            .Input("Besoin permanent", onPermanentNeed switch { true => "oui", false => "non", null => "non renseigné" });
        foreach (var step in service.Describe()) explanation.Step(step);
        explanation.Step(renewalCouldBeCdi
            ? "Le renouvellement peut se faire en CDI : délai de 3 mois (4°)."
            : $"{BaseCase(service.Total)}.");
        var unadjusted = DateMath.Subtract(term, notice);
        explanation.Step($"Terme du {FrenchFormat.Date(term)} moins {notice.Describe()} : {FrenchFormat.Date(unadjusted)}.");
        if (entretienWhy is not null) explanation.Step(entretienWhy);
        if (entretien) explanation.Step("Un entretien préalable doit précéder la notification.");
        explanation.Step($"Si le renouvellement est proposé, l'agent a {AgentAnswerDays} jours pour répondre ; son silence vaut renonciation à l'emploi.");

        var label = "Notifier le renouvellement ou non du contrat" + (!entretien ? ""
            : renewalCouldBeCdi || onPermanentNeed == true ? " (entretien préalable obligatoire)"
            : " (entretien préalable obligatoire si le besoin est permanent)");
        return new(explanation.OnPreviousWorkingDay(label, unadjusted), service, notice, RequiresEntretienPrealable: entretien);
    }

    // Art. 38-1 requires an entretien préalable when the renewal could be a CDI, or when "la durée du contrat ou de
    // l'ensemble des contrats conclus pour répondre à un besoin permanent" is 3 years or more. Two readings are
    // CareerPath's: the 3 years are counted like the notice's cumulated length (across interruptions of 4 months at
    // most, not after a resignation), and when nobody said whether the need is permanent (null) the entretien is
    // planned, since one held for nothing costs an hour while omitting a required one is a procedural irregularity.
    // Returns the answer and the step that says why (none when the CDI step already says it, or below 3 years).
    private static (bool Required, string? Why) RequiresEntretien(bool renewalCouldBeCdi, CalendarPeriod onPermanentNeedTotal, bool? onPermanentNeed)
    {
        if (renewalCouldBeCdi) return (true, null);
        if (onPermanentNeedTotal < EntretienThreshold) return (false, null);
        var total = onPermanentNeedTotal.Describe();
        return onPermanentNeed switch
        {
            true => (true, $"Contrats conclus pour un besoin permanent totalisant {total}, 3 ans ou plus : entretien préalable obligatoire."),
            false => (false, $"Contrats totalisant {total}, mais pour un besoin non permanent : pas d'entretien préalable obligatoire."),
            null => (true, $"Contrats totalisant {total}, 3 ans ou plus ; le caractère permanent du besoin n'est pas renseigné : "
                + "lecture prudente de CareerPath, l'entretien préalable est prévu (il n'est obligatoire que pour un besoin permanent)."),
        };
    }

    /// <summary>
    /// Last day for the agent to accept a proposed renewal: notification + 8 days. Not moved to a working day:
    /// moving it earlier would shorten the agent's time, and the décret does not extend it.
    /// </summary>
    public static Deadline AgentAnswerDeadline(DateOnly notifiedOn)
    {
        var date = notifiedOn.AddDays(AgentAnswerDays);
        return new ExplanationBuilder(AgentAnswerRule)
            .Input("Notification du renouvellement", notifiedOn)
            .Step($"Notification du {FrenchFormat.Date(notifiedOn)} plus {AgentAnswerDays} jours : {FrenchFormat.Date(date)}.")
            .Unadjusted("Fin du délai de réponse de l'agent (silence = renonciation)", date,
                "Délai de l'agent : il n'est pas avancé au jour ouvré précédent, ce qui l'écourterait.");
    }

    private static string BaseCase(CalendarPeriod cumulated) =>
        cumulated < CalendarPeriod.OfMonths(6) ? "Moins de 6 mois : délai de 8 jours (1°)"
        : cumulated < CalendarPeriod.OfYears(2) ? "De 6 mois à moins de 2 ans : délai de 1 mois (2°)"
        : "2 ans ou plus : délai de 2 mois (3°)";
}
