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
        var v = new Values(templateId, data);
        var link = baseUrl.TrimEnd('/') + v["link"];
        (string Subject, string[] Paragraphs) mail = templateId switch
        {
            Templates.Welcome => ($"Bienvenue dans le programme Conseiller numérique — {v["advisorName"]}",
                [$"Bonjour {v["advisorName"]},", $"Votre contrat avec {v["structureName"]} commence le {v.Date("contractStart")}.",
                 "Vous retrouverez dans CareerPath vos échéances : fin de période d'essai, formation, certification, entretien de mi-parcours."]),
            Templates.TrainingStart => ($"Formation initiale à programmer — {v["advisorName"]}",
                [$"{v["advisorName"]} ({v["structureName"]}) n'est pas encore inscrit(e) à la formation initiale.",
                 $"Elle devait commencer au plus tard le {v.Date("dueOn")} (un mois après la prise de poste)."]),
            Templates.Milestones => ($"Vos prochaines étapes de formation — {v["advisorName"]}",
                v.Has("trainingStart")
                    ? [$"Bonjour {v["advisorName"]},", $"Votre formation initiale ({v["hours"]} h) est programmée du {v.Date("trainingStart")} au {v.Date("trainingEnd")}.",
                       "Les examens de certification (CCP1 et Pix) seront à passer dans les 6 mois qui suivent."]
                    : [$"Bonjour {v["advisorName"]},", $"Votre formation initiale est terminée : passez le CCP1 et la certification Pix au plus tard le {v.Date("examDeadline")}.",
                       v["explanation"]]),
            Templates.CertificationDeadline => ($"Certification non obtenue à l'échéance — {v["advisorName"]}",
                [$"L'échéance des examens de certification de {v["advisorName"]} ({v["structureName"]}) était le {v.Date("dueOn")}.",
                 "Les deux examens (CCP1 du titre REMN et Pix) ne sont pas enregistrés comme réussis."]),
            Templates.ThematicModuleDue => ($"Module thématique à suivre — {v["advisorName"]}",
                [$"Bonjour {v["advisorName"]},", $"Un module de formation thématique est attendu pour le {v.Date("dueOn")}."]),
            Templates.MidContractReview => ($"Entretien de mi-parcours — {v["advisorName"]}",
                [$"L'entretien de mi-parcours de {v["advisorName"]} ({v["structureName"]}) est dû : mi-parcours le {v.Date("dueOn")}."]),
            Templates.DecisionReminder => ($"Décision à notifier avant le {v.Date("noticeDeadline")} — {v["advisorName"]}",
                [$"Le contrat de {v["advisorName"]} ({v["structureName"]}) se termine le {v.Date("contractEnd")}.",
                 $"La décision (titularisation, CDI, renouvellement ou non) doit être notifiée au plus tard le {v.Date("noticeDeadline")}.",
                 $"Règle {v["ruleId"]} — {v["source"]}.", v["explanation"]]),
            Templates.DecisionOverdue => ($"Délai de prévenance dépassé — {v["advisorName"]}",
                [$"Aucune décision n'a été notifiée à {v["advisorName"]} ({v["structureName"]}) avant le {v.Date("noticeDeadline")}.",
                 $"Le contrat se termine le {v.Date("contractEnd")}. Ce message est adressé au référent RH de la structure.",
                 $"Règle {v["ruleId"]} — {v["source"]}.", v["explanation"]]),
            Templates.DecisionRecorded => DecisionRecorded(v, DecisionRecordedMail.From(data)),
            Templates.FollowUp => ($"Suivi à {v["months"]} mois — {v["advisorName"]}",
                [$"Le contrat de {v["advisorName"]} ({v["structureName"]}) a pris fin le {v.Date("contractEnd")}.",
                 $"Merci d'indiquer sa situation {v["months"]} mois après : emploi durable, recherche d'emploi, formation, autre ou inconnue."]),
            Templates.RecruitmentDeadline => ($"Délai de recrutement dépassé — {v["postLabel"]}",
                [$"Le poste « {v["postLabel"]} » de {v["structureName"]} n'est pas pourvu 3 mois après son attribution.",
                 $"Fin du financement : {v.Date("fundingEnd")}."]),
            Templates.PostVacant => ($"Poste vacant à pourvoir avant le {v.Date("refillDeadline")} — {v["postLabel"]}",
                [$"Le poste « {v["postLabel"]} » de {v["structureName"]} est vacant.",
                 $"Un nouveau conseiller doit être recruté au plus tard le {v.Date("refillDeadline")}.", v["explanation"]]),
            Templates.RefillDeadline => ($"Délai pour pourvoir le poste dépassé — {v["postLabel"]}",
                [$"Le poste « {v["postLabel"]} » de {v["structureName"]} est vacant depuis plus de 3 mois.",
                 $"Fin du financement : {v.Date("fundingEnd")}."]),
            Templates.TrancheDue => ($"Versement de subvention attendu — {v["postLabel"]}",
                [$"Une tranche de la subvention du poste « {v["postLabel"]} » ({v["structureName"]}) est attendue.",
                 $"Fin du financement : {v.Date("fundingEnd")}."]),
            Templates.FundingEnding => ($"Fin du financement le {v.Date("fundingEnd")} — {v["postLabel"]}",
                [$"Le financement du poste « {v["postLabel"]} » de {v["structureName"]} se termine le {v.Date("fundingEnd")}.", v["explanation"]]),
            Templates.WeeklyDigest => ($"Vos échéances des 30 prochains jours — {v["structureName"]}",
                [$"Semaine du {v.Date("weekOf")} — {v["structureName"]}.",
                 .. v.Items("deadlines", d => $"À venir, {FrenchDay(d["dueOn"])} : {d["label"]} — {d["about"]}", "Aucune échéance dans les 30 prochains jours."),
                 .. v.Items("overdue", d => $"En retard depuis le {FrenchDay(d["dueOn"])} : {d["title"]}", "Aucune tâche en retard.")]),
            _ => throw new MissingTemplateValueException(templateId, "(modèle inconnu)"),
        };
        return new RenderedMail(mail.Subject, Text(mail.Paragraphs, link), Html(mail.Subject, mail.Paragraphs, link), Deadline(templateId, v));
    }

    static (string, string[]) DecisionRecorded(Values v, DecisionRecordedMail m) =>
        ($"Décision enregistrée : {m.DecisionInWords} — {v["advisorName"]}",
        [
            $"{v["structureName"]} a enregistré le {French(m.DecidedOn)} {m.DecidedOn.Year} sa décision sur le contrat de {v["advisorName"]} : {m.DecisionInWords}"
                + (m.NewEnd is { } end ? $", jusqu'au {French(end)} {end.Year}." : "."),
            $"Notifiée le {French(m.NotifiedOn)} {m.NotifiedOn.Year} ; elle devait l'être au plus tard le {French(m.NoticeDeadline)} {m.NoticeDeadline.Year} ({m.NoticeRuleSource}).",
            m.Late ? "La décision a été notifiée après ce délai de prévenance." : "La décision a été notifiée dans ce délai.",
        ]);

    /// <summary>Reminders of a deadline still ahead carry it as a calendar event.</summary>
    static MailDeadline? Deadline(string templateId, Values v)
    {
        var (field, summary) = templateId switch
        {
            Templates.DecisionReminder => ("noticeDeadline", $"Notifier la décision sur le contrat de {v["advisorName"]}"),
            Templates.PostVacant => ("refillDeadline", $"Pourvoir le poste « {v["postLabel"]} »"),
            Templates.FundingEnding => ("fundingEnd", $"Fin du financement du poste « {v["postLabel"]} »"),
            Templates.Milestones when v.Has("examDeadline") => ("examDeadline", "Passer le CCP1 et la certification Pix"),
            Templates.Milestones => ("trainingStart", "Début de la formation initiale"),
            _ => (null, ""),
        };
        return field is null ? null : new MailDeadline(v.Day(field), summary);
    }

    static string FrenchDay(string iso) => French(DateOnly.ParseExact(iso, "yyyy-MM-dd"));

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

    /// <summary>The row's values; a missing one is an error, never an empty string in a sent e-mail.</summary>
    sealed class Values(string template, JsonObject data)
    {
        public string this[string field] => data[field]?.ToString() is { Length: > 0 } value ? value : throw new MissingTemplateValueException(template, field);

        public bool Has(string field) => data[field] is not null;

        /// <summary>One line per element of a list, or the given line when the list is empty.</summary>
        public IEnumerable<string> Items(string field, Func<Values, string> line, string whenEmpty)
        {
            var items = data[field] as JsonArray ?? throw new MissingTemplateValueException(template, field);
            return items.Count == 0 ? [whenEmpty] : items.Select(i => line(new Values(template, i!.AsObject())));
        }

        public DateOnly Day(string field) =>
            DateOnly.TryParseExact(this[field], "yyyy-MM-dd", out var d) ? d : throw new MissingTemplateValueException(template, field);

        /// <summary>"2025-11-14" → "vendredi 14 novembre 2025"; "2025-11-01" → "samedi 1er novembre 2025".</summary>
        public string Date(string field) => French(Day(field)) + " " + Day(field).Year;
    }
}
