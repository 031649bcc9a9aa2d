using CareerPath.Server.Security;
using CareerPath.Workflows.Import;

namespace CareerPath.Server.Actions;

public enum ImportRefusalKind { UnknownKind, Forbidden, Empty, TooLarge }

/// <summary>Why an upload was not even read: an unknown kind, a kind the caller may not import, an empty or too large file.</summary>
public sealed record ImportRefusal(ImportRefusalKind Kind, string Message);

/// <summary>The importer's report (it may hold row errors: then nothing was written), or why the file was refused before.</summary>
public sealed record ImportOutcome(ImportReport? Report, ImportRefusal? Refusal)
{
    public static implicit operator ImportOutcome(ImportRefusal refusal) => new(null, refusal);
}

/// <summary>
/// The CSV import as the API and the import page run it: the kind by its exact name, structures for
/// administrators only, the upload read with a cap, and the importer limited to the caller's structures.
/// </summary>
public sealed class ImportActions(CsvImporter importer)
{
    public const long MaxBytes = 10 * 1024 * 1024;

    public const string UnknownKindMessage = "Type d'import inconnu : attendu structures, posts, advisors ou contracts.";
    public const string StructuresForAdminsMessage = "Seul un administrateur importe des structures.";
    public static readonly string TooLargeMessage = $"Fichier trop volumineux : {MaxBytes / 1024 / 1024} Mo au plus.";

    /// <summary>By exact name, case aside: Enum.TryParse would also take numbers and comma-separated lists.</summary>
    public static ImportKind? ParseKind(string? kind) =>
        Enum.GetNames<ImportKind>().FirstOrDefault(n => string.Equals(n, kind, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<ImportKind>(name) : null;

    /// <summary>The kinds of file the caller may import: all for an administrator, all but structures for an HR manager.</summary>
    public static IReadOnlyList<ImportKind> KindsFor(Caller caller) =>
        caller.IsAdmin ? Enum.GetValues<ImportKind>() : caller.IsHr ? [ImportKind.Posts, ImportKind.Advisors, ImportKind.Contracts] : [];

    /// <summary>The file's name in URLs and in the API: posts, advisors…</summary>
    public static string Slug(ImportKind kind) => kind.ToString().ToLowerInvariant();

    /// <param name="emptyMessage">What to say of an empty upload (the API and the page send the file differently).</param>
    public async Task<ImportOutcome> RunAsync(Caller caller, string? kind, Stream upload, string emptyMessage, CancellationToken ct)
    {
        if (ParseKind(kind) is not { } parsed) return new ImportRefusal(ImportRefusalKind.UnknownKind, UnknownKindMessage);
        if (!KindsFor(caller).Contains(parsed))
            return new ImportRefusal(ImportRefusalKind.Forbidden, parsed == ImportKind.Structures ? StructuresForAdminsMessage : "Vous ne pouvez pas importer de fichier.");

        // Read with a cap whatever the server in front: a huge upload is refused, not buffered.
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await upload.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return new ImportRefusal(ImportRefusalKind.TooLarge, TooLargeMessage);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return new ImportRefusal(ImportRefusalKind.Empty, emptyMessage);
        buffer.Position = 0;
        var report = await importer.ImportAsync(parsed, buffer, s => caller.IsAdmin || (s != Guid.Empty && caller.Structures.Contains(s)), caller.Actor, ct);
        return new ImportOutcome(report, null);
    }

    /// <summary>A made-up file of this kind: the header the importer expects, then one row of fictional values.</summary>
    public static string Template(ImportKind kind, char separator = ';')
    {
        var columns = CsvImporter.DefinitionOf(kind);
        return string.Join(separator, columns.Select(c => Cell(c.Name, separator))) + "\r\n"
             + string.Join(separator, columns.Select(c => Cell(c.Example, separator))) + "\r\n";
    }

    static string Cell(string value, char separator) =>
        value.IndexOfAny([separator, '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
