using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CareerPath.Workflows.Definitions;

namespace CareerPath.Workflows.Notifications;

/// <summary>A message ready to send: French subject, plain text and HTML bodies, and the deadline it reminds of, if any.</summary>
public sealed record RenderedMail(string Subject, string Text, string Html, MailDeadline? Deadline = null);

/// <summary>The day a reminder is about, sent along as an .ics event.</summary>
public sealed record MailDeadline(DateOnly Day, string Summary);

/// <summary>A template asked for a value its outbox row does not carry: a bug to surface, not an e-mail to send half-filled.</summary>
public sealed class MissingTemplateValueException(string template, string field)
    : Exception($"Le modèle « {template} » demande la valeur « {field} », absente du message.");

/// <summary>
/// The French e-mails of every template id the workflows emit. Each one says what is due, when, for
/// whom, and links to the page in CareerPath; deadline reminders add the rule and its source.
/// </summary>
public static class MailTemplates
{
    public static RenderedMail Render(string templateId, JsonObject data, string baseUrl)
    {
        T Read<T>() => MailData.Read<T>(templateId, data);
        (string Subject, string[] Paragraphs, string Link, MailDeadline? Deadline) mail = templateId switch
        {
            Templates.Welcome or Templates.TrainingStart or Templates.Milestones or Templates.CertificationDeadline or Templates.ThematicModuleDue
                or Templates.MidContractReview or Templates.DecisionReminder or Templates.DecisionOverdue or Templates.DecisionRecorded
                or Templates.FollowUp => Contract(templateId, Read<ContractMailSubject>(), data),
            Templates.RecruitmentDeadline or Templates.PostVacant or Templates.RefillDeadline or Templates.TrancheDue
                or Templates.FundingEnding => Post(templateId, Read<PostMailSubject>(), data),
            Templates.WeeklyDigest => Digest(Read<WeeklyDigestMail>()),
            _ => throw new MissingTemplateValueException(templateId, "(modèle inconnu)"),
        };
        var link = baseUrl.TrimEnd('/') + mail.Link;
        return new RenderedMail(mail.Subject, Text(mail.Paragraphs, link), Html(mail.Subject, mail.Paragraphs, link), mail.Deadline);
    }

