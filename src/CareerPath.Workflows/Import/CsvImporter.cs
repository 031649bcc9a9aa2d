using CareerPath.Workflows.Engine;
using System.Globalization;
using System.Text.Unicode;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Records;
using CsvHelper;
using Npgsql;

namespace CareerPath.Workflows.Import;

public enum ImportKind { Structures, Posts, Advisors, Contracts }

/// <summary>A problem in the file: <see cref="Line"/> is the physical line (the header is line 1), <see cref="Column"/> the column name, or empty for the whole line or file.</summary>
public sealed record ImportError(int Line, string Column, string Message);

/// <summary>A column of an import file: whether every row needs it, what it holds, and a made-up value for the template file.</summary>
public sealed record ImportColumn(string Name, bool Required, string Hint, string Example);

/// <summary>
/// The outcome of an import. When <see cref="Ok"/> is false nothing was written, and <see cref="Created"/>,
/// <see cref="Unchanged"/> and <see cref="Updated"/> are 0; <see cref="Rows"/> counts the data rows read.
/// <see cref="Updated"/>: existing records that only gained a value they lacked (a structure's département).
/// </summary>
public sealed record ImportReport(ImportKind Kind, int Rows, int Created, int Unchanged, IReadOnlyList<ImportError> Errors, int Updated = 0)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Imports reference records from CSV, all or nothing: every row goes through <see cref="ReferenceData"/> in
/// one transaction, with the workflow starts; a single error rolls everything back and the report lists every
/// error. A row identical to an existing record is left unchanged, so importing the same file twice changes nothing.
/// Rows name their structure by SIRET, their post by SIRET and label, their advisor by work e-mail.
/// </summary>
public sealed class CsvImporter(ReferenceData records)
{
    public const int MaxRows = 10_000;
    /// <summary>Far above 10 000 rows of reference data; keeps a hostile upload from filling memory.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>Same words for an unknown structure and one the caller may not touch: existence must not leak.</summary>
    public const string StructureOutOfScope = "Structure inconnue ou hors de votre périmètre.";
    public const string AdvisorOutOfScope = "Conseiller inconnu ou hors de votre périmètre.";

    // Made-up values for the template files: a structure, a post, an advisor that exist nowhere.
    const string ExampleSiret = "00000000000000";
    const string ExampleDomain = "structure-fictive.example.org";
    const string ExamplePost = "Poste fictif — médiathèque";
    const string ExampleAdvisorEmail = "alex.exemple@" + ExampleDomain;

    static string OneOf<T>() where T : struct, Enum => "Une valeur parmi : " + string.Join(", ", System.Enum.GetNames<T>()) + ".";

    const string SiretHint = "SIRET de la structure (14 chiffres, espaces permis) : elle doit être dans votre périmètre.";
    const string DateHint = "Date au format AAAA-MM-JJ ou JJ/MM/AAAA.";

