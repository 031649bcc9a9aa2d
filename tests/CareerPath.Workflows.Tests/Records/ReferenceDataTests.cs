using System.Text.Json.Nodes;
using CareerPath.Domain.Model;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Records;
using CareerPath.Workflows.Tests.Infrastructure;
using Dapper;
using Npgsql;
using static CareerPath.Workflows.Tests.Infrastructure.EngineHarness;

namespace CareerPath.Workflows.Tests.Records;

// Today is Monday 2026-01-05 unless a test says otherwise.
public sealed class ReferenceDataTests
{
    const string Actor = "admin:test";

    static NewStructure Mairie(string? siret = "21070019000013") => new("Mairie d'Aubenas", StructureKind.Commune, LegalRegime.Public, siret,
        "Camille Martin", "rh@aubenas.example.fr", "Dominique Leroy", "drh@aubenas.example.fr");

    static NewStructure Association() => new("Association Numérique pour tous", StructureKind.Association, LegalRegime.Private, "77567227221234",
        "Sacha Petit", "rh@anpt.example.fr", null, null);

    static async Task<(EngineHarness H, ReferenceData Records)> CreateAsync()
    {
        var h = await EngineHarness.CreateAsync("2026-01-05");
        return (h, new ReferenceData(h.Engine));
    }

    static async Task<Guid> CreatedAsync(Task<RecordResult> create)
    {
        var result = await create;
        Assert.True(result.Ok, string.Join(" | ", result.Errors));
        Assert.True(result.Created);
        return result.Id;
    }

