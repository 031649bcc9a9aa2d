using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>The accounts, by address, a page at a time (the API's /api/users, with its access-log line).</summary>
public sealed class ComptesModel(AccountStore store) : CareerPathPage
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = Pager.Parameter)]
    public string? Pages { get; set; }

    public IReadOnlyList<UserView> Users { get; private set; } = [];
    public Pager Pager { get; private set; } = null!;

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Comptes")];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Pager.Parse(Pages) is not { } cursors) return BadRequest();
        if (await store.ListAsync(new PageRequest(PageSize, cursors.Count == 0 ? null : cursors[^1]), ct) is not { } page) return BadRequest();
        Users = page.Items;
        Pager = new Pager("/admin/comptes", cursors, page.Next, new Dictionary<string, string?>());
        await LogReadAsync("users.list", "account", null, null, Users.Count);
        return Page();
    }
}
