using CareerPath.Server.Actions;
using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>
/// One account: disable or enable it, change an HR manager's structures, reset its password (the one the
/// administrator types, or one the server draws, shown once). Each change ends the account's web sessions;
/// a new password also lifts its lockout. The API's checks (AccountActions).
/// </summary>
public sealed class CompteDetailModel(AccountStore store, AccountActions accounts, DashboardQueries structures, TimeProvider time) : CareerPathPage
{
    public AccountDetail Account { get; private set; } = null!;
    public IReadOnlyDictionary<Guid, string> AllStructures { get; private set; } = new Dictionary<Guid, string>();
    /// <summary>The password the server just drew: shown on this answer only, never stored in clear nor carried across a redirect.</summary>
    public string? Generated { get; private set; }
    public bool Locked => Account.User.LockedUntil is { } until && until > time.GetUtcNow();
    public bool IsSelf => Account.User.Id == Caller.UserId;

    [BindProperty(Name = "structures")] public List<Guid>? Structures { get; set; }

    public override IReadOnlyList<Crumb> Breadcrumb =>
        [new("Accueil", "/"), new("Administration", "/admin"), new("Comptes", "/admin/comptes"), new(Account?.User.Email ?? "Compte")];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFoundPage();

    /// <summary>Disables (desactiver=oui) or enables (non) the account.</summary>
    public async Task<IActionResult> OnPostStateAsync(Guid id, string? desactiver, CancellationToken ct)
    {
        if (desactiver is not ("oui" or "non")) return await AgainAsync(id, "Choisissez désactiver ou réactiver.", ct);
        var disable = desactiver == "oui";
        return await accounts.UpdateAsync(id, new UserChange(Disabled: disable), ct) switch
        {
            null => Done(id, disable
                ? "Le compte est désactivé : ses sessions sont closes et il ne peut plus se connecter."
                : "Le compte est réactivé : il peut de nouveau se connecter."),
            { Kind: FailureKind.NotFound } => NotFoundPage(),
            var f => await AgainAsync(id, f, ct),
        };
    }

    public async Task<IActionResult> OnPostStructuresAsync(Guid id, CancellationToken ct)
    {
        if (!ModelState.IsValid) return await AgainAsync(id, new Check().Add("structures", "Valeur invalide.").Failure(), ct);
        return await accounts.UpdateAsync(id, new UserChange(Structures: Structures ?? []), ct) switch
        {
            null => Done(id, "Les structures du responsable RH sont enregistrées ; ses sessions sont closes : il les retrouvera à sa prochaine connexion."),
            { Kind: FailureKind.NotFound } => NotFoundPage(),
            var f => await AgainAsync(id, f, ct),
        };
    }

    /// <summary>mode=choisi: the password typed; mode=genere: one the server draws, shown on the page that answers.</summary>
    public async Task<IActionResult> OnPostPasswordAsync(Guid id, string? mode, string? password, CancellationToken ct)
    {
        if (mode is not ("choisi" or "genere")) return await AgainAsync(id, "Choisissez un mot de passe, ou faites-en tirer un.", ct);
        if (mode == "choisi" && string.IsNullOrEmpty(password))
            return await AgainAsync(id, new Check().Add("password", $"Saisissez le nouveau mot de passe ({AccountActions.MinPasswordLength} caractères au moins).").Failure(), ct);
        var (generated, failure) = await accounts.ResetPasswordAsync(id, mode == "genere" ? null : password, ct);
        switch (failure)
        {
            case null when generated is not null:
                // Not through a redirect: the password would travel in the TempData cookie.
                await LoadAsync(id, ct);
                Generated = generated;
                return Page();
            case null:
                return Done(id, "Le mot de passe est changé ; le verrouillage éventuel est levé et les sessions du compte sont closes.");
            case { Kind: FailureKind.NotFound }:
                return NotFoundPage();
            default:
                return await AgainAsync(id, failure, ct);
        }
    }

    IActionResult Done(Guid id, string message)
    {
        Success = message;
        return Redirect($"/admin/comptes/{id}");
    }

    async Task<IActionResult> AgainAsync(Guid id, string message, CancellationToken ct) =>
        await AgainAsync(id, new ActionFailure(FailureKind.Invalid, message, new Dictionary<string, string[]>()), ct);

    /// <summary>A refused change: the page again, unchanged, with the errors (400).</summary>
    async Task<IActionResult> AgainAsync(Guid id, ActionFailure failure, CancellationToken ct)
    {
        var selected = Structures;
        if (!await LoadAsync(id, ct)) return NotFoundPage();
        if (selected is not null) Structures = selected;
        Form.From(failure);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } account) return false;
        Account = account;
        // A staff member's name and address are personal data too: each showing is a logged read.
        await LogReadAsync("users.read", "account", id);
        Structures = [.. account.Structures];
        if (account.User.Role == Roles.Hr) AllStructures = await structures.StructureNamesAsync(Scope, ct);
        return true;
    }
}
