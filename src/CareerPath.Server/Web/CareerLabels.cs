using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;

namespace CareerPath.Server.Web;

/// <summary>
/// The workflow's words (states, triggers, actors) and the contract's (type, regime, decision, end) in
/// French, for the pages. Names come from <see cref="ContractState"/>, <see cref="ContractTrigger"/> and the model's enums.
/// </summary>
public static class CareerLabels
{
    public static string State(string? state) => state switch
    {
        null => "Sans suivi",
        nameof(ContractState.Created) => "Créé",
        nameof(ContractState.Recruited) => "Recruté, contrat à venir",
        nameof(ContractState.Running) => "En cours",
        nameof(ContractState.TrialPeriod) => "Période d'essai",
        nameof(ContractState.InitialTraining) => "Formation initiale",
        nameof(ContractState.AwaitingCertification) => "En attente de certification",
        nameof(ContractState.Active) => "En poste",
        nameof(ContractState.MidContractReview) => "Entretien de mi-parcours",
        nameof(ContractState.DecisionPending) => "Décision à prendre",
        nameof(ContractState.Hired) => "Embauche décidée",
        nameof(ContractState.Renewed) => "Renouvellement décidé",
        nameof(ContractState.NotRetained) => "Non-reconduction décidée",
        nameof(ContractState.Ended) => "Contrat terminé",
        nameof(ContractState.EarlyTerminated) => "Fin anticipée",
        nameof(ContractState.TrialFailed) => "Période d'essai non concluante",
        nameof(ContractState.FollowUp) => "Suivi après le contrat",
        nameof(ContractState.Closed) => "Clos",
        _ => state,
    };

    /// <summary>The DSFR badge colour of a state: running (info), a decision due (warning), ended (grey), decided (success).</summary>
    public static string StateBadge(string? state) => state switch
    {
        nameof(ContractState.DecisionPending) or nameof(ContractState.MidContractReview) => "fr-badge--warning",
        nameof(ContractState.Hired) or nameof(ContractState.Renewed) => "fr-badge--success",
        nameof(ContractState.NotRetained) or nameof(ContractState.EarlyTerminated) or nameof(ContractState.TrialFailed) => "fr-badge--error",
        nameof(ContractState.Ended) or nameof(ContractState.FollowUp) or nameof(ContractState.Closed) or null => "",
        _ => "fr-badge--info",
    };

    public static bool IsOver(string? state) => state is null or nameof(ContractState.Closed);

    public static string Trigger(string trigger) => trigger switch
    {
        nameof(ContractTrigger.Start) => "Contrat enregistré",
        nameof(ContractTrigger.ContractStarted) => "Début du contrat",
        nameof(ContractTrigger.TrialEnded) => "Fin de la période d'essai",
        nameof(ContractTrigger.TrialFailed) => "Période d'essai non concluante",
        nameof(ContractTrigger.TrainingStartDue) => "Formation initiale à programmer",
        nameof(ContractTrigger.TrainingScheduled) => "Formation initiale programmée",
        nameof(ContractTrigger.TrainingCompleted) => "Formation initiale terminée",
        nameof(ContractTrigger.ExamPassed) => "Examen réussi",
        nameof(ContractTrigger.ExamFailed) => "Examen non réussi",
        nameof(ContractTrigger.CertificationDeadline) => "Échéance de la certification",
        nameof(ContractTrigger.ThematicModuleDue) => "Module thématique attendu",
        nameof(ContractTrigger.ThematicModuleCompleted) => "Module thématique suivi",
        nameof(ContractTrigger.MidContractReviewDue) => "Entretien de mi-parcours à mener",
        nameof(ContractTrigger.ReviewCompleted) => "Entretien de mi-parcours réalisé",
        nameof(ContractTrigger.DecisionReminder) => "Rappel : décision à prendre",
        nameof(ContractTrigger.NoticeDeadline) => "Date limite de notification atteinte",
        nameof(ContractTrigger.Decide) => "Décision enregistrée",
        nameof(ContractTrigger.AmendContract) => "Avenant enregistré",
        nameof(ContractTrigger.FundingChanged) => "Financement du poste modifié",
        nameof(ContractTrigger.FundingEnded) => "Fin du financement du poste",
        nameof(ContractTrigger.EarlyTerminate) => "Fin anticipée du contrat",
        nameof(ContractTrigger.ContractEnded) => "Fin du contrat",
        nameof(ContractTrigger.FollowUpDue) => "Suivi à 6 mois",
        nameof(ContractTrigger.FinalFollowUpDue) => "Suivi à 12 mois",
        nameof(ContractTrigger.OutcomeRecorded) => "Devenir du conseiller enregistré",
        nameof(ContractTrigger.CareerChanged) => "Échéances recalculées (parcours modifié)",
        _ => trigger,
    };

    /// <summary>Who acted, as staff read it: "timer" is CareerPath itself; "hr:someone@…" a person and their role.</summary>
    public static string Actor(string? actor)
    {
        if (string.IsNullOrEmpty(actor)) return "";
        if (actor == WorkflowEngine.TimerActor) return "CareerPath (échéance)";
        var parts = actor.Split(':', 2);
        if (parts.Length < 2) return actor == "system" ? "CareerPath" : actor;
        var role = parts[0] switch
        {
            "hr" => "RH",
            "admin" => "administration",
            "advisor" => "conseiller",
            "import" => "import",
            _ => parts[0],
        };
        return $"{parts[1]} ({role})";
    }

    public static string ContractType(string type) => type switch
    {
        nameof(Domain.Model.ContractType.Cdd) => "CDD",
        nameof(Domain.Model.ContractType.Cdi) => "CDI",
        nameof(Domain.Model.ContractType.Pec) => "Parcours emploi compétences",
        nameof(Domain.Model.ContractType.ContratDeProjet) => "Contrat de projet",
        _ => type,
    };

    public static string Regime(string regime) => regime switch
    {
        nameof(LegalRegime.Public) => "droit public",
        nameof(LegalRegime.Private) => "droit privé",
        _ => regime,
    };

    public static string Decision(DecisionKind kind) => kind switch
    {
        DecisionKind.PermanentHireCdi => "Embauche en CDI",
        DecisionKind.Titularisation => "Titularisation",
        DecisionKind.Renewal => "Renouvellement",
        DecisionKind.NotRetained => "Non-reconduction",
        _ => kind.ToString(),
    };

    public static string Termination(TerminationReason reason) => reason switch
    {
        TerminationReason.Resignation => "démission",
        TerminationReason.Dismissal => "licenciement",
        TerminationReason.MutualAgreement => "rupture d'un commun accord",
        TerminationReason.TrialFailed => "période d'essai non concluante",
        _ => "autre motif",
    };

    public static string Training(TrainingModuleKind kind) => kind switch
    {
        TrainingModuleKind.InitialTraining => "Formation initiale",
        TrainingModuleKind.Ccp1Exam => "Examen CCP1",
        TrainingModuleKind.PixExam => "Certification Pix",
        TrainingModuleKind.Thematic => "Module thématique",
        _ => kind.ToString(),
    };
}
