using System.Text;
using CareerPath.Workflows.Import;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Tests.Infrastructure;

namespace CareerPath.Workflows.Tests.Import;

// Today is Monday 2026-01-05. Two structures: a public mairie with an HR lead, a private association without one.
public sealed class CsvImporterTests
{
    const string Actor = "admin:import";
    const string Aubenas = "21070019000013";
    const string Anpt = "77567227221234";

    const string Structures = $"""
        name,kind,legalRegime,siret,hrName,hrEmail,hrLeadName,hrLeadEmail
        Mairie d'Aubenas,Commune,Public,{Aubenas},Camille Martin,rh@aubenas.example.fr,Dominique Leroy,drh@aubenas.example.fr
        "Association Numérique pour tous, Guéret",association,PRIVATE,{Anpt},Sacha Petit,rh@anpt.example.fr,,
        """;

    const string Posts = $"""
        siret,label,wave,grantStart,topUpEur
        {Aubenas},Conseiller numérique — médiathèque,FirstWave,2026-02-02,5000
        {Aubenas},Conseiller numérique — France services,Renewal2023,2026-01-05,
        {Anpt},Conseiller numérique,firstwave,12/01/2026,
        """;

    const string Advisors = $"""
        siret,fullName,workEmail,hasRecognisedDisability
        {Aubenas},Lou Bernard,lou.bernard@aubenas.example.fr,non
        {Aubenas},Noa Girard,noa.girard@aubenas.example.fr,oui
        {Anpt},Yanis Faure,yanis.faure@anpt.example.fr,
        """;

    const string Contracts = $"""
        advisorEmail,siret,postLabel,type,start,end
        lou.bernard@aubenas.example.fr,{Aubenas},Conseiller numérique — médiathèque,Cdd,2026-03-02,2028-03-01
        Noa.Girard@aubenas.example.fr,{Aubenas},Conseiller numérique — France services,ContratDeProjet,2026-02-02,2029-02-01
        yanis.faure@anpt.example.fr,{Anpt},Conseiller numérique,Pec,2026-02-16,2027-02-15
        """;

    static readonly string[] Tables =
    [
        "structure", "hr_contact", "funded_post", "grant_convention", "grant_tranche", "advisor", "contract",
        "workflow_instance", "workflow_journal", "workflow_timer", "human_task", "outbox_message", "decision_audit", "incident",
    ];

    static async Task<(EngineHarness H, CsvImporter Importer)> CreateAsync()
    {
        var h = await EngineHarness.CreateAsync("2026-01-05");
        return (h, new CsvImporter(new ReferenceData(h.Engine)));
    }

    static MemoryStream Csv(string text, bool bom = false) =>
        new([.. (bom ? (byte[])[0xEF, 0xBB, 0xBF] : []), .. Encoding.UTF8.GetBytes(text)]);

    static Task<ImportReport> ImportAsync(CsvImporter importer, ImportKind kind, string text, Func<Guid, bool>? mayWrite = null) =>
        importer.ImportAsync(kind, Csv(text), mayWrite ?? (_ => true), Actor);

    static async Task<ImportReport> ImportedAsync(CsvImporter importer, ImportKind kind, string text)
    {
        var report = await ImportAsync(importer, kind, text);
        Assert.True(report.Ok, string.Join("\n", report.Errors));
        return report;
    }

    static async Task ImportAllAsync(CsvImporter importer)
    {
        await ImportedAsync(importer, ImportKind.Structures, Structures);
        await ImportedAsync(importer, ImportKind.Posts, Posts);
        await ImportedAsync(importer, ImportKind.Advisors, Advisors);
        await ImportedAsync(importer, ImportKind.Contracts, Contracts);
    }

    static async Task<Dictionary<string, int>> CountsAsync(EngineHarness h)
    {
        var counts = new Dictionary<string, int>();
        foreach (var table in Tables) counts[table] = await h.CountAsync($"SELECT count(*)::int FROM {table}");
        return counts;
    }