    static (string, string[], string, MailDeadline?) Contract(string templateId, ContractMailSubject s, JsonObject data)
    {
        T Read<T>() => MailData.Read<T>(templateId, data);
        var name = s.AdvisorName;
        (string Subject, string[] Paragraphs, MailDeadline? Deadline) mail = templateId switch
        {
            Templates.Welcome => Read<WelcomeMail>() is var m
                ? ($"Bienvenue dans le programme Conseiller numérique — {name}",
                   [$"Bonjour {name},", $"Votre contrat avec {s.StructureName} commence le {Long(m.ContractStart)}.",
                    "Vous retrouverez dans CareerPath vos échéances : fin de période d'essai, formation, certification, entretien de mi-parcours."], null)
                : default,
            Templates.TrainingStart => Read<TrainingStartMail>() is var m
                ? ($"Formation initiale à programmer — {name}",
                   [$"{name} ({s.StructureName}) n'est pas encore inscrit(e) à la formation initiale.",
                    $"Elle devait commencer au plus tard le {Long(m.DueOn)} (un mois après la prise de poste)."], null)
                : default,
            // One template, two messages: the training scheduled, then the exams to pass once it is done.
            Templates.Milestones when data["trainingStart"] is not null => Read<TrainingScheduledMail>() is var m
                ? ($"Vos prochaines étapes de formation — {name}",
                   [$"Bonjour {name},", $"Votre formation initiale ({m.Hours} h) est programmée du {Long(m.TrainingStart)} au {Long(m.TrainingEnd)}.",
                    "Les examens de certification (CCP1 et Pix) seront à passer dans les 6 mois qui suivent."],
                   new MailDeadline(m.TrainingStart, "Début de la formation initiale"))
                : default,
            Templates.Milestones => Read<ExamsDueMail>() is var m
                ? ($"Vos prochaines étapes de formation — {name}",
                   [$"Bonjour {name},", $"Votre formation initiale est terminée : passez le CCP1 et la certification Pix au plus tard le {Long(m.ExamDeadline)}.",
                    m.Explanation], new MailDeadline(m.ExamDeadline, "Passer le CCP1 et la certification Pix"))
                : default,
            Templates.CertificationDeadline => Read<DueOnMail>() is var m
                ? ($"Certification non obtenue à l'échéance — {name}",
                   [$"L'échéance des examens de certification de {name} ({s.StructureName}) était le {Long(m.DueOn)}.",
                    "Les deux examens (CCP1 du titre REMN et Pix) ne sont pas enregistrés comme réussis."], null)
                : default,
            Templates.ThematicModuleDue => Read<DueOnMail>() is var m
                ? ($"Module thématique à suivre — {name}", [$"Bonjour {name},", $"Un module de formation thématique est attendu pour le {Long(m.DueOn)}."], null)
                : default,
            Templates.MidContractReview => Read<DueOnMail>() is var m
                ? ($"Entretien de mi-parcours — {name}", [$"L'entretien de mi-parcours de {name} ({s.StructureName}) est dû : mi-parcours le {Long(m.DueOn)}."], null)
                : default,
            Templates.DecisionReminder => Read<NoticeDeadlineMail>() is var m
                ? ($"Décision à notifier avant le {Long(m.NoticeDeadline)} — {name}",
                   [$"Le contrat de {name} ({s.StructureName}) se termine le {Long(Required(templateId, "contractEnd", m.ContractEnd))}.",
                    $"La décision (titularisation, CDI, renouvellement ou non) doit être notifiée au plus tard le {Long(m.NoticeDeadline)}.",
                    $"Règle {m.RuleId} — {m.Source}.", m.Explanation], new MailDeadline(m.NoticeDeadline, $"Notifier la décision sur le contrat de {name}"))
                : default,
            Templates.DecisionOverdue => Read<NoticeDeadlineMail>() is var m
                ? ($"Délai de prévenance dépassé — {name}",
                   [$"Aucune décision n'a été notifiée à {name} ({s.StructureName}) avant le {Long(m.NoticeDeadline)}.",
                    $"Le contrat se termine le {Long(Required(templateId, "contractEnd", m.ContractEnd))}. Ce message est adressé au référent RH de la structure.",
                    $"Règle {m.RuleId} — {m.Source}.", m.Explanation], null)
                : default,
            Templates.DecisionRecorded => Read<DecisionRecordedMail>() is var m
                ? ($"Décision enregistrée : {m.DecisionInWords} — {name}",
                   [$"{s.StructureName} a enregistré le {Long(m.DecidedOn)} sa décision sur le contrat de {name} : {m.DecisionInWords}"
                        + (m.NewEnd is { } end ? $", jusqu'au {Long(end)}." : "."),
                    $"Notifiée le {Long(m.NotifiedOn)} ; elle devait l'être au plus tard le {Long(m.NoticeDeadline)} ({m.NoticeRuleSource}).",
                    m.Late ? "La décision a été notifiée après ce délai de prévenance." : "La décision a été notifiée dans ce délai."], null)
                : default,
            _ => Read<FollowUpMail>() is var m
                ? ($"Suivi à {m.Months} mois — {name}",
                   [$"Le contrat de {name} ({s.StructureName}) a pris fin le {Long(Required(templateId, "contractEnd", m.ContractEnd))}.",
                    $"Merci d'indiquer sa situation {m.Months} mois après : emploi durable, recherche d'emploi, formation, autre ou inconnue."], null)
                : default,
        };
        return (mail.Subject, mail.Paragraphs, s.Link, mail.Deadline);
    }

