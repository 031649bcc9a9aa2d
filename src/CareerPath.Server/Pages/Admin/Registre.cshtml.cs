using System.Text;
using CareerPath.Server.Web;
using CareerPath.Workflows.Privacy;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Admin;

/// <summary>
/// The register of processing activities (GDPR art. 30) for this server's configuration: the retention policy and the
/// controller registered at start (EngineServices), so that what the page states is what the retention job applies.
/// It reads no personal data (configuration only): nothing goes to the access log.
/// </summary>
public sealed class RegistreModel(RetentionPolicy policy, RegisterController controller) : CareerPathPage
{
    public const string FileName = "registre-des-traitements.md";

    public ProcessingRegister Register { get; } = ProcessingRegister.For(policy, controller);

    public override IReadOnlyList<Crumb> Breadcrumb => [new("Accueil", "/"), new("Administration", "/admin"), new("Registre des traitements")];

    public void OnGet()
    {
    }

    /// <summary>The same register as Markdown, the format of the repository's copy (docs/registre-des-traitements.md).</summary>
    public IActionResult OnGetMarkdown() =>
        File(Encoding.UTF8.GetBytes(Register.ToMarkdown()), "text/markdown; charset=utf-8", FileName);
}