    static async Task AssertNothingWrittenAsync(EngineHarness h) =>
        Assert.All(await CountsAsync(h), c => Assert.True(c.Value == 0, $"{c.Key}: {c.Value} rows"));

    static void AssertErrors(ImportReport report, params (int Line, string Column)[] expected)
    {
        Assert.False(report.Ok);
        Assert.Equal((report.Created, report.Unchanged), (0, 0));
        Assert.Equal(expected, report.Errors.Select(e => (e.Line, e.Column)).ToArray());
        Assert.All(report.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    [Fact]
    public async Task Four_files_create_the_records_and_start_one_workflow_per_post_and_per_contract()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;

        var reports = new[]
        {
            await ImportedAsync(importer, ImportKind.Structures, Structures),
            await ImportedAsync(importer, ImportKind.Posts, Posts),
            await ImportedAsync(importer, ImportKind.Advisors, Advisors),
            await ImportedAsync(importer, ImportKind.Contracts, Contracts),
        };

        Assert.Equal([(2, 2, 0), (3, 3, 0), (3, 3, 0), (3, 3, 0)], reports.Select(r => (r.Rows, r.Created, r.Unchanged)));
        var counts = await CountsAsync(h);
        Assert.Equal((2, 3, 3, 4, 3, 3), (counts["structure"], counts["hr_contact"], counts["funded_post"], counts["grant_convention"], counts["advisor"], counts["contract"]));
        Assert.Equal(["Association Numérique pour tous, Guéret", "Mairie d'Aubenas"], await h.QueryAsync<string>("SELECT name FROM structure ORDER BY name"));
        Assert.Equal([("lou.bernard@aubenas.example.fr", false, Aubenas), ("noa.girard@aubenas.example.fr", true, Aubenas), ("yanis.faure@anpt.example.fr", false, Anpt)],
            await h.QueryAsync<(string, bool, string)>("SELECT a.work_email, a.has_recognised_disability, s.siret FROM advisor a JOIN structure s ON s.id = a.structure_id ORDER BY 1"));
        Assert.Equal(["2026-01-05", "2026-01-12", "2026-02-02"], await h.QueryAsync<string>("SELECT start_date::text FROM grant_convention WHERE source = 'State' ORDER BY 1"));

        // One instance per post and per contract, on the record's id, each with its deadlines armed.
        Assert.Equal(await h.QueryAsync<Guid>("SELECT id FROM funded_post ORDER BY id"),
            await h.QueryAsync<Guid>("SELECT subject_id FROM workflow_instance WHERE definition_id = 'post-funding' ORDER BY subject_id"));
        Assert.Equal(await h.QueryAsync<Guid>("SELECT id FROM contract ORDER BY id"),
            await h.QueryAsync<Guid>("SELECT subject_id FROM workflow_instance WHERE definition_id = 'advisor-contract' ORDER BY subject_id"));
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM workflow_instance i WHERE NOT EXISTS (SELECT 1 FROM workflow_timer t WHERE t.instance_id = i.id AND t.fired_at IS NULL)"));
        Assert.Equal([("Cdd", "Public"), ("ContratDeProjet", "Public"), ("Pec", "Private")],
            await h.QueryAsync<(string, string)>("SELECT contract_type, legal_regime FROM contract ORDER BY contract_type"));
        // Every post now has its advisor.
        Assert.Equal(["Occupied", "Occupied", "Occupied"], await h.QueryAsync<string>("SELECT state FROM workflow_instance WHERE definition_id = 'post-funding'"));
        Assert.Equal(["admin:import"], await h.QueryAsync<string>("SELECT DISTINCT actor FROM workflow_journal WHERE trigger = 'Start'"));
    }

    [Fact]
    public async Task Importing_the_same_files_again_changes_nothing()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportAllAsync(importer);
        var counts = await CountsAsync(h);
        var engineRows = await h.SnapshotAsync();

        var again = new[]
        {
            await ImportedAsync(importer, ImportKind.Structures, Structures),
            await ImportedAsync(importer, ImportKind.Posts, Posts),
            await ImportedAsync(importer, ImportKind.Advisors, Advisors),
            await ImportedAsync(importer, ImportKind.Contracts, Contracts),
        };

        Assert.Equal([(0, 2), (0, 3), (0, 3), (0, 3)], again.Select(r => (r.Created, r.Unchanged)));
        Assert.Equal(counts, await CountsAsync(h));
        Assert.Equal(engineRows, await h.SnapshotAsync());
    }

