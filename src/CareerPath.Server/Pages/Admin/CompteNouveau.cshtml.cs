using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>
/// A new account: address, name, role (the program's coordinators included), a password or none (ProConnect
/// only), an HR manager's structures, an advisor's record. The API's checks (AccountActions), errors beside their fields.
/// </summary>
public sealed class CompteNouveauModel(AccountActions accounts, DashboardQueries structures) : CareerPathPage
{
    [BindProperty(Name = "email")] public string? Email { get; set; }
    [BindProperty(Name = "displayName")] public string? DisplayName { get; set; }
    [BindProperty(Name = "role")] public string? Role { get; set; }
    [BindProperty(Name = "password")] public string? Password { get; set; }
    [BindProperty(Name = "structures")] public List<Guid> Structures { get; set; } = [];
    [BindProperty(Name = "advisorId")] public string? AdvisorId { get; set; }

    public IReadOnlyDictionary<Guid, string> AllStructures { get; private set; } = new Dictionary<Guid, string>();

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Comptes", "/admin/comptes"), new("Nouveau compte")];

    public async Task OnGetAsync(CancellationToken ct) => AllStructures = await structures.StructureNamesAsync(Scope, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        AllStructures = await structures.StructureNamesAsync(Scope, ct);
        foreach (var (key, entry) in ModelState)
            if (entry.Errors.Count > 0) Form.Add(key, "Valeur invalide.");
        Guid? advisor = null;
        if (!string.IsNullOrWhiteSpace(AdvisorId))
        {
            if (Guid.TryParse(AdvisorId.Trim(), out var a)) advisor = a;
            else Form.Add("advisorId", "Identifiant invalide : copiez celui de la fiche du conseiller (adresse /conseillers/…).");
        }
        if (!Form.HasErrors)
        {
            // An empty password field is no password (ProConnect only), as the API's absent one.
            var body = new NewUser(Email?.Trim(), DisplayName?.Trim(), Role, string.IsNullOrEmpty(Password) ? null : Password,
                Structures.Count == 0 ? null : Structures, advisor);
            var (id, failure) = await accounts.CreateAsync(body, ct);
            if (id is { } created)
            {
                Success = $"Le compte de {body.DisplayName} ({AdminPages.Role(Role!)}) est créé.";
                return Redirect($"/admin/comptes/{created}");
            }
            Form.From(failure!);
        }
        Form.Fail("Le compte n'est pas créé : corrigez les champs signalés, puis envoyez à nouveau le formulaire.");
        Password = null;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public static IReadOnlyList<(string Value, string Label)> Roles => AdminPages.RoleOptions;
}
