using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CareerPath.Server.Web;

/// <summary>One link of a page's breadcrumb; the last one (no address) is the page itself.</summary>
public sealed record Crumb(string Label, string? Href = null);

/// <summary>
/// What every page shares: who is signed in and what they may read (the API's own rules, through
/// Caller and ReadScope), the breadcrumb, and a message carried across a redirect after a form.
/// </summary>
public abstract class CareerPathPage : PageModel
{
    Caller? _caller;

    /// <summary>The signed-in person (every page but the sign-in and error pages requires one).</summary>
    public Caller Caller => _caller ??= Security.Caller.From(User);

    public ReadScope Scope => Caller.Scope();

    public virtual IReadOnlyList<Crumb> Breadcrumb => [];

    /// <summary>A success message shown once, on the page a form redirects to.</summary>
    [TempData(Key = "succes")]
    public string? Success { get; set; }

    /// <summary>The state of the page's form after a post (errors, stale record).</summary>
    public FormState Form { get; } = new();

    /// <summary>A date field as a date input sends it (AAAA-MM-JJ); empty = null; anything else = an error beside the field.</summary>
    protected DateOnly? ParseDate(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
            return date;
        Form.Fail("Le formulaire contient des erreurs : corrigez les champs signalés.").Add(field, "Date invalide : saisissez-la au format JJ/MM/AAAA.");
        return null;
    }

    /// <summary>Out of reach and not there look the same: the not-found page.</summary>
    protected IActionResult NotFoundPage() => NotFound();

    /// <summary>The access log line of a personal-data read, written before the page leaves the server (as the API does).</summary>
    protected Task LogReadAsync(string action, string subjectKind, Guid? subjectId, IReadOnlyCollection<Guid>? advisors = null, int records = 1) =>
        HttpContext.RequestServices.GetRequiredService<AccessLog>().RecordAsync(Caller, action, subjectKind, subjectId, records, HttpContext.RequestAborted, advisors);
}