    [Fact]
    public async Task One_bad_row_among_good_ones_imports_nothing_and_the_report_names_its_line_and_column()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);
        var before = await CountsAsync(h);

        var report = await ImportAsync(importer, ImportKind.Posts, Posts + "\n" + $"{Anpt},Poste 2,ThirdWave,2026-01-12,\n{Anpt},Poste 3,FirstWave,2026-01-12,");

        AssertErrors(report, (5, "wave"));
        Assert.Contains("FirstWave, Renewal2023", report.Errors[0].Message);
        Assert.Equal(5, report.Rows);
        Assert.Equal(before, await CountsAsync(h));
    }

    [Fact]
    public async Task Rule_broken_by_a_row_is_reported_on_its_cell_with_every_other_error_of_the_file()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);
        await ImportedAsync(importer, ImportKind.Posts, Posts);
        await ImportedAsync(importer, ImportKind.Advisors, Advisors);
        var before = await CountsAsync(h);

        var report = await ImportAsync(importer, ImportKind.Contracts, $"""
            advisorEmail,siret,postLabel,type,start,end
            lou.bernard@aubenas.example.fr,{Aubenas},Conseiller numérique — médiathèque,Cdi,2026-03-02,2028-03-01
            noa.girard@aubenas.example.fr,{Aubenas},Conseiller numérique — France services,ContratDeProjet,2026-02-02,2029-02-01
            yanis.faure@anpt.example.fr,{Anpt},Conseiller numérique,Cdd,2026-02-16,2028-02-15
            yanis.faure@anpt.example.fr,{Anpt},Poste inconnu,Cdd,2026-02-16,2027-02-15
            lou.bernard@aubenas.example.fr,{Anpt},Conseiller numérique,Cdd,2026-02-16,2027-02-15
            """);

        AssertErrors(report, (2, "end"), (4, "end"), (5, "postLabel"), (6, "advisorEmail"));
        Assert.Contains("CDI", report.Errors[0].Message);
        Assert.Contains("18 mois", report.Errors[1].Message);
        Assert.Contains("inconnu", report.Errors[3].Message);
        Assert.Equal(before, await CountsAsync(h));
    }

    [Fact]
    public async Task Structure_out_of_scope_is_refused_with_the_same_words_as_an_unknown_one()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);
        var aubenas = (await h.QueryAsync<Guid>("SELECT id FROM structure WHERE siret = @Aubenas", new { Aubenas })).Single();
        Func<Guid, bool> onlyAubenas = id => id == aubenas;
        var before = await CountsAsync(h);

        var posts = await ImportAsync(importer, ImportKind.Posts, $"""
            siret,label,wave,grantStart
            {Aubenas},Poste 1,FirstWave,2026-01-05
            {Anpt},Poste 1,FirstWave,2026-01-05
            12345678901234,Poste 1,FirstWave,2026-01-05
            """, onlyAubenas);

        AssertErrors(posts, (3, "siret"), (4, "siret"));
        Assert.All(posts.Errors, e => Assert.Equal(CsvImporter.StructureOutOfScope, e.Message));
        Assert.Equal(before, await CountsAsync(h));

        // An advisor of a structure out of scope is as unknown as an advisor that does not exist.
        await ImportedAsync(importer, ImportKind.Posts, Posts);
        await ImportedAsync(importer, ImportKind.Advisors, Advisors);
        var contracts = await ImportAsync(importer, ImportKind.Contracts, $"""
            advisorEmail,siret,postLabel,type,start,end
            yanis.faure@anpt.example.fr,{Aubenas},Conseiller numérique — médiathèque,Cdd,2026-03-02,2027-03-01
            personne@aubenas.example.fr,{Aubenas},Conseiller numérique — médiathèque,Cdd,2026-03-02,2027-03-01
            """, onlyAubenas);
        AssertErrors(contracts, (2, "advisorEmail"), (3, "advisorEmail"));
        Assert.All(contracts.Errors, e => Assert.Equal(CsvImporter.AdvisorOutOfScope, e.Message));

        // Creating structures at all is asked with Guid.Empty.
        var structures = await importer.ImportAsync(ImportKind.Structures, Csv(Structures.Replace(Anpt, "11111111111111")), onlyAubenas, "hr:rh@aubenas.example.fr");
        AssertErrors(structures, (1, ""));
        Assert.Equal(2, await h.CountAsync("SELECT count(*)::int FROM structure"));
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM contract"));
    }

    [Fact]
    public async Task Semicolon_file_with_bom_quotes_any_column_order_and_french_dates_is_read()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);

        var report = await importer.ImportAsync(ImportKind.Posts, Csv($""""
            GrantStart;SIRET;Label;WAVE;topUpEur
            02/02/2026;{Aubenas};"Conseiller numérique; médiathèque ""Les Tilleuls""";FirstWave;"5 000,50"
            05/01/2026;210 700 190 00013;Conseiller numérique — France services;Renewal2023;
            """", bom: true), _ => true, Actor);

        Assert.True(report.Ok, string.Join("\n", report.Errors));
        Assert.Equal((2, 2), (report.Rows, report.Created));
        Assert.Equal([("Conseiller numérique — France services", "2026-01-05", "State", 42_500m), ("Conseiller numérique; médiathèque \"Les Tilleuls\"", "2026-02-02", "DepartementTopUp", 5_000.50m),
                ("Conseiller numérique; médiathèque \"Les Tilleuls\"", "2026-02-02", "State", 50_000m)],
            (await h.QueryAsync<(string Label, string Start, string Source, decimal Amount)>("""
                SELECT p.label, c.start_date::text, c.source, c.amount_eur FROM funded_post p JOIN grant_convention c ON c.post_id = p.id
                """)).OrderBy(c => c.Label, StringComparer.Ordinal).ThenBy(c => c.Source, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Duplicate_natural_key_in_the_file_is_an_error_on_the_second_row()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);
        var before = await CountsAsync(h);

        var report = await ImportAsync(importer, ImportKind.Advisors, $"""
            siret,fullName,workEmail,hasRecognisedDisability
            {Aubenas},Lou Bernard,lou.bernard@aubenas.example.fr,0
            {Aubenas},Noa Girard,noa.girard@aubenas.example.fr,1
            {Aubenas},Lou Bernard,Lou.Bernard@Aubenas.example.fr,0
            """);

        AssertErrors(report, (4, "workEmail"));
        Assert.Contains("ligne 2", report.Errors[0].Message);
        Assert.Equal(before, await CountsAsync(h));
    }

    [Theory]
    [InlineData("2025-02-30")]
    [InlineData("30/02/2025")]
    [InlineData("2026-13-01")]
    [InlineData("05-01-2026")]
    public async Task Impossible_or_unreadable_date_is_an_error_on_its_cell(string date)
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);

        var report = await ImportAsync(importer, ImportKind.Posts, $"siret,label,wave,grantStart\n{Aubenas},Poste 1,FirstWave,2026-01-05\n{Aubenas},Poste 2,FirstWave,{date}\n");

        AssertErrors(report, (3, "grantStart"));
        Assert.Contains(date, report.Errors[0].Message);
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM funded_post"));
    }

    [Fact]
    public async Task Cells_that_do_not_parse_are_each_reported_and_enum_numbers_are_refused()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);

        var posts = await ImportAsync(importer, ImportKind.Posts, $"siret,label,wave,grantStart,topUpEur\n{Aubenas},,0,2026-01-05,beaucoup\n");
        AssertErrors(posts, (2, "wave"), (2, "topUpEur"), (2, "label"));
        var advisors = await ImportAsync(importer, ImportKind.Advisors, $"siret,fullName,workEmail,hasRecognisedDisability\n{Aubenas},Lou Bernard,lou.bernard@aubenas.example.fr,peut-être\n");
        AssertErrors(advisors, (2, "hasRecognisedDisability"));
        var structures = await ImportAsync(importer, ImportKind.Structures, "name,kind,legalRegime,hrName,hrEmail\nMairie de Privas,1,Public,Camille Martin,rh@privas.example.fr\n");
        AssertErrors(structures, (2, "kind"));
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM funded_post") + await h.CountAsync("SELECT count(*)::int FROM advisor"));
    }

    [Fact]
    public async Task Unknown_and_missing_columns_are_reported_on_the_header_line()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);

        var report = await ImportAsync(importer, ImportKind.Posts, $"siret,label,vague,grantStart,Label\n{Aubenas},Poste 1,FirstWave,2026-01-05,Poste 1\n");

        AssertErrors(report, (1, "vague"), (1, "label"), (1, "wave"));
        Assert.Contains("vague", report.Errors[0].Message);
        Assert.Contains("siret, label, wave, grantStart, topUpEur", report.Errors[0].Message);
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM funded_post"));
    }

    [Fact]
    public async Task Malformed_quoting_or_an_empty_file_imports_nothing()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;

        var report = await ImportAsync(importer, ImportKind.Structures, Structures + "\n\"Mairie de Privas\" et environs,Commune,Public,,Camille Martin,rh@privas.example.fr,,\n");
        AssertErrors(report, (4, ""));
        Assert.Contains("mal formé", report.Errors[0].Message);
        AssertErrors(await ImportAsync(importer, ImportKind.Structures, Structures + "\nMairie de Privas,Commune,Public,,Camille Martin,rh@privas.example.fr,,,en trop\n"), (4, ""));
        AssertErrors(await ImportAsync(importer, ImportKind.Structures, ""), (1, ""));
        await AssertNothingWrittenAsync(h);
    }

    [Fact]
    public async Task File_not_in_utf8_is_refused_on_the_line_of_its_first_foreign_byte()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        var latin1 = Encoding.Latin1.GetBytes($"name,kind,legalRegime,hrName,hrEmail\nMairie de Privas,Commune,Public,Camille Martin,rh@privas.example.fr\nMairie de Guéret,Commune,Public,Camille Martin,rh@gueret.example.fr\n");

        var report = await importer.ImportAsync(ImportKind.Structures, new MemoryStream(latin1), _ => true, Actor);

        AssertErrors(report, (3, ""));
        Assert.Contains("UTF-8", report.Errors[0].Message);
        await AssertNothingWrittenAsync(h);
    }

    [Fact]
    public async Task Line_numbers_count_the_lines_inside_quoted_fields_and_blank_lines()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;

        var report = await ImportAsync(importer, ImportKind.Structures, """
            name,kind,legalRegime,hrName,hrEmail
            "Mairie
            de Privas",Commune,Public,Camille Martin,rh@privas.example.fr

            Mairie de Guéret,Commune,Public,Camille Martin,pas-une-adresse
            """);

        // A line break is no part of a name (control characters are refused): the error is on the row's first line.
        AssertErrors(report, (2, "name"), (5, "hrEmail"));
        await AssertNothingWrittenAsync(h);
    }

    [Fact]
    public async Task More_than_ten_thousand_rows_are_refused_before_anything_is_written()
    {
        var (h, importer) = await CreateAsync();
        await using var _ = h;
        await ImportedAsync(importer, ImportKind.Structures, Structures);
        var text = new StringBuilder("siret,fullName,workEmail\n");
        for (var i = 1; i <= CsvImporter.MaxRows + 1; i++) text.Append($"{Aubenas},Conseiller {i},conseiller.{i}@aubenas.example.fr\n");

        var report = await ImportAsync(importer, ImportKind.Advisors, text.ToString());

        AssertErrors(report, (CsvImporter.MaxRows + 2, ""));
        Assert.Contains("10 000", report.Errors[0].Message);
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM advisor"));
    }
}
