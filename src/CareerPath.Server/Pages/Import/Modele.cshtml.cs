using System.Text;
using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using CareerPath.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Import;

/// <summary>
/// A template file for one kind of import: the header the importer expects (from its own column definitions)
/// and one row of made-up values. UTF-8 with a BOM and ';' between cells, as French spreadsheets open and save them.
/// A kind the caller may not import is not found.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class ModeleModel : CareerPathPage
{
    public IActionResult OnGet(string kind)
    {
        if (ImportActions.ParseKind(kind) is not { } parsed || !ImportActions.KindsFor(Caller).Contains(parsed)) return NotFoundPage();
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(ImportActions.Template(parsed))).ToArray();
        return File(bytes, "text/csv; charset=utf-8", $"modele-{ImportActions.Slug(parsed)}.csv");
    }
}