    static void AssertRefused(RecordResult result, params string[] fields)
    {
        Assert.False(result.Ok);
        Assert.False(result.Created);
        Assert.Equal(Guid.Empty, result.Id);
        Assert.Equal(fields.Order(), result.Errors.Select(e => e.Field).Distinct().Order());
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    static Task<int> CountAsync(EngineHarness h, string table) => h.CountAsync($"SELECT count(*)::int FROM {table}");

    // ---- structures ----

    [Fact]
    public async Task Structure_is_created_with_its_hr_contact_and_lead_and_the_same_input_again_is_unchanged()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;

        var id = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));

        Assert.Equal([("Mairie d'Aubenas", "Commune", "Public", "21070019000013")],
            await h.QueryAsync<(string, string, string, string)>("SELECT name, kind, legal_regime, siret FROM structure WHERE id = @id", new { id }));
        Assert.Equal([("Camille Martin", "rh@aubenas.example.fr", false), ("Dominique Leroy", "drh@aubenas.example.fr", true)],
            await h.QueryAsync<(string, string, bool)>("SELECT full_name, email, is_lead FROM hr_contact WHERE structure_id = @id ORDER BY is_lead", new { id }));

        // Same structure, e-mails typed in another case and the SIRET with spaces: still the same record.
        var again = await records.CreateStructureAsync(Mairie("210 700 190 00013") with { HrEmail = "RH@Aubenas.example.fr" }, Actor);
        Assert.Equal(new RecordResult(id, false, []), again with { Errors = [] });
        Assert.True(again.Ok);
        Assert.Equal(1, await CountAsync(h, "structure"));
        Assert.Equal(2, await CountAsync(h, "hr_contact"));
    }

    [Fact]
    public async Task Structure_with_every_field_wrong_reports_each_field_and_writes_nothing()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;

        var result = await records.CreateStructureAsync(
            new NewStructure("  ", (StructureKind)42, null, "1234", new string('x', 201), "pas-une-adresse", "Dominique Leroy", null), Actor);

        AssertRefused(result, "name", "kind", "legalRegime", "siret", "hrName", "hrEmail", "hrLeadEmail");
        Assert.Contains("obligatoire", result.Errors.Single(e => e.Field == "name").Message);
        Assert.Contains("14 chiffres", result.Errors.Single(e => e.Field == "siret").Message);
        Assert.Contains("200 caractères", result.Errors.Single(e => e.Field == "hrName").Message);
        Assert.Contains("adresse e-mail valide", result.Errors.Single(e => e.Field == "hrEmail").Message);
        Assert.Equal(0, await CountAsync(h, "structure"));
        Assert.Equal(0, await CountAsync(h, "hr_contact"));
    }

    [Theory]
    [InlineData("camille@aubenas")]
    [InlineData("camille aubenas@example.fr")]
    [InlineData("camille@@example.fr")]
    [InlineData(".camille@example.fr")]
    public async Task Implausible_email_is_refused(string email)
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        AssertRefused(await records.CreateStructureAsync(Mairie() with { HrEmail = email }, Actor), "hrEmail");
    }

    [Fact]
    public async Task Email_longer_than_254_characters_is_refused()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var email = new string('a', 64) + "@" + string.Join(".", Enumerable.Repeat(new string('b', 60), 3)) + ".example.fr";
        Assert.True(email.Length > 254);
        AssertRefused(await records.CreateStructureAsync(Mairie() with { HrLeadEmail = email }, Actor), "hrLeadEmail");
    }

    [Fact]
    public async Task Structure_with_the_same_siret_and_other_values_is_refused_naming_each_field_that_differs()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));

        var result = await records.CreateStructureAsync(Mairie() with { Kind = StructureKind.Epci, HrEmail = "autre@aubenas.example.fr" }, Actor);

        AssertRefused(result, "kind", "hrEmail");
        Assert.All(result.Errors, e => Assert.Contains("existe déjà", e.Message));
        Assert.Equal(1, await CountAsync(h, "structure"));
    }

    [Fact]
    public async Task Structure_without_siret_is_found_by_its_exact_name()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var id = await CreatedAsync(records.CreateStructureAsync(Mairie(siret: null), Actor));

        Assert.Equal(new RecordResult(id, false, []), await records.CreateStructureAsync(Mairie(siret: null), Actor) with { Errors = [] });
        await CreatedAsync(records.CreateStructureAsync(Mairie(siret: null) with { Name = "Mairie de Privas" }, Actor));
        Assert.Equal(2, await CountAsync(h, "structure"));
    }

    // ---- posts ----

    [Fact]
    public async Task Post_gets_the_standard_convention_of_its_structure_regime_and_a_top_up_and_starts_its_funding_workflow()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var structure = await CreatedAsync(records.CreateStructureAsync(Association(), Actor));

        var post = await CreatedAsync(records.CreatePostAsync(new NewPost(structure, "Conseiller numérique", ConventionWave.FirstWave, D("2026-02-02"), 5000m), "hr:rh@anpt.example.fr"));

        // A private employer's first-wave convention runs 18 months.
        Assert.Equal(
            [("State", "FirstWave", 50_000m, "2026-02-02", "2027-08-01", 1), ("DepartementTopUp", "FirstWave", 5_000m, "2026-02-02", "2027-08-01", 1)],
            await h.QueryAsync<(string, string, decimal, string, string, int)>("""
                SELECT c.source, c.wave, c.amount_eur, c.start_date::text, c.end_date::text, (SELECT count(*)::int FROM grant_tranche t WHERE t.convention_id = c.id)
                  FROM grant_convention c WHERE c.post_id = @post ORDER BY c.source DESC
                """, new { post }));
        var instance = Assert.Single(await h.QueryAsync<(Guid Id, string Definition, Guid? Structure, string State)>(
            "SELECT id, definition_id, structure_id, state FROM workflow_instance WHERE subject_id = @post", new { post }));
        Assert.Equal((PostFundingWorkflow.DefinitionId, structure, "Granted"), (instance.Definition, instance.Structure, instance.State));
        Assert.Equal([("recruitment.grant-start", "2026-02-02")], await h.PendingTimersAsync(instance.Id));
        var data = WorkflowJson.FromObject<PostFundingData>((await h.Engine.GetAsync(instance.Id))!.DataObject);
        // No HR lead: escalations go to the HR contact.
        Assert.Equal(("Association Numérique pour tous", "rh@anpt.example.fr", "rh@anpt.example.fr"), (data.StructureName, data.HrEmail, data.HrLeadEmail));
        Assert.Equal(2, data.Post.Conventions.Count);
        Assert.Equal("hr:rh@anpt.example.fr", Assert.Single(await h.QueryAsync<string>("SELECT actor FROM workflow_journal WHERE instance_id = @id", new { id = instance.Id })));
    }

    [Fact]
    public async Task Post_input_errors_are_each_reported_on_their_field_and_nothing_is_written()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;

        var result = await records.CreatePostAsync(new NewPost(Guid.NewGuid(), new string('p', 201), (ConventionWave)9, new DateOnly(1999, 12, 31), 0m), Actor);

        AssertRefused(result, "structureId", "label", "wave", "grantStart", "topUpEur");
        Assert.Contains("introuvable", result.Errors.Single(e => e.Field == "structureId").Message);
        Assert.Contains("entre 2000 et 2100", result.Errors.Single(e => e.Field == "grantStart").Message);
        AssertRefused(await records.CreatePostAsync(new NewPost(null, null, null, null, 1_000_000.01m), Actor), "structureId", "label", "wave", "grantStart", "topUpEur");
        Assert.Equal(0, await CountAsync(h, "funded_post"));
        Assert.Equal(0, await CountAsync(h, "workflow_instance"));
    }

    [Fact]
    public async Task Same_post_twice_starts_one_workflow_and_the_same_label_with_another_wave_is_refused()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var structure = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));
        var input = new NewPost(structure, "Conseiller numérique — médiathèque", ConventionWave.Renewal2023, D("2026-01-05"), null);
        var post = await CreatedAsync(records.CreatePostAsync(input, Actor));
        var before = await h.SnapshotAsync();

        Assert.Equal(new RecordResult(post, false, []), await records.CreatePostAsync(input with { Label = " Conseiller numérique — médiathèque " }, Actor) with { Errors = [] });
        AssertRefused(await records.CreatePostAsync(input with { Wave = ConventionWave.FirstWave, TopUpEur = 5000m }, Actor), "wave", "topUpEur");

        Assert.Equal(before, await h.SnapshotAsync());
        Assert.Equal(1, await CountAsync(h, "funded_post"));
        Assert.Equal(1, await CountAsync(h, "grant_convention"));
    }

    // ---- advisors ----

    [Fact]
    public async Task Advisor_is_found_by_work_email_whatever_its_case_and_other_values_are_refused()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var structure = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));
        var other = await CreatedAsync(records.CreateStructureAsync(Association(), Actor));
        var id = await CreatedAsync(records.CreateAdvisorAsync(new NewAdvisor(structure, "Lou Bernard", "lou.bernard@aubenas.example.fr", null), Actor));

        Assert.Equal([("lou.bernard@aubenas.example.fr", false, (Guid?)structure)],
            await h.QueryAsync<(string, bool, Guid?)>("SELECT work_email, has_recognised_disability, structure_id FROM advisor"));
        var same = await records.CreateAdvisorAsync(new NewAdvisor(structure, "Lou Bernard", "Lou.Bernard@Aubenas.example.fr", false), Actor);
        Assert.Equal(new RecordResult(id, false, []), same with { Errors = [] });
        AssertRefused(await records.CreateAdvisorAsync(new NewAdvisor(structure, "Lou Bernard-Petit", "LOU.BERNARD@aubenas.example.fr", true), Actor),
            "fullName", "hasRecognisedDisability");
        // From another structure: only that the address is taken, nothing about the person (name, disability).
        var elsewhere = await records.CreateAdvisorAsync(new NewAdvisor(other, "Lou Bernard-Petit", "LOU.BERNARD@aubenas.example.fr", true), Actor);
        AssertRefused(elsewhere, "workEmail");
        Assert.Equal(elsewhere, await records.CreateAdvisorAsync(new NewAdvisor(other, "Lou Bernard", "lou.bernard@aubenas.example.fr", false), Actor) with { Errors = elsewhere.Errors });
        Assert.DoesNotContain("handicap", elsewhere.Errors[0].Message);
        Assert.Equal(1, await CountAsync(h, "advisor"));
    }

    [Fact]
    public async Task Advisor_without_structure_name_or_valid_email_is_refused_and_an_unknown_structure_is_not_found()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;

        AssertRefused(await records.CreateAdvisorAsync(new NewAdvisor(null, null, "lou.bernard", null), Actor), "structureId", "fullName", "workEmail");
        var unknown = await records.CreateAdvisorAsync(new NewAdvisor(Guid.NewGuid(), "Lou Bernard", "lou@example.fr", null), Actor);
        AssertRefused(unknown, "structureId");
        Assert.Equal("Structure introuvable.", unknown.Errors[0].Message);
        Assert.Equal(0, await CountAsync(h, "advisor"));
    }

    // ---- contracts ----

    [Fact]
    public async Task Contract_starts_an_advisor_contract_instance_that_knows_the_structure_contacts_and_the_post_as_stored()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var structure = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));
        var post = await CreatedAsync(records.CreatePostAsync(new NewPost(structure, "Conseiller numérique", ConventionWave.FirstWave, D("2026-02-02"), 5000m), Actor));
        var advisor = await CreatedAsync(records.CreateAdvisorAsync(new NewAdvisor(structure, "Lou Bernard", "lou.bernard@aubenas.example.fr", true), Actor));

        var contract = await CreatedAsync(records.CreateContractAsync(new NewContract(advisor, post, ContractType.Cdd, D("2026-03-02"), D("2028-03-01")), "hr:rh@aubenas.example.fr"));

        Assert.Equal([("Cdd", "Public", "2026-03-02", "2028-03-01")], await h.QueryAsync<(string, string, string, string)>(
            "SELECT contract_type, legal_regime, start_date::text, end_date::text FROM contract WHERE id = @contract AND advisor_id = @advisor AND post_id = @post",
            new { contract, advisor, post }));
        var instance = Assert.Single(await h.QueryAsync<(Guid Id, Guid? Structure, string State)>(
            "SELECT id, structure_id, state FROM workflow_instance WHERE definition_id = 'advisor-contract' AND subject_id = @contract", new { contract }));
        Assert.Equal((structure, "Recruited"), (instance.Structure, instance.State));
        Assert.Contains(("contract.start", "2026-03-02"), await h.PendingTimersAsync(instance.Id));
        var data = WorkflowJson.FromObject<AdvisorContractData>((await h.Engine.GetAsync(instance.Id))!.DataObject);
        Assert.Equal(("Mairie d'Aubenas", "rh@aubenas.example.fr", "drh@aubenas.example.fr", structure), (data.StructureName, data.HrEmail, data.HrLeadEmail, data.StructureId));
        Assert.Equal(new Advisor(advisor, "Lou Bernard", "lou.bernard@aubenas.example.fr", true), data.Advisor);
        Assert.Equal((post, 2), (data.Post!.Id, data.Post.Conventions.Count));
        // The post hears of its recruit in the same transaction.
        Assert.Equal("Occupied", Assert.Single(await h.QueryAsync<string>("SELECT state FROM workflow_instance WHERE subject_id = @post", new { post })));
    }

    [Fact]
    public async Task Contract_dates_and_types_are_checked_against_the_law_of_the_employer()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var mairie = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));
        var association = await CreatedAsync(records.CreateStructureAsync(Association(), Actor));
        var publicPost = await CreatedAsync(records.CreatePostAsync(new NewPost(mairie, "Poste 1", ConventionWave.FirstWave, D("2026-01-05"), null), Actor));
        var privatePost = await CreatedAsync(records.CreatePostAsync(new NewPost(association, "Poste 1", ConventionWave.FirstWave, D("2026-01-05"), null), Actor));
        var publicAdvisor = await CreatedAsync(records.CreateAdvisorAsync(new NewAdvisor(mairie, "Lou Bernard", "lou@aubenas.example.fr", null), Actor));
        var privateAdvisor = await CreatedAsync(records.CreateAdvisorAsync(new NewAdvisor(association, "Noa Girard", "noa@anpt.example.fr", null), Actor));
        var before = await h.SnapshotAsync();

        var cases = new (string Case, NewContract Input, string Field, string Says)[]
        {
            ("CDI with an end", new(publicAdvisor, publicPost, ContractType.Cdi, D("2026-02-02"), D("2027-02-01")), "end", "CDI"),
            ("CDD without an end", new(publicAdvisor, publicPost, ContractType.Cdd, D("2026-02-02"), null), "end", "date de fin"),
            ("PEC without an end", new(privateAdvisor, privatePost, ContractType.Pec, D("2026-02-02"), null), "end", "date de fin"),
            ("end before start", new(publicAdvisor, publicPost, ContractType.Cdd, D("2026-02-02"), D("2026-01-31")), "end", "précède"),
            ("PEC with a public employer", new(publicAdvisor, publicPost, ContractType.Pec, D("2026-02-02"), D("2027-02-01")), "type", "L5134-24"),
            ("private CDD of 24 months", new(privateAdvisor, privatePost, ContractType.Cdd, D("2026-02-02"), D("2028-02-01")), "end", "L1242-8-1"),
            ("public contrat de projet of 6 months", new(publicAdvisor, publicPost, ContractType.ContratDeProjet, D("2026-02-02"), D("2026-08-01")), "end", "au moins 1 an"),
            ("start before 2000", new(publicAdvisor, publicPost, ContractType.Cdi, new DateOnly(1999, 1, 4), null), "start", "entre 2000 et 2100"),
            ("undefined type", new(publicAdvisor, publicPost, (ContractType)7, D("2026-02-02"), D("2027-02-01")), "type", "valeur reconnue"),
        };
        foreach (var (name, input, field, says) in cases)
        {
            var result = await records.CreateContractAsync(input, Actor);
            Assert.True(!result.Ok && result.Errors.Count == 1 && result.Errors[0].Field == field && result.Errors[0].Message.Contains(says),
                $"{name}: {string.Join(" | ", result.Errors)}");
        }

        Assert.Equal(0, await CountAsync(h, "contract"));
        Assert.Equal(before, await h.SnapshotAsync());
        // The same dates in a lawful shape are accepted.
        await CreatedAsync(records.CreateContractAsync(new NewContract(privateAdvisor, privatePost, ContractType.Cdd, D("2026-02-02"), D("2027-08-01")), Actor));
    }

    [Fact]
    public async Task Contract_with_an_advisor_of_another_structure_or_unknown_references_is_refused()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var mairie = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));
        var association = await CreatedAsync(records.CreateStructureAsync(Association(), Actor));
        var post = await CreatedAsync(records.CreatePostAsync(new NewPost(mairie, "Poste 1", ConventionWave.FirstWave, D("2026-01-05"), null), Actor));
        var stranger = await CreatedAsync(records.CreateAdvisorAsync(new NewAdvisor(association, "Noa Girard", "noa@anpt.example.fr", null), Actor));

        var elsewhere = await records.CreateContractAsync(new NewContract(stranger, post, ContractType.Cdd, D("2026-02-02"), D("2027-02-01")), Actor);
        AssertRefused(elsewhere, "advisorId");
        // The same words as for an advisor who does not exist: another structure's people are not revealed.
        var unknownAdvisor = await records.CreateContractAsync(new NewContract(Guid.NewGuid(), post, ContractType.Cdd, D("2026-02-02"), D("2027-02-01")), Actor);
        Assert.Equal(unknownAdvisor.Errors, elsewhere.Errors);
        Assert.Contains("inconnu", elsewhere.Errors[0].Message);

        var unknown = await records.CreateContractAsync(new NewContract(Guid.NewGuid(), Guid.NewGuid(), ContractType.Cdd, D("2026-02-02"), D("2027-02-01")), Actor);
        // Without a known post, nothing is said about the advisor (there is no structure to check them against).
        AssertRefused(unknown, "postId");
        Assert.Contains("introuvable", unknown.Errors.Single(e => e.Field == "postId").Message);
        AssertRefused(await records.CreateContractAsync(new NewContract(null, null, null, null, null), Actor), "advisorId", "postId", "type", "start");
        AssertRefused(await records.CreateContractAsync(new NewContract(null, post, ContractType.Cdd, D("2026-02-02"), D("2027-02-01")), Actor), "advisorId");
        Assert.Equal(0, await CountAsync(h, "contract"));
        Assert.Equal(0, await h.CountAsync("SELECT count(*)::int FROM workflow_instance WHERE definition_id = 'advisor-contract'"));
    }

    [Fact]
    public async Task Same_contract_twice_is_unchanged_and_another_end_on_the_same_start_is_refused()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var mairie = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));
        var post = await CreatedAsync(records.CreatePostAsync(new NewPost(mairie, "Poste 1", ConventionWave.FirstWave, D("2026-01-05"), null), Actor));
        var advisor = await CreatedAsync(records.CreateAdvisorAsync(new NewAdvisor(mairie, "Lou Bernard", "lou@aubenas.example.fr", null), Actor));
        var input = new NewContract(advisor, post, ContractType.Cdd, D("2026-02-02"), D("2027-02-01"));
        var contract = await CreatedAsync(records.CreateContractAsync(input, Actor));
        var before = await h.SnapshotAsync();

        Assert.Equal(new RecordResult(contract, false, []), await records.CreateContractAsync(input, Actor) with { Errors = [] });
        AssertRefused(await records.CreateContractAsync(input with { End = D("2027-08-01") }, Actor), "end");

        Assert.Equal(before, await h.SnapshotAsync());
        Assert.Equal(1, await CountAsync(h, "contract"));
    }

    // ---- transactions and concurrency ----

    [Fact]
    public async Task Errors_in_the_callers_transaction_write_nothing_and_leave_it_usable()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        await using var conn = await h.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();

        var structure = await CreatedAsync(records.CreateStructureAsync(conn, tx, Mairie(), Actor));
        AssertRefused(await records.CreatePostAsync(conn, tx, new NewPost(structure, "", ConventionWave.FirstWave, D("2026-01-05"), null), Actor), "label");
        var post = await CreatedAsync(records.CreatePostAsync(conn, tx, new NewPost(structure, "Poste 1", ConventionWave.FirstWave, D("2026-01-05"), null), Actor));
        await tx.CommitAsync();

        Assert.Equal([post], await h.QueryAsync<Guid>("SELECT id FROM funded_post"));
        Assert.Equal([post], await h.QueryAsync<Guid>("SELECT subject_id FROM workflow_instance"));
    }

    [Fact]
    public async Task Concurrent_creations_of_the_same_advisor_make_one_record()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var structure = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));
        var input = new NewAdvisor(structure, "Lou Bernard", "lou@aubenas.example.fr", null);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => records.CreateAdvisorAsync(i % 2 == 0 ? input : input with { WorkEmail = "LOU@aubenas.example.fr" }, Actor))));

        Assert.All(results, r => Assert.True(r.Ok, string.Join(" | ", r.Errors)));
        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Equal(1, await CountAsync(h, "advisor"));
    }

    [Fact]
    public async Task Unique_violation_from_a_concurrent_writer_is_a_field_error_and_the_transaction_goes_on()
    {
        var (h, records) = await CreateAsync();
        await using var _ = h;
        var structure = await CreatedAsync(records.CreateStructureAsync(Mairie(), Actor));

        // Another writer, which does not go through ReferenceData, inserts the same e-mail and commits late.
        await using var other = await h.DataSource.OpenConnectionAsync();
        await using var otherTx = await other.BeginTransactionAsync();
        await other.ExecuteAsync("INSERT INTO advisor (id, full_name, work_email) VALUES (@id, 'Lou B.', 'lou@aubenas.example.fr')", new { id = Guid.NewGuid() }, otherTx);

        await using var conn = await h.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var racing = records.CreateAdvisorAsync(conn, tx, new NewAdvisor(structure, "Lou Bernard", "lou@aubenas.example.fr", null), Actor);
        await WaitUntilBlockedAsync(h);
        await otherTx.CommitAsync();
        var result = await racing;

        AssertRefused(result, "workEmail");
        Assert.Contains("réessayez", result.Errors[0].Message);
        await CreatedAsync(records.CreateAdvisorAsync(conn, tx, new NewAdvisor(structure, "Noa Girard", "noa@aubenas.example.fr", null), Actor));
        await tx.CommitAsync();
        Assert.Equal(["Lou B.", "Noa Girard"], await h.QueryAsync<string>("SELECT full_name FROM advisor ORDER BY full_name"));
    }

    /// <summary>Until some session of the test database waits for a row lock: the insert is parked on the unique index.</summary>
    static async Task WaitUntilBlockedAsync(EngineHarness h)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (await h.CountAsync("SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0) return;
            await Task.Delay(25);
        }
        Assert.Fail("The insert never waited for the other writer.");
    }
}