    static (string, string[], string, MailDeadline?) Post(string templateId, PostMailSubject s, JsonObject data)
    {
        T Read<T>() => MailData.Read<T>(templateId, data);
        var label = s.PostLabel;
        string FundingEnd() => Long(Required(templateId, "fundingEnd", s.FundingEnd));
        (string Subject, string[] Paragraphs, MailDeadline? Deadline) mail = templateId switch
        {
            Templates.RecruitmentDeadline => ($"Délai de recrutement dépassé — {label}",
                [$"Le poste « {label} » de {s.StructureName} n'est pas pourvu 3 mois après son attribution.", $"Fin du financement : {FundingEnd()}."], null),
            Templates.PostVacant => Read<PostVacantMail>() is var m
                ? ($"Poste vacant à pourvoir avant le {Long(m.RefillDeadline)} — {label}",
                   [$"Le poste « {label} » de {s.StructureName} est vacant.",
                    $"Un nouveau conseiller doit être recruté au plus tard le {Long(m.RefillDeadline)}.", m.Explanation],
                   new MailDeadline(m.RefillDeadline, $"Pourvoir le poste « {label} »"))
                : default,
            Templates.RefillDeadline => ($"Délai pour pourvoir le poste dépassé — {label}",
                [$"Le poste « {label} » de {s.StructureName} est vacant depuis plus de 3 mois.", $"Fin du financement : {FundingEnd()}."], null),
            Templates.TrancheDue => ($"Versement de subvention attendu — {label}",
                [$"Une tranche de la subvention du poste « {label} » ({s.StructureName}) est attendue.", $"Fin du financement : {FundingEnd()}."], null),
            _ => Read<FundingEndingMail>() is var m
                ? ($"Fin du financement le {FundingEnd()} — {label}",
                   [$"Le financement du poste « {label} » de {s.StructureName} se termine le {FundingEnd()}.", m.Explanation],
                   new MailDeadline(Required(templateId, "fundingEnd", s.FundingEnd), $"Fin du financement du poste « {label} »"))
                : default,
        };
        return (mail.Subject, mail.Paragraphs, s.Link, mail.Deadline);
    }

    static (string, string[], string, MailDeadline?) Digest(WeeklyDigestMail m) =>
        ($"Vos échéances des 30 prochains jours — {m.StructureName}",
        [
            $"Semaine du {Long(m.WeekOf)} — {m.StructureName}.",
            .. m.Deadlines.Count == 0 ? ["Aucune échéance dans les 30 prochains jours."] : m.Deadlines.Select(d => $"À venir, {French(d.DueOn)} : {d.Label} — {d.About}"),
            .. m.Overdue.Count == 0 ? ["Aucune tâche en retard."] : m.Overdue.Select(d => $"En retard depuis le {French(d.DueOn)} : {d.Title}"),
        ], m.Link, null);

    static T Required<T>(string template, string field, T? value) where T : struct =>
        value ?? throw new MissingTemplateValueException(template, field);

    /// <summary>"2025-11-14" → "vendredi 14 novembre 2025"; "2025-11-01" → "samedi 1er novembre 2025".</summary>
    static string Long(DateOnly d) => French(d) + " " + d.Year;

    static readonly string[] Days = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
    static readonly string[] Months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    /// <summary>Written out by hand: the words must not depend on the server's culture data, and French says "1er".</summary>
    static string French(DateOnly d) => $"{Days[(int)d.DayOfWeek]} {(d.Day == 1 ? "1er" : d.Day.ToString())} {Months[d.Month - 1]}";

    static string Text(IEnumerable<string> paragraphs, string link) =>
        string.Join("\n\n", paragraphs.Append($"Voir dans CareerPath : {link}")) + "\n";

    static string Html(string subject, IEnumerable<string> paragraphs, string link)
    {
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(subject)).Append("</title></head><body>");
        foreach (var p in paragraphs) html.Append("<p>").Append(WebUtility.HtmlEncode(p)).Append("</p>");
        html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(link)).Append("\">Voir dans CareerPath</a></p></body></html>");
        return html.ToString();
    }
}
