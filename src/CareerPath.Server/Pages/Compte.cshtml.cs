using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages;

/// <summary>Who is signed in, and their personal API tokens (create: shown once; revoke).</summary>
public sealed class CompteModel(AccountStore store, Accounts accounts, TimeProvider time) : CareerPathPage
{
    const int Days = 90;

    public IReadOnlyList<TokenView> Tokens { get; private set; } = [];
    public string? Next { get; private set; }
    public string? NewToken { get; private set; }
    public string? NameError { get; private set; }

    [BindProperty(SupportsGet = true, Name = "apres")]
    public string? After { get; set; }

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Mon compte")];

    public static string RoleLabel(string role) => role switch
    {
        Roles.Admin => "Administrateur",
        Roles.Hr => "Responsable RH",
        Roles.Advisor => "Conseiller numérique",
        Roles.Auditor => "Auditeur syndical",
        Roles.Program => "Coordination du programme",
        _ => role,
    };

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : BadRequest();

    public async Task<IActionResult> OnPostCreateAsync(string? name, CancellationToken ct)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100 || name.Any(char.IsControl))
        {
            NameError = "Donnez un nom au jeton (100 caractères au plus), pour le reconnaître plus tard.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else (_, NewToken) = await accounts.CreateTokenAsync(Caller.UserId, name, time.GetUtcNow().AddDays(Days), ct);
        After = null;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        if (!await store.RevokeTokenAsync(id, Caller.UserId, time.GetUtcNow(), ct)) return NotFoundPage();
        Success = "Le jeton est révoqué : il ne donne plus accès à l'API.";
        return RedirectToPage();
    }

    async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (await store.ListTokensAsync(Caller.UserId, new PageRequest(20, After), ct) is not { } page) return false;
        Tokens = page.Items;
        Next = page.Next;
        return true;
    }

    public const int TokenDays = Days;
}
