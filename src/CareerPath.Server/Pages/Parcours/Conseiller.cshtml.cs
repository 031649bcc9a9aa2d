using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Parcours;

/// <summary>
/// The advisor page for staff: identity, contracts and the career chain, and each contract's lifecycle
/// (journal, deadlines reached and to come, each with its explanation). The API's checks: an HR manager
/// of one of the advisor's structures, or an administrator; anyone else gets the not-found page.
/// </summary>
public sealed class ConseillerModel(AdvisorCareer career, AdvisorFiles files) : CareerPathPage
{
    public AdvisorCareerView View { get; private set; } = null!;
    public DateOnly Today => career.Today;

    /// <summary>The reason an archived file is read for (AdvisorFiles); the page says it, the access log records it.</summary>
    [BindProperty(SupportsGet = true, Name = AdvisorFiles.ReasonParameter)]
    public string? Motif { get; set; }

    /// <summary>Set when the file is archived and was opened with a reason.</summary>
    public AdvisorFiles.Access? Archive { get; private set; }

    public override IReadOnlyList<Crumb> Breadcrumb =>
        [new("Accueil", "/"), new("Conseillers", "/conseillers"), new(View?.Advisor.FullName ?? "Conseiller")];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        // The advisor's own record is their own page.
        if (Caller.IsAdvisor && Caller.AdvisorId == id) return Redirect("/mon-contrat");
        if (!(Caller.IsHr || Caller.IsAdmin)) return NotFoundPage();
        var access = await files.CheckAsync(Caller, id, Motif, ct);
        switch (access.Outcome)
        {
            case AdvisorFiles.Outcome.NotFound:
                return NotFoundPage();
            // An archived file: the page that asks for the reason, or says who may read it.
            case AdvisorFiles.Outcome.Forbidden or AdvisorFiles.Outcome.ReasonRequired:
                return Redirect($"/conseillers/{id}/archive{(Motif is null ? "" : "?erreur=motif")}");
        }
        if (await career.LoadAsync(id, Scope, showActors: true, ct) is not { } view) return NotFoundPage();
        View = view;
        Archive = access.ArchivedOn is null ? null : access;
        await LogReadAsync(access.Action("advisors.page"), "advisor", id, [id], view.Contracts.Count);
        return Page();
    }

    /// <summary>The forms of a contract, each a page of its own (the decision's and the others' are the decision pages').</summary>
    public static IReadOnlyList<(string Href, string Label)> Actions(ContractSection s)
    {
        var id = s.Id;
        var list = new List<(string, string)>();
        if (!CareerLabels.IsOver(s.Contract.State) && s.Contract.InstanceId is not null)
        {
            list.Add(($"/contrats/{id}/avenant", "Avenant"));
            list.Add(($"/contrats/{id}/renouvellement", "Renouvellement"));
            list.Add(($"/contrats/{id}/decision", "Décision de fin de contrat"));
            list.Add(($"/contrats/{id}/fin-anticipee", "Fin anticipée"));
            list.Add(($"/contrats/{id}/revue", "Entretien de mi-parcours"));
            list.Add(($"/contrats/{id}/formation", "Formation initiale"));
            list.Add(($"/contrats/{id}/examens", "Examens"));
            list.Add(($"/contrats/{id}/modules", "Modules thématiques"));
        }
        list.Add(($"/contrats/{id}/devenir", "Devenir après le contrat"));
        if (s.Contract.Decision is not null) list.Add(($"/contrats/{id}/courrier", "Courrier de décision"));
        return list;
    }
}
