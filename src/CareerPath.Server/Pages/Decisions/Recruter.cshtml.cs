using CareerPath.Domain.Model;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Records;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>
/// Recruit: the advisor (name, work e-mail) and their contract on a post of the caller's structures, in one
/// form and one transaction (the same ReferenceData checks as POST /api/advisors and POST /api/contracts):
/// if either part is wrong, nothing is written and every error is shown beside its field.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class RecruterModel(PostQueries posts, DashboardQueries structures, RecruitmentCommands recruitment) : CareerPathPage
{
    [BindProperty(Name = "fullName")] public string? FullName { get; set; }
    [BindProperty(Name = "workEmail")] public string? WorkEmail { get; set; }
    [BindProperty(Name = "postId")] public Guid? PostId { get; set; }
    [BindProperty(Name = "type")] public ContractType? Type { get; set; }
    [BindProperty(Name = "start")] public DateOnly? Start { get; set; }
    [BindProperty(Name = "end")] public DateOnly? End { get; set; }

    public IReadOnlyList<(string Value, string Label)> Posts { get; private set; } = [];

    public static IReadOnlyList<(string Value, string Label)> Types { get; } =
        Enum.GetValues<ContractType>().Select(t => (t.ToString(), CareerLabels.ContractType(t.ToString()))).ToList();

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Conseillers", "/conseillers"), new("Recruter")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadPostsAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadPostsAsync(ct);
        foreach (var (key, entry) in ModelState)
            if (entry.Errors.Count > 0) Form.Add(key, "Valeur invalide.");
        Guid? structureId = null;
        if (PostId is { } postId)
        {
            structureId = await posts.StructureOfAsync(postId, ct);
            if (!Caller.MaySeeStructure(structureId)) Form.Add("postId", "Poste introuvable, ou hors de votre périmètre.");
        }
        if (!Form.HasErrors)
        {
            var result = await recruitment.RecruitAsync(new NewAdvisor(structureId, FullName?.Trim(), WorkEmail?.Trim()),
                new NewContract(null, PostId, Type, Start, End), Caller.Actor, ct);
            if (result.Ok)
            {
                var advisor = result.Advisor.Id;
                var contract = result.Contract!.Id;
                Success = (result.Advisor.Created ? $"{FullName!.Trim()} est enregistré(e)" : $"{FullName!.Trim()} était déjà enregistré(e)")
                    + (result.Contract.Created ? ", et son contrat est créé : son suivi démarre." : " ; ce contrat existait déjà, rien n'a été modifié.");
                return Redirect($"/conseillers/{advisor}#contrat-{contract}");
            }
            foreach (var error in result.Errors)
                // The advisor's structure is the post's: an error about it is an error about the post chosen.
                Form.Add(error.Field is "structureId" or "advisorId" ? "postId" : error.Field, error.Message);
        }
        Form.Fail("Ni le conseiller ni le contrat ne sont enregistrés : corrigez les champs signalés, puis envoyez à nouveau le formulaire.");
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    async Task LoadPostsAsync(CancellationToken ct)
    {
        // The structures' names only (no HR contact): what the list of posts needs.
        var names = await structures.StructureNamesAsync(Scope, ct);
        var list = (await posts.ListAsync(Scope, null, new PageRequest(PageRequest.MaxLimit, null), ct))?.Items ?? [];
        Posts = list.Where(p => Caller.MaySeeStructure(p.StructureId))
            .Select(p => (p.Id.ToString(), $"{names.GetValueOrDefault(p.StructureId, "Structure")} — {p.Label}{(p.State is { } s ? $" ({PostLabels.State(s).ToLower(Fr.Culture)})" : "")}"))
            .OrderBy(p => p.Item2, StringComparer.Create(Fr.Culture, ignoreCase: true)).ToList();
    }
}
