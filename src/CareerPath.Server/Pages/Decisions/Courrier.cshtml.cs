using CareerPath.Server.Web;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Mvc;

namespace CareerPath.Server.Pages.Decisions;

/// <summary>The decision's notification letter, printable (the print stylesheet hides the site's frame); the same letter as the Word file.</summary>
public sealed class CourrierModel(DecisionQueries decisions) : ContractFormPage
{
    public override string Title => "Courrier de notification de la décision";

    public DecisionLetter Letter { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await LetterAsync(this, decisions, ct) is not { } letter) return NotFoundPage();
        Letter = letter;
        await LogFormReadAsync("letter.page", ct);
        return Page();
    }

    /// <summary>The letter of a contract the caller may act on, once its decision is recorded; else null (the not-found page).</summary>
    internal static async Task<DecisionLetter?> LetterAsync(ContractFormPage page, DecisionQueries decisions, CancellationToken ct)
    {
        if (!await page.LoadContractAsync(ct)) return null;
        return await decisions.GetAsync(page.Id, ct) is { } facts ? DecisionLetter.Build(facts) : null;
    }
}

/// <summary>The same letter as an editable Word file.</summary>
public sealed class CourrierDocxModel(DecisionQueries decisions) : ContractFormPage
{
    public override string Title => "Courrier de notification (Word)";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await CourrierModel.LetterAsync(this, decisions, ct) is not { } letter) return NotFoundPage();
        await LogFormReadAsync("letter.docx", ct);
        return File(DecisionLetterDocx.Write(letter), DecisionLetterDocx.ContentType, letter.FileName);
    }
}