    static readonly Dictionary<ImportKind, ImportColumn[]> Columns = new()
    {
        [ImportKind.Structures] =
        [
            new("name", true, "Nom de la structure.", "Commune fictive d'Exemple-sur-Modèle"),
            new("kind", true, OneOf<StructureKind>(), nameof(StructureKind.Commune)),
            new("legalRegime", true, OneOf<LegalRegime>(), nameof(LegalRegime.Public)),
            new("siret", false, "SIRET (14 chiffres, espaces permis) : il identifie la structure dans les autres fichiers.", ExampleSiret),
            new("hrName", true, "Nom du contact RH.", "Camille Exemple"),
            new("hrEmail", true, "Adresse e-mail du contact RH.", "rh@" + ExampleDomain),
            new("hrLeadName", false, "Nom du ou de la responsable RH (DRH), s'il y en a un.", "Dominique Exemple"),
            new("hrLeadEmail", false, "Adresse e-mail du ou de la responsable RH.", "drh@" + ExampleDomain),
            new("departement", false, "Code INSEE du département où se trouve la structure : 01 à 95, 2A, 2B, 971 à 974 ou 976 " +
                "(les comptes du programme par département et par région). Donné pour une structure déjà enregistrée sans département, il le complète.", "07"),
        ],
        [ImportKind.Posts] =
        [
            new("siret", true, SiretHint, ExampleSiret),
            new("label", true, "Intitulé du poste, unique dans la structure : les contrats le citent.", ExamplePost),
            new("wave", true, OneOf<ConventionWave>(), nameof(ConventionWave.FirstWave)),
            new("grantStart", true, "Début de la subvention. " + DateHint, "2026-01-05"),
            new("topUpEur", false, "Complément de subvention en euros, par exemple 5000 ou 5000,50.", "5000"),
        ],
        [ImportKind.Advisors] =
        [
            new("siret", true, SiretHint, ExampleSiret),
            new("fullName", true, "Prénom et nom du conseiller.", "Alex Exemple"),
            new("workEmail", true, "Adresse e-mail professionnelle : elle identifie le conseiller dans le fichier des contrats.", ExampleAdvisorEmail),
            new("hasRecognisedDisability", false, "Reconnaissance de la qualité de travailleur handicapé : oui ou non (vide = non).", "non"),
        ],
        [ImportKind.Contracts] =
        [
            new("advisorEmail", true, "Adresse e-mail professionnelle du conseiller, déjà importé.", ExampleAdvisorEmail),
            new("siret", true, SiretHint, ExampleSiret),
            new("postLabel", true, "Intitulé du poste dans cette structure, déjà importé.", ExamplePost),
            new("type", true, OneOf<ContractType>(), nameof(ContractType.Cdd)),
            new("start", true, "Premier jour du contrat. " + DateHint, "2026-02-02"),
            new("end", false, "Dernier jour du contrat (vide pour un CDI). " + DateHint, "2028-02-01"),
        ],
    };

    /// <summary>The columns of a kind of file, in their usual order, with what each holds and an example value.</summary>
    public static IReadOnlyList<ImportColumn> DefinitionOf(ImportKind kind) => Columns[kind];

    /// <summary>The columns of a kind of file, in their usual order.</summary>
    public static IReadOnlyList<string> ColumnsOf(ImportKind kind) => Columns[kind].Select(c => c.Name).ToArray();

    /// <param name="mayWriteStructure">
    /// Whether the caller may write in this structure. For structures files it is asked with <see cref="Guid.Empty"/>:
    /// whether the caller may create structures at all.
    /// </param>
    public async Task<ImportReport> ImportAsync(ImportKind kind, Stream csv, Func<Guid, bool> mayWriteStructure, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(mayWriteStructure);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind));

        var file = await ParseAsync(kind, csv, ct);
        if (file.Fatal is { } fatal) return new ImportReport(kind, file.Rows.Count, 0, 0, fatal);
        if (kind == ImportKind.Structures && !mayWriteStructure(Guid.Empty))
            return new ImportReport(kind, file.Rows.Count, 0, 0, [new ImportError(1, "", "Vous n'êtes pas autorisé à créer des structures.")]);

        var errors = new List<ImportError>();
        var (created, unchanged, updated) = (0, 0, 0);
        await using var conn = await records.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        using var counted = EngineMetrics.Begin();
        var session = new Session(conn, tx, mayWriteStructure);
        var seenKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in file.Rows)
        {
            ct.ThrowIfCancellationRequested();
            var cells = new RowReader(row);
            var pending = kind switch
            {
                ImportKind.Structures => StructureRow(cells),
                ImportKind.Posts => await PostRowAsync(cells, session),
                ImportKind.Advisors => await AdvisorRowAsync(cells, session),
                _ => await ContractRowAsync(cells, session),
            };
            if (pending.Key is { } key)
            {
                if (seenKeys.TryGetValue(key.Value, out var firstLine))
                {
                    cells.Fail(key.Column, $"Doublon de la ligne {firstLine} : {Noun(kind)} ne figure qu'une fois dans le fichier.");
                    errors.AddRange(cells.Errors);
                    continue;
                }
                seenKeys[key.Value] = row.Line;
            }
            // A row with bad cells still goes through, so that the report shows all its errors at once; the
            // transaction is rolled back anyway.
            var result = await pending.Create(conn, tx, actor, ct);
            errors.AddRange(cells.Errors);
            errors.AddRange(result.Errors
                .Select(e => new ImportError(row.Line, pending.ColumnOf(e.Field), e.Message))
                .Where(e => !cells.HasError(e.Column)));
            if (result.Created) created++;
            else if (result.Updated) updated++;
            else if (result.Ok) unchanged++;
        }

        if (errors.Count > 0)
        {
            await tx.RollbackAsync(ct);
            return new ImportReport(kind, file.Rows.Count, 0, 0, errors);
        }
        await tx.CommitAsync(ct);
        counted.Committed();
        return new ImportReport(kind, file.Rows.Count, created, unchanged, [], updated);
    }

    static string Noun(ImportKind kind) => kind switch
    {
        ImportKind.Structures => "une structure",
        ImportKind.Posts => "un poste",
        ImportKind.Advisors => "un conseiller",
        _ => "un contrat",
    };

    // ---- rows ----

    /// <summary>A row ready to be written: its natural key in the file, and the call that creates it.</summary>
    sealed record PendingRow(
        (string Column, string Value)? Key,
        Func<NpgsqlConnection, NpgsqlTransaction, string, CancellationToken, Task<RecordResult>> Create,
        Func<string, string> ColumnOf);

    static string Same(string field) => field;

    PendingRow StructureRow(RowReader r)
    {
        var input = new NewStructure(r.Text("name"), r.Enum<StructureKind>("kind"), r.Enum<LegalRegime>("legalRegime"), r.Text("siret"),
            r.Text("hrName"), r.Text("hrEmail"), r.Text("hrLeadName"), r.Text("hrLeadEmail"), r.Text("departement"));
        var key = input.Siret is { } siret ? ("siret", "siret:" + ReferenceData.NormaliseSiret(siret))
            : input.Name is { } name ? ("name", "name:" + name) : ((string, string)?)null;
        return new PendingRow(key, (c, t, a, ct) => records.CreateStructureAsync(c, t, input, a, ct), Same);
    }

    async Task<PendingRow> PostRowAsync(RowReader r, Session s)
    {
        var structureId = await s.StructureAsync(r, "siret");
        var input = new NewPost(structureId, r.Text("label"), r.Enum<ConventionWave>("wave"), r.Date("grantStart"), r.Decimal("topUpEur"));
        var key = structureId is { } sid && input.Label is { } label ? ("label", $"{sid}|{label}") : ((string, string)?)null;
        return new PendingRow(key, (c, t, a, ct) => records.CreatePostAsync(c, t, input, a, ct),
            field => field == "structureId" ? "siret" : field);
    }

    async Task<PendingRow> AdvisorRowAsync(RowReader r, Session s)
    {
        var structureId = await s.StructureAsync(r, "siret");
        var input = new NewAdvisor(structureId, r.Text("fullName"), r.Text("workEmail"), r.Bool("hasRecognisedDisability"));
        var key = input.WorkEmail is { } email ? ("workEmail", email.ToLowerInvariant()) : ((string, string)?)null;
        return new PendingRow(key, (c, t, a, ct) => records.CreateAdvisorAsync(c, t, input, a, ct),
            field => field == "structureId" ? "siret" : field);
    }

    async Task<PendingRow> ContractRowAsync(RowReader r, Session s)
    {
        var advisorId = await s.AdvisorAsync(r, "advisorEmail");
        var structureId = await s.StructureAsync(r, "siret");
        var postId = structureId is { } sid ? await s.PostAsync(r, sid, "postLabel") : null;
        var input = new NewContract(advisorId, postId, r.Enum<ContractType>("type"), r.Date("start"), r.Date("end"));
        var key = advisorId is { } aid && postId is { } pid && input.Start is { } start ? ("start", $"{aid}|{pid}|{start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}") : ((string, string)?)null;
        return new PendingRow(key, (c, t, a, ct) => records.CreateContractAsync(c, t, input, a, ct),
            field => field switch { "advisorId" => "advisorEmail", "postId" => "postLabel", _ => field });
    }

    /// <summary>
    /// Resolves the references of the rows, in the import's transaction: it sees what earlier imports committed.
    /// The kinds a file refers to are never those it creates, so what is resolved once stays true for the file.
    /// </summary>
    sealed class Session(NpgsqlConnection conn, NpgsqlTransaction tx, Func<Guid, bool> mayWriteStructure)
    {
        readonly Dictionary<string, Guid?> _structures = [];
        readonly Dictionary<(Guid, string), Guid?> _posts = [];
        readonly Dictionary<string, Guid?> _advisors = [];

        public async Task<Guid?> StructureAsync(RowReader r, string column)
        {
            var siret = r.Text(column);
            if (siret is null)
            {
                r.Fail(column, "Le SIRET de la structure est obligatoire.");
                return null;
            }
            var key = ReferenceData.NormaliseSiret(siret);
            if (!_structures.TryGetValue(key, out var id))
            {
                id = await ReferenceData.FindStructureIdBySiretAsync(conn, tx, key);
                if (id is { } found && !mayWriteStructure(found)) id = null;
                _structures[key] = id;
            }
            if (id is null) r.Fail(column, StructureOutOfScope);
            return id;
        }

        public async Task<Guid?> PostAsync(RowReader r, Guid structureId, string column)
        {
            var label = r.Text(column);
            if (label is null)
            {
                r.Fail(column, "L'intitulé du poste est obligatoire.");
                return null;
            }
            if (!_posts.TryGetValue((structureId, label), out var id))
                _posts[(structureId, label)] = id = await ReferenceData.FindPostIdAsync(conn, tx, structureId, label);
            if (id is null) r.Fail(column, "Aucun poste de cet intitulé dans cette structure.");
            return id;
        }

        public async Task<Guid?> AdvisorAsync(RowReader r, string column)
        {
            var email = r.Text(column);
            if (email is null)
            {
                r.Fail(column, "L'adresse e-mail du conseiller est obligatoire.");
                return null;
            }
            var key = email.ToLowerInvariant();
            if (!_advisors.TryGetValue(key, out var id))
            {
                var advisor = await ReferenceData.FindAdvisorAsync(conn, tx, email);
                // An advisor recorded by a structure out of scope is as unknown as one that does not exist.
                id = advisor is { StructureId: { } sid } && mayWriteStructure(sid) ? advisor.Id : null;
                _advisors[key] = id;
            }
            if (id is null) r.Fail(column, AdvisorOutOfScope);
            return id;
        }
    }

    /// <summary>Reads the cells of one row; a cell that does not parse is an error on its column, and reads as absent.</summary>
    sealed class RowReader(CsvRecord row)
    {
        readonly List<ImportError> _errors = [];

        public IReadOnlyList<ImportError> Errors => _errors;

        public bool HasError(string column) => _errors.Any(e => e.Column == column);

        public void Fail(string column, string message)
        {
            if (!HasError(column)) _errors.Add(new ImportError(row.Line, column, message));
        }

        public string? Text(string column)
        {
            if (!row.Cells.TryGetValue(column, out var value) || string.IsNullOrWhiteSpace(value)) return null;
            // A control character (NUL, escape sequences…) is never data here, and PostgreSQL refuses NUL.
            if (value.Any(char.IsControl))
            {
                Fail(column, "Caractères de contrôle interdits dans cette cellule.");
                return null;
            }
            return value.Trim();
        }

        public DateOnly? Date(string column)
        {
            var text = Text(column);
            if (text is null) return null;
            if (DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            Fail(column, $"Date invalide {InputEcho.Quote(text)} : attendu une date qui existe, au format AAAA-MM-JJ ou JJ/MM/AAAA.");
            return null;
        }

        public bool? Bool(string column)
        {
            var text = Text(column);
            if (text is null) return null;
            switch (text.ToLowerInvariant())
            {
                case "true" or "oui" or "1": return true;
                case "false" or "non" or "0": return false;
                default:
                    Fail(column, $"Valeur invalide {InputEcho.Quote(text)} : attendu true, false, oui, non, 1 ou 0.");
                    return null;
            }
        }

        public T? Enum<T>(string column) where T : struct, Enum
        {
            var text = Text(column);
            if (text is null) return null;
            // By name only: a number would be a silent guess at an enum's order.
            var name = System.Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (name is not null) return System.Enum.Parse<T>(name);
            Fail(column, $"Valeur inconnue {InputEcho.Quote(text)} : attendu {string.Join(", ", System.Enum.GetNames<T>())}.");
            return null;
        }

        /// <summary>An amount as people type it: 5000, 5000.50, 5000,50 or 5 000,50.</summary>
        public decimal? Decimal(string column)
        {
            var text = Text(column);
            if (text is null) return null;
            var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
            if (!compact.Contains('.')) compact = compact.Replace(',', '.');
            if (decimal.TryParse(compact, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)) return amount;
            Fail(column, $"Montant invalide {InputEcho.Quote(text)} : attendu un nombre d'euros, par exemple 5000 ou 5000,50.");
            return null;
        }
    }

    static readonly string[] DateFormats = ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"];

    // ---- the file ----

    /// <summary>A data row: its physical line and its cells by column name (as declared, whatever the header's case).</summary>
    sealed record CsvRecord(int Line, IReadOnlyDictionary<string, string> Cells);

    /// <summary>The rows of the file, or the error that makes the whole file unreadable.</summary>
    sealed record ParsedFile(IReadOnlyList<CsvRecord> Rows, IReadOnlyList<ImportError>? Fatal);

    static async Task<ParsedFile> ParseAsync(ImportKind kind, Stream csv, CancellationToken ct)
    {
        var rows = new List<CsvRecord>();
        var bytes = await ReadAllAsync(csv, ct);
        if (bytes is null) return Fatal(1, $"Le fichier dépasse {MaxBytes / (1024 * 1024)} Mo : découpez-le. Rien n'a été importé.");
        if (FirstInvalidUtf8Line(bytes) is { } badLine)
            return Fatal(badLine, "Le fichier n'est pas encodé en UTF-8 (un export Excel « CSV » ordinaire est en Windows-1252) : enregistrez-le au format « CSV UTF-8 ». Rien n'a été importé.");

        var malformed = new List<ImportError>();
        var options = CsvReaderOptions.Default with
        {
            Separator = DetectSeparator(bytes),
            HasHeader = true,
            TrackLineNumbers = true,
            DetectSeparatorHint = false,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = m => malformed.Add(new ImportError((int)m.LineNumber, "",
                $"Fichier CSV mal formé : {Describe(m.Reason)}. Rien n'a été importé.")),
        };
        try
        {
            using var reader = CsvReader.Create(bytes, options);
            var header = reader.Headers.Select(h => h.Trim()).ToArray();
            if (header.Length == 0 || header.All(h => h.Length == 0))
                return Fatal(1, "Le fichier est vide : la première ligne doit nommer les colonnes.");
            // A malformed header is skipped by the reader: the line after it must not pass for the header.
            if (malformed.Count > 0) return new ParsedFile(rows, malformed);
            var (indexes, headerErrors) = MatchHeader(kind, header);
            if (headerErrors.Count > 0) return new ParsedFile(rows, headerErrors);

            while (reader.Read())
            {
                var fields = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i)).ToArray();
                // Spreadsheets leave rows of empty cells (";;;;") after the data.
                if (fields.All(string.IsNullOrWhiteSpace)) continue;
                var line = (int)reader.LineNumber;
                if (rows.Count == MaxRows)
                    return new ParsedFile(rows, [new ImportError(line, "", "Le fichier compte plus de 10 000 lignes de données : découpez-le. Rien n'a été importé.")]);
                if (fields.Length > header.Length)
                {
                    malformed.Add(new ImportError(line, "", $"La ligne compte {fields.Length} champs pour {header.Length} colonnes : vérifiez le séparateur et les guillemets."));
                    continue;
                }
                // Fewer fields than columns: the last cells were left out, they are empty.
                var cells = indexes.ToDictionary(c => c.Key, c => c.Value < fields.Length ? fields[c.Value] : "");
                rows.Add(new CsvRecord(line, cells));
            }
        }
        catch (CsvFormatException e)
        {
            return Fatal((int)e.LineNumber, "Fichier CSV mal formé : il ne peut pas être lu. Rien n'a été importé.");
        }
        return new ParsedFile(rows, malformed.Count > 0 ? malformed : null);

        ParsedFile Fatal(int line, string message) => new(rows, [new ImportError(line, "", message)]);
    }

    static (Dictionary<string, int> Indexes, List<ImportError> Errors) MatchHeader(ImportKind kind, string[] header)
    {
        var columns = Columns[kind];
        var indexes = new Dictionary<string, int>();
        var errors = new List<ImportError>();
        var expected = string.Join(", ", columns.Select(c => c.Name));
        for (var i = 0; i < header.Length; i++)
        {
            var column = columns.FirstOrDefault(c => string.Equals(c.Name, header[i], StringComparison.OrdinalIgnoreCase));
            if (column is null)
                errors.Add(new ImportError(1, InputEcho.IsPlain(header[i]) ? header[i] : $"colonne {i + 1}", $"Colonne inconnue {InputEcho.Quote(header[i])} : les colonnes possibles sont {expected}."));
            else if (!indexes.TryAdd(column.Name, i))
                errors.Add(new ImportError(1, column.Name, $"La colonne « {column.Name} » figure deux fois."));
        }
        foreach (var missing in columns.Where(c => c.Required && !indexes.ContainsKey(c.Name)))
            errors.Add(new ImportError(1, missing.Name, $"Colonne obligatoire absente : « {missing.Name} »."));
        return (indexes, errors);
    }

    /// <summary>',' or ';', whichever the header line uses (outside quotes); French spreadsheets write ';'.</summary>
    static char DetectSeparator(byte[] bytes)
    {
        var (commas, semicolons, quoted) = (0, 0, false);
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        foreach (var b in bytes.AsSpan(start))
        {
            if (b == (byte)'"') quoted = !quoted;
            else if (!quoted && b is (byte)'\n' or (byte)'\r' && commas + semicolons > 0) break;
            else if (!quoted && b == (byte)',') commas++;
            else if (!quoted && b == (byte)';') semicolons++;
        }
        return semicolons > commas ? ';' : ',';
    }

    static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "un guillemet au milieu d'un champ qui n'est pas entre guillemets",
        CsvMalformedReason.TextAfterClosingQuote => "du texte après le guillemet fermant d'un champ",
        CsvMalformedReason.UnterminatedQuote => "un champ entre guillemets qui n'est jamais refermé",
        _ => "des guillemets mal placés",
    };

    /// <summary>The line of the first byte sequence that is not UTF-8, or null when the whole file is UTF-8.</summary>
    static int? FirstInvalidUtf8Line(byte[] bytes)
    {
        if (Utf8.IsValid(bytes)) return null;
        var chars = new char[bytes.Length];
        Utf8.ToUtf16(bytes, chars, out var valid, out _, replaceInvalidSequences: false);
        return bytes.AsSpan(0, valid).Count((byte)'\n') + 1;
    }

    /// <summary>The whole upload, or null when it is larger than <see cref="MaxBytes"/>.</summary>
    static async Task<byte[]?> ReadAllAsync(Stream csv, CancellationToken ct)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await csv.ReadAsync(buffer, ct)) > 0)
        {
            if (memory.Length + read > MaxBytes) return null;
            memory.Write(buffer, 0, read);
        }
        return memory.ToArray();
    }
}
