using System.Globalization;
using System.Text.RegularExpressions;
using CareerPath.Domain.Model;
using CareerPath.Domain.Rules;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Storage;
using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Records;

/// <summary>A problem with one input value. <see cref="Field"/> is the camelCase input property: the JSON property and the CSV column.</summary>
public sealed record FieldError(string Field, string Message);

// Every property is nullable so that a missing value comes back as a FieldError, not as a crash
// of a deserialiser or a CSV reader.

/// <summary>
/// An employer structure, its HR contact (reminders), optionally its HR lead (escalations) and the INSEE code of
/// its département (<see cref="Territory"/>: the program's counts by département and region).
/// </summary>
public sealed record NewStructure(string? Name, StructureKind? Kind, LegalRegime? LegalRegime, string? Siret,
    string? HrName, string? HrEmail, string? HrLeadName = null, string? HrLeadEmail = null, string? Departement = null);

/// <summary>
/// A funded post: the State's standard convention of <see cref="Wave"/> from <see cref="GrantStart"/>, for the
/// structure's legal regime; a positive <see cref="TopUpEur"/> adds a département top-up over the same dates.
/// </summary>
public sealed record NewPost(Guid? StructureId, string? Label, ConventionWave? Wave, DateOnly? GrantStart, decimal? TopUpEur = null);

/// <summary>An advisor recorded by a structure. A missing <see cref="HasRecognisedDisability"/> is false, as in the schema.</summary>
public sealed record NewAdvisor(Guid? StructureId, string? FullName, string? WorkEmail, bool? HasRecognisedDisability = null);

/// <summary>A contract of an advisor on a post; its legal regime is that of the post's structure.</summary>
/// <summary>A new State convention for an existing post, from its wave and start (amounts and tranches are the standard ones).</summary>
public sealed record NewConvention(ConventionWave? Wave, DateOnly? Start);

public sealed record NewContract(Guid? AdvisorId, Guid? PostId, ContractType? Type, DateOnly? Start, DateOnly? End = null);

/// <summary>
/// <see cref="Created"/>: a new record was written (and its workflow started). Not created and no errors: an
/// identical record already existed, <see cref="Id"/> is its id and nothing was written — unless <see cref="Updated"/>:
/// the record existed and only a value it lacked was filled in (a structure's département). With errors,
/// <see cref="Id"/> is empty and nothing was written.
/// </summary>
public sealed record RecordResult(Guid Id, bool Created, IReadOnlyList<FieldError> Errors, bool Updated = false)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Creates the program's reference records and starts their workflows: one post-funding instance per post, one
/// advisor-contract instance per contract, in the same transaction as the rows. Used by the REST API (one record
/// per request) and by the CSV import (every row in one transaction). Creating is idempotent on each record's
/// natural key: the same input twice is one record.
/// </summary>
public sealed partial class ReferenceData(WorkflowEngine engine)
{
    static ReferenceData() => DapperTypes.Register();

    public const int MaxNameLength = 200;
    public const int MaxEmailLength = 254;
    public const decimal MaxAmountEur = 1_000_000m;
    public static readonly DateOnly MinDate = new(2000, 1, 1);
    public static readonly DateOnly MaxDate = new(2100, 12, 31);

    const string Savepoint = "reference_data";

    internal NpgsqlDataSource DataSource => engine.DataSource;

    // One advisory lock per kind of record, held to the end of the transaction: between looking a natural key
    // up and inserting it, no other writer can insert the same key (advisor e-mails are compared without case,
    // and structures without SIRET and contracts have no unique index). One lock per kind rather than per key,
    // so that an import of 10 000 rows does not fill PostgreSQL's lock table.
    const int LockNamespace = 0x43505244;
    enum Kind { Structure = 1, Post = 2, Advisor = 3, Contract = 4 }

    // ---- in a transaction of their own ----

    public Task<RecordResult> CreateStructureAsync(NewStructure input, string actor, CancellationToken ct = default) =>
        InOwnTransactionAsync((conn, tx) => CreateStructureAsync(conn, tx, input, actor, ct), ct);

    public Task<RecordResult> CreatePostAsync(NewPost input, string actor, CancellationToken ct = default) =>
        InOwnTransactionAsync((conn, tx) => CreatePostAsync(conn, tx, input, actor, ct), ct);

    public Task<RecordResult> CreateAdvisorAsync(NewAdvisor input, string actor, CancellationToken ct = default) =>
        InOwnTransactionAsync((conn, tx) => CreateAdvisorAsync(conn, tx, input, actor, ct), ct);

    public Task<RecordResult> CreateContractAsync(NewContract input, string actor, CancellationToken ct = default) =>
        InOwnTransactionAsync((conn, tx) => CreateContractAsync(conn, tx, input, actor, ct), ct);

    async Task<RecordResult> InOwnTransactionAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task<RecordResult>> create, CancellationToken ct)
    {
        await using var conn = await engine.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        using var counted = EngineMetrics.Begin();
        var result = await create(conn, tx);
        // Otherwise nothing was written: disposing the transaction rolls back the lock alone.
        if (result.Created || result.Updated)
        {
            await tx.CommitAsync(ct);
            counted.Committed();
        }
        return result;
    }

    // ---- in the caller's transaction: on error nothing is written and the transaction stays usable ----

    public async Task<RecordResult> CreateStructureAsync(NpgsqlConnection conn, NpgsqlTransaction tx, NewStructure input, string actor, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var check = new Check();
        var name = check.Text("name", input.Name, "Le nom de la structure", MaxNameLength);
        var kind = check.Defined("kind", input.Kind, "Le type de structure");
        var regime = check.Defined("legalRegime", input.LegalRegime, "Le régime juridique");
        var siret = check.Siret("siret", input.Siret);
        var hrName = check.Text("hrName", input.HrName, "Le nom du contact RH", MaxNameLength);
        var hrEmail = check.Email("hrEmail", input.HrEmail, "L'adresse e-mail du contact RH");
        var leadName = check.Text("hrLeadName", input.HrLeadName, "Le nom du référent RH", MaxNameLength, required: false);
        var leadEmail = check.Email("hrLeadEmail", input.HrLeadEmail, "L'adresse e-mail du référent RH", required: false);
        if (IsBlank(input.HrLeadName) != IsBlank(input.HrLeadEmail))
            check.Add(IsBlank(input.HrLeadName) ? "hrLeadName" : "hrLeadEmail", "Le référent RH se donne avec son nom et son adresse e-mail, ou pas du tout.");
        var departement = check.Departement("departement", input.Departement);
        if (check.Failed) return check.Result();

        await LockAsync(conn, tx, Kind.Structure, ct);
        var matches = (await conn.QueryAsync<StructureRow>($"""
            SELECT id, name, kind, legal_regime AS LegalRegime, siret, departement FROM structure
             WHERE {(siret is null ? "name = @name" : "siret = @siret")}
            """, new { name, siret }, tx)).ToList();
        if (matches.Count > 1)
            return Failed("name", "Plusieurs structures portent ce nom : précisez le SIRET.");
        if (matches.Count == 1)
        {
            var s = matches[0];
            var contacts = (await conn.QueryAsync<ContactRow>(
                "SELECT full_name AS FullName, email, is_lead AS IsLead FROM hr_contact WHERE structure_id = @Id ORDER BY full_name, email", s, tx)).ToList();
            var hr = contacts.Where(c => !c.IsLead).ToList();
            var lead = contacts.SingleOrDefault(c => c.IsLead);
            var differs = new Differences("Cette structure")
                .Compare("name", "le nom", s.Name == name)
                .Compare("kind", "le type", s.Kind == kind.ToString())
                .Compare("legalRegime", "le régime juridique", s.LegalRegime == regime.ToString())
                .Compare("siret", "le SIRET", s.Siret == siret)
                .Compare("hrName", "le contact RH", hr.Count == 1 && hr[0].FullName == hrName)
                .Compare("hrEmail", "l'adresse e-mail du contact RH", hr.Count == 1 && SameEmail(hr[0].Email, hrEmail))
                .Compare("hrLeadName", "le référent RH", lead?.FullName == leadName)
                .Compare("hrLeadEmail", "l'adresse e-mail du référent RH", lead is null ? leadEmail is null : leadEmail is not null && SameEmail(lead.Email, leadEmail))
                // Not given: not compared. Given for a structure recorded without one (before migration 0007): filled in below.
                .Compare("departement", "le département", departement is null || s.Departement is null || s.Departement == departement);
            var same = differs.Result(s.Id);
            if (!same.Ok || departement is null || s.Departement is not null) return same;
            await conn.ExecuteAsync(new CommandDefinition("UPDATE structure SET departement = @departement WHERE id = @id AND departement IS NULL",
                new { departement, id = s.Id }, tx, cancellationToken: ct));
            return same with { Updated = true };
        }

        return await WriteAsync(tx, siret is null ? "name" : "siret", async now =>
        {
            var id = Guid.CreateVersion7(now);
            await conn.ExecuteAsync("""
                INSERT INTO structure (id, name, kind, legal_regime, siret, departement) VALUES (@id, @name, @kind, @regime, @siret, @departement)
                """, new { id, name, kind = kind.ToString(), regime = regime.ToString(), siret, departement }, tx);
            var contacts = new List<(string Name, string Email, bool IsLead)> { (hrName!, hrEmail!, false) };
            if (leadName is not null && leadEmail is not null) contacts.Add((leadName, leadEmail, true));
            foreach (var c in contacts)
                await conn.ExecuteAsync("INSERT INTO hr_contact (id, structure_id, full_name, email, is_lead) VALUES (@cid, @id, @Name, @Email, @IsLead)",
                    new { cid = Guid.CreateVersion7(now), id, c.Name, c.Email, c.IsLead }, tx);
            return id;
        }, ct);
    }

    public async Task<RecordResult> CreatePostAsync(NpgsqlConnection conn, NpgsqlTransaction tx, NewPost input, string actor, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var check = new Check();
        var structureId = check.Required("structureId", input.StructureId, "La structure");
        var label = check.Text("label", input.Label, "L'intitulé du poste", MaxNameLength);
        var wave = check.Defined("wave", input.Wave, "La vague de conventionnement");
        var grantStart = check.Date("grantStart", input.GrantStart, "La date de début de la subvention");
        var topUp = check.Amount("topUpEur", input.TopUpEur, "Le complément départemental");

        await LockAsync(conn, tx, Kind.Post, ct);
        var structure = structureId is { } sid ? await LoadStructureAsync(conn, tx, sid) : null;
        if (structureId is not null && structure is null) check.Add("structureId", "Structure introuvable.");
        if (check.Failed) return check.Result();

        var existingId = await FindPostIdAsync(conn, tx, structure!.Id, label!);
        if (existingId is { } postId)
        {
            var existing = await LoadPostAsync(conn, tx, postId);
            var grant = existing.Conventions.Where(c => c.Source == FundingSource.State).MinBy(c => c.Start);
            var topUps = existing.Conventions.Where(c => c.Source == FundingSource.DepartementTopUp).ToList();
            return new Differences("Ce poste")
                .Compare("wave", "la vague de conventionnement", grant?.Wave == wave)
                .Compare("grantStart", "la date de début de la subvention", grant?.Start == grantStart)
                .Compare("topUpEur", "le complément départemental", (topUps.Count == 0 ? (decimal?)null : topUps.Sum(c => c.Amount)) == topUp)
                .Result(postId);
        }

        return await WriteAsync(tx, "label", async now =>
        {
            var id = Guid.CreateVersion7(now);
            var standard = StandardFunding.StandardConvention(Guid.CreateVersion7(now), wave!.Value, structure.Regime, grantStart!.Value);
            var conventions = new List<GrantConvention> { standard };
            if (topUp is { } amount)
                conventions.Add(new GrantConvention(Guid.CreateVersion7(now), FundingSource.DepartementTopUp, standard.Wave, amount,
                    standard.Start, standard.End, [new Tranche(amount, standard.Start)]));
            await conn.ExecuteAsync("INSERT INTO funded_post (id, structure_id, label) VALUES (@id, @sid, @label)", new { id, sid = structure.Id, label }, tx);
            foreach (var g in conventions) await InsertConventionAsync(conn, tx, id, g);
            // The instance gets the post as stored, so that it matches what every later reader of the tables sees.
            var data = new PostFundingData
            {
                Post = await LoadPostAsync(conn, tx, id), StructureName = structure.Name, HrEmail = structure.HrEmail, HrLeadEmail = structure.HrLeadEmail,
            };
            await engine.StartAsync(conn, tx, new StartRequest(PostFundingWorkflow.DefinitionId, id, structure.Id, WorkflowJson.ToObject(data), actor), ct);
            return id;
        }, ct);
    }

    /// <summary>
    /// A new State convention for a post (a 2023 renewal, or a new first-wave term): the standard amounts
    /// and tranches for the employer's regime, written with the post-funding transition that takes it
    /// into account (and tells the running contract), in one transaction. The same start twice is one convention.
    /// </summary>
    public async Task<RecordResult> RenewConventionAsync(Guid postId, NewConvention input, string actor, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await using var conn = await engine.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var check = new Check();
        var wave = check.Defined("wave", input.Wave, "La vague de conventionnement");
        var start = check.Date("start", input.Start, "La date de début de la convention");
        await LockAsync(conn, tx, Kind.Post, ct);
        var post = await FindPostAsync(conn, tx, postId);
        if (post is null) check.Add("postId", "Poste introuvable.");
        if (check.Failed) return check.Result();

        var stored = await LoadPostAsync(conn, tx, postId);
        var state = stored.Conventions.Where(c => c.Source == FundingSource.State).ToList();
        if (state.FirstOrDefault(c => c.Start == start) is { } same)
            return new Differences("Cette convention").Compare("wave", "la vague", same.Wave == wave).Result(same.Id);
        // A new convention follows the current one: overlapping ones would count the same months twice
        // and could pull the funding end back.
        if (state.Count > 0 && start <= state.Max(c => c.End))
        {
            check.Add("start", $"Une nouvelle convention commence après la fin de la dernière ({state.Max(c => c.End):yyyy-MM-dd}).");
            return check.Result();
        }
        if (wave == ConventionWave.Renewal2023 && start < new DateOnly(2023, 1, 1))
        {
            check.Add("start", "Les conventions de renouvellement commencent en 2023 ou après.");
            return check.Result();
        }
        var instance = await conn.QuerySingleOrDefaultAsync<Guid?>("""
            SELECT id FROM workflow_instance WHERE definition_id = @def AND subject_id = @postId AND closed_at IS NULL ORDER BY created_at DESC LIMIT 1
            """, new { def = PostFundingWorkflow.DefinitionId, postId }, tx);
        if (instance is null)
        {
            check.Add("postId", "Le financement de ce poste est clos : pas de nouvelle convention.");
            return check.Result();
        }
        var structure = (await LoadStructureAsync(conn, tx, post!.StructureId))!;
        using var counted = EngineMetrics.Begin();
        var result = await WriteAsync(tx, "start", async now =>
        {
            var convention = StandardFunding.StandardConvention(Guid.CreateVersion7(now), wave!.Value, structure.Regime, start!.Value);
            await InsertConventionAsync(conn, tx, postId, convention);
            await engine.SignalAsync(conn, tx, new SignalRequest(instance.Value, nameof(PostTrigger.ConventionRenewed),
                new System.Text.Json.Nodes.JsonObject { ["convention"] = WorkflowJson.ToObject(convention) }, actor), ct);
            return convention.Id;
        }, ct);
        if (result.Ok)
        {
            await tx.CommitAsync(ct);
            counted.Committed();
        }
        return result;
    }

    /// <summary>A convention and its tranches (numbered from 1), as every writer of posts stores them.</summary>
    internal static async Task InsertConventionAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid postId, GrantConvention g)
    {
        await conn.ExecuteAsync("""
            INSERT INTO grant_convention (id, post_id, source, wave, amount_eur, start_date, end_date)
            VALUES (@Id, @post, @source, @wave, @Amount, @Start, @End)
            """, new { g.Id, post = postId, source = g.Source.ToString(), wave = g.Wave.ToString(), g.Amount, g.Start, g.End }, tx);
        var seq = 1;
        foreach (var t in g.Tranches)
            await conn.ExecuteAsync("INSERT INTO grant_tranche (convention_id, seq, amount_eur, expected_on) VALUES (@cid, @seq, @Amount, @ExpectedOn)",
                new { cid = g.Id, seq = seq++, t.Amount, t.ExpectedOn }, tx);
    }

    public async Task<RecordResult> CreateAdvisorAsync(NpgsqlConnection conn, NpgsqlTransaction tx, NewAdvisor input, string actor, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var check = new Check();
        var structureId = check.Required("structureId", input.StructureId, "La structure");
        var fullName = check.Text("fullName", input.FullName, "Le nom du conseiller", MaxNameLength);
        var workEmail = check.Email("workEmail", input.WorkEmail, "L'adresse e-mail professionnelle");
        var disabled = input.HasRecognisedDisability ?? false;

        await LockAsync(conn, tx, Kind.Advisor, ct);
        if (structureId is { } sid && await LoadStructureAsync(conn, tx, sid) is null) check.Add("structureId", "Structure introuvable.");
        if (check.Failed) return check.Result();

        if (await FindAdvisorAsync(conn, tx, workEmail!) is { } existing)
        {
            // Recorded by another structure (or by none): nothing about that person is compared or told,
            // only that the address is taken, which the unique e-mail makes unavoidable.
            if (existing.StructureId != structureId)
            {
                var taken = new Check();
                taken.Add("workEmail", "Adresse indisponible : voyez avec l'administrateur.");
                return taken.Result();
            }
            return new Differences("Ce conseiller")
                .Compare("structureId", "la structure", existing.StructureId == structureId)
                .Compare("fullName", "le nom", existing.FullName == fullName)
                .Compare("hasRecognisedDisability", "la reconnaissance de handicap", existing.HasRecognisedDisability == disabled)
                .Result(existing.Id);
        }

        return await WriteAsync(tx, "workEmail", async now =>
        {
            var id = Guid.CreateVersion7(now);
            await conn.ExecuteAsync("""
                INSERT INTO advisor (id, full_name, work_email, has_recognised_disability, structure_id)
                VALUES (@id, @fullName, @workEmail, @disabled, @structureId)
                """, new { id, fullName, workEmail, disabled, structureId }, tx);
            return id;
        }, ct);
    }

    public async Task<RecordResult> CreateContractAsync(NpgsqlConnection conn, NpgsqlTransaction tx, NewContract input, string actor, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var check = new Check();
        var advisorId = check.Required("advisorId", input.AdvisorId, "Le conseiller");
        var postId = check.Required("postId", input.PostId, "Le poste");
        var type = check.Defined("type", input.Type, "Le type de contrat");
        var start = check.Date("start", input.Start, "La date de début du contrat");
        var end = check.Date("end", input.End, "La date de fin du contrat", required: false);
        if (type == ContractType.Cdi && input.End is not null)
            check.Add("end", "Un CDI n'a pas de date de fin.");
        if (type is { } t && t != ContractType.Cdi && input.End is null)
            check.Add("end", $"Un {(t == ContractType.ContratDeProjet ? "contrat de projet" : t.ToString().ToUpperInvariant())} doit avoir une date de fin : seul le CDI n'en a pas.");

        await LockAsync(conn, tx, Kind.Contract, ct);
        var advisor = advisorId is { } aid ? await LoadAdvisorAsync(conn, tx, aid) : null;
        var post = postId is { } pid ? await FindPostAsync(conn, tx, pid) : null;
        if (postId is not null && post is null) check.Add("postId", "Poste introuvable.");
        // An advisor of another structure (or of none) answers like one that does not exist: a caller who
        // may write on this post's structure learns nothing of the others'.
        // Without a known post there is nothing to check the advisor against: nothing is said about them.
        if (post is not null && advisorId is not null && (advisor is null || advisor.StructureId != post.StructureId))
            check.Add("advisorId", "Conseiller inconnu ou hors de la structure du poste.");
        var structure = post is null ? null : await LoadStructureAsync(conn, tx, post.StructureId);

        if (structure is not null && type is { } contractType && start is { } from && !check.Has("end"))
        {
            // The legal regime is the employer's: the rules below depend on it.
            var contract = new Contract(Guid.Empty, advisorId ?? Guid.Empty, post!.Id, contractType, structure.Regime, from, end);
            foreach (var error in contract.Validate())
                check.Add(error.RuleId == "model.contract.pec-private" ? "type" : "end", error.Message);
            if (end is { } to && !check.Has("end"))
            {
                // A new contract is its own first term: the 18-month limit applies to it as to a renewal, together
                // with the advisor's earlier CDDs on this post signed in succession (the records hold them all).
                if (contractType == ContractType.Cdd && structure.Regime == LegalRegime.Private)
                    check.Refuse("end", PrivateCddLimits.CheckAmendment(contract, to, PrivateCddLimits.EarlierInSuccession(contract,
                        advisorId is { } known ? await ContractRecords.OthersWithEmployerAsync(conn, tx, known, structure.Id, Guid.Empty, ct) : [])));
                if (contractType == ContractType.ContratDeProjet)
                    check.Refuse("end", ContratDeProjetRules.CheckDuration(structure.Regime, from, to));
            }
        }
        if (check.Failed) return check.Result();

        var existing = await conn.QueryFirstOrDefaultAsync<ContractRow>("""
            SELECT id, contract_type AS Type, end_date AS EndDate FROM contract
             WHERE advisor_id = @advisorId AND post_id = @postId AND start_date = @start ORDER BY id
            """, new { advisorId, postId, start }, tx);
        if (existing is not null)
            return new Differences("Ce contrat")
                .Compare("type", "le type de contrat", existing.Type == type.ToString())
                .Compare("end", "la date de fin", existing.EndDate == end)
                .Result(existing.Id);

        return await WriteAsync(tx, "start", async now =>
        {
            var id = Guid.CreateVersion7(now);
            // The contract's record is written by the workflow's start, in this same transaction (its projection).
            var contract = new Contract(id, advisor!.Id, post!.Id, type!.Value, structure!.Regime, start!.Value, end);
            var data = new AdvisorContractData
            {
                Contract = contract,
                Advisor = new Advisor(advisor.Id, advisor.FullName, advisor.WorkEmail, advisor.HasRecognisedDisability),
                StructureId = structure.Id,
                StructureName = structure.Name,
                HrEmail = structure.HrEmail,
                HrLeadEmail = structure.HrLeadEmail,
                Post = await LoadPostAsync(conn, tx, post.Id),
            };
            await engine.StartAsync(conn, tx, new StartRequest(AdvisorContractWorkflow.DefinitionId, id, structure.Id, WorkflowJson.ToObject(data), actor), ct);
            return id;
        }, ct);
    }

    // ---- writing ----

    static Task LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Kind kind, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@ns, @kind)", new { ns = LockNamespace, kind = (int)kind }, tx, cancellationToken: ct));

    /// <summary>
    /// Runs the writes under a savepoint: if one fails (a writer that does not take our lock inserted the same
    /// key, the workflow refused its data), they are all undone and the caller's transaction goes on.
    /// </summary>
    async Task<RecordResult> WriteAsync(NpgsqlTransaction tx, string keyField, Func<DateTimeOffset, Task<Guid>> write, CancellationToken ct)
    {
        await tx.SaveAsync(Savepoint, ct);
        try
        {
            var id = await write(engine.Time.GetUtcNow());
            await tx.ReleaseAsync(Savepoint, ct);
            return new RecordResult(id, true, []);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync(Savepoint, ct);
            var field = e.ConstraintName switch
            {
                "structure_siret_key" => "siret",
                "advisor_work_email_key" => "workEmail",
                "funded_post_label" => "label",
                _ => keyField,
            };
            return Failed(field, "Un enregistrement avec cette valeur vient d'être créé par une autre requête : réessayez pour le retrouver.");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            await tx.RollbackAsync(Savepoint, ct);
            var field = e.ConstraintName switch
            {
                "contract_advisor_id_fkey" => "advisorId",
                "contract_post_id_fkey" => "postId",
                "funded_post_structure_id_fkey" or "advisor_structure_id_fkey" or "hr_contact_structure_id_fkey" => "structureId",
                _ => keyField,
            };
            return Failed(field, "Introuvable : l'enregistrement lié vient d'être supprimé.");
        }
        catch (WorkflowInputException e)
        {
            await tx.RollbackAsync(Savepoint, ct);
            return Failed(keyField, e.Message);
        }
        catch (WorkflowConflictException)
        {
            // Starting a contract signals its post's instance, which someone else changed meanwhile.
            await tx.RollbackAsync(Savepoint, ct);
            return Failed(keyField, "Le poste a été modifié au même moment par une autre opération : réessayez.");
        }
    }

    static RecordResult Failed(string field, string message) => new(Guid.Empty, false, [new FieldError(field, message)]);

    // ---- reading ----

    sealed class StructureRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public string LegalRegime { get; init; } = "";
        public string? Siret { get; init; }
        public string? Departement { get; init; }
    }

    sealed class ContactRow
    {
        public string FullName { get; init; } = "";
        public string Email { get; init; } = "";
        public bool IsLead { get; init; }
    }

    internal sealed class AdvisorRow
    {
        public Guid Id { get; init; }
        public string FullName { get; init; } = "";
        public string WorkEmail { get; init; } = "";
        public bool HasRecognisedDisability { get; init; }
        public Guid? StructureId { get; init; }
    }

    sealed class PostRow
    {
        public Guid Id { get; init; }
        public Guid StructureId { get; init; }
        public string Label { get; init; } = "";
    }

    sealed class ConventionRow
    {
        public Guid Id { get; init; }
        public Guid PostId { get; init; }
        public string Source { get; init; } = "";
        public string Wave { get; init; } = "";
        public decimal Amount { get; init; }
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
    }

    sealed class TrancheRow
    {
        public Guid ConventionId { get; init; }
        public decimal Amount { get; init; }
        public DateOnly ExpectedOn { get; init; }
        public DateOnly? ReceivedOn { get; init; }
    }

    sealed class ContractRow
    {
        public Guid Id { get; init; }
        public string Type { get; init; } = "";
        public DateOnly? EndDate { get; init; }
    }

    /// <summary>What a workflow needs to know of a structure: whom to remind (HR), whom to escalate to (the lead, else HR).</summary>
    sealed record StructureInfo(Guid Id, string Name, LegalRegime Regime, string HrEmail, string HrLeadEmail);

    static async Task<StructureInfo?> LoadStructureAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id)
    {
        var s = await conn.QuerySingleOrDefaultAsync<StructureRow>(
            "SELECT id, name, kind, legal_regime AS LegalRegime, siret, departement FROM structure WHERE id = @id", new { id }, tx);
        if (s is null) return null;
        var contacts = (await conn.QueryAsync<ContactRow>(
            "SELECT full_name AS FullName, email, is_lead AS IsLead FROM hr_contact WHERE structure_id = @id ORDER BY full_name, email", new { id }, tx)).ToList();
        var lead = contacts.FirstOrDefault(c => c.IsLead)?.Email;
        var hr = contacts.FirstOrDefault(c => !c.IsLead)?.Email ?? lead ?? "";
        return new StructureInfo(s.Id, s.Name, Enum.Parse<LegalRegime>(s.LegalRegime), hr, lead ?? hr);
    }

    static Task<PostRow?> FindPostAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id) =>
        conn.QuerySingleOrDefaultAsync<PostRow?>("SELECT id, structure_id AS StructureId, label FROM funded_post WHERE id = @id", new { id }, tx);

    /// <summary>The post as stored: its conventions by start date, each with its tranches in order.</summary>
    static async Task<FundedPost> LoadPostAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id) =>
        (await LoadPostsAsync(conn, tx, [id])).SingleOrDefault() ?? throw new InvalidOperationException($"Post {id} vanished inside its transaction.");

    /// <summary>
    /// Posts as stored, in the order of <paramref name="ids"/> (unknown ids are left out): conventions by
    /// start date, tranches in order (tranche n is the n-th, as written by <see cref="InsertConventionAsync"/>).
    /// </summary>
    public static async Task<IReadOnlyList<FundedPost>> LoadPostsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid[] ids)
    {
        var posts = (await conn.QueryAsync<PostRow>("SELECT id, structure_id AS StructureId, label FROM funded_post WHERE id = ANY(@ids)", new { ids }, tx))
            .ToDictionary(p => p.Id);
        var conventions = (await conn.QueryAsync<ConventionRow>("""
            SELECT id, post_id AS PostId, source, wave, amount_eur AS Amount, start_date AS StartDate, end_date AS EndDate
              FROM grant_convention WHERE post_id = ANY(@ids) ORDER BY start_date, source, id
            """, new { ids }, tx)).ToLookup(c => c.PostId);
        var tranches = (await conn.QueryAsync<TrancheRow>("""
            SELECT t.convention_id AS ConventionId, t.amount_eur AS Amount, t.expected_on AS ExpectedOn, t.received_on AS ReceivedOn
              FROM grant_tranche t JOIN grant_convention c ON c.id = t.convention_id
             WHERE c.post_id = ANY(@ids) ORDER BY t.seq
            """, new { ids }, tx)).ToLookup(t => t.ConventionId);
        return ids.Where(posts.ContainsKey).Select(id => posts[id]).Select(post => new FundedPost(post.Id, post.StructureId, post.Label,
            conventions[post.Id].Select(c => new GrantConvention(
                c.Id, Enum.Parse<FundingSource>(c.Source), Enum.Parse<ConventionWave>(c.Wave), c.Amount, c.StartDate, c.EndDate,
                tranches[c.Id].Select(t => new Tranche(t.Amount, t.ExpectedOn) { ReceivedOn = t.ReceivedOn }).ToList())).ToList())).ToList();
    }

    static Task<AdvisorRow?> LoadAdvisorAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id) =>
        conn.QuerySingleOrDefaultAsync<AdvisorRow?>("""
            SELECT id, full_name AS FullName, work_email AS WorkEmail, has_recognised_disability AS HasRecognisedDisability, structure_id AS StructureId
              FROM advisor WHERE id = @id
            """, new { id }, tx);

    // ---- natural keys, also used by the CSV import to resolve its references ----

    internal static Task<Guid?> FindStructureIdBySiretAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string siret) =>
        conn.QuerySingleOrDefaultAsync<Guid?>("SELECT id FROM structure WHERE siret = @siret", new { siret = NormaliseSiret(siret) }, tx);

    internal static Task<Guid?> FindPostIdAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid structureId, string label) =>
        conn.QuerySingleOrDefaultAsync<Guid?>("SELECT id FROM funded_post WHERE structure_id = @structureId AND label = @label",
            new { structureId, label = label.Trim() }, tx);

    /// <summary>The advisor with this work e-mail, whatever its case (unique index on lower(work_email), migration 0003).</summary>
    internal static async Task<AdvisorRow?> FindAdvisorAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string email)
    {
        const string Columns = "id, full_name AS FullName, work_email AS WorkEmail, has_recognised_disability AS HasRecognisedDisability, structure_id AS StructureId";
        email = email.Trim();
        return await conn.QuerySingleOrDefaultAsync<AdvisorRow?>($"SELECT {Columns} FROM advisor WHERE lower(work_email) = lower(@email)", new { email }, tx);
    }

    // ---- validation ----

    static bool IsBlank(string? value) => string.IsNullOrWhiteSpace(value);

    static bool SameEmail(string a, string? b) => string.Equals(a.Trim(), b?.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>SIRET as usually printed ("362 521 879 00034") or typed: spaces are not part of it.</summary>
    internal static string NormaliseSiret(string siret) => string.Concat(siret.Where(c => !char.IsWhiteSpace(c)));

    // Plausible, not RFC 5322: what a person's work address looks like, and what an SMTP server will accept.
    [GeneratedRegex(@"^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?(\.[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?)+\z")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^[0-9]{14}\z")]
    private static partial Regex SiretPattern();

    /// <summary>Whether an address is plausible as a work e-mail: the one rule for every input that takes one.</summary>
    public static bool IsPlausibleEmail(string address) => address.Length <= MaxEmailLength && EmailPattern().IsMatch(address);

    /// <summary>Collects every field error of an input; each method returns the clean value, or null when absent or invalid.</summary>
    sealed class Check
    {
        readonly List<FieldError> _errors = [];

        public bool Failed => _errors.Count > 0;

        public bool Has(string field) => _errors.Any(e => e.Field == field);

        public void Add(string field, string message) => _errors.Add(new FieldError(field, message));

        public void Refuse(string field, Verdict verdict)
        {
            if (!verdict.Allowed) Add(field, verdict.Message);
        }

        public RecordResult Result() => new(Guid.Empty, false, _errors.ToArray());

        public T? Required<T>(string field, T? value, string label) where T : struct
        {
            if (value is null) Add(field, $"{label} est obligatoire.");
            return value;
        }

        public string? Text(string field, string? value, string label, int maxLength, bool required = true)
        {
            var text = value?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                if (required) Add(field, $"{label} est obligatoire.");
                return null;
            }
            if (text.Length > maxLength)
            {
                Add(field, $"{label} dépasse {maxLength} caractères ({text.Length}).");
                return null;
            }
            if (text.Any(char.IsControl))
            {
                Add(field, $"{label} contient des caractères de contrôle.");
                return null;
            }
            return text;
        }

        public string? Email(string field, string? value, string label, bool required = true)
        {
            var text = Text(field, value, label, MaxEmailLength, required);
            if (text is not null && !EmailPattern().IsMatch(text))
            {
                Add(field, $"{label} n'est pas une adresse e-mail valide : {InputEcho.Quote(text)}.");
                return null;
            }
            return text;
        }

        public string? Siret(string field, string? value)
        {
            if (IsBlank(value)) return null;
            var siret = NormaliseSiret(value!);
            if (SiretPattern().IsMatch(siret)) return siret;
            Add(field, $"Le SIRET doit compter exactement 14 chiffres : {InputEcho.Quote(value)}.");
            return null;
        }

        /// <summary>An optional département: its INSEE code as <see cref="Territory"/> writes it (« 7 » is 07, « 2a » is 2A).</summary>
        public string? Departement(string field, string? value)
        {
            if (IsBlank(value)) return null;
            if (Territory.FindDepartement(value) is { } found) return found.Code;
            Add(field, $"Le département {InputEcho.Quote(value)} {Territory.UnknownDepartement}.");
            return null;
        }

        public T? Defined<T>(string field, T? value, string label) where T : struct, Enum
        {
            if (value is null) Add(field, $"{label} est obligatoire.");
            else if (!Enum.IsDefined(value.Value))
            {
                Add(field, $"{label} n'est pas une valeur reconnue (valeurs possibles : {string.Join(", ", Enum.GetNames<T>())}).");
                return null;
            }
            return value;
        }

        public DateOnly? Date(string field, DateOnly? value, string label, bool required = true)
        {
            if (value is null)
            {
                if (required) Add(field, $"{label} est obligatoire.");
                return null;
            }
            if (value < MinDate || value > MaxDate)
            {
                Add(field, $"{label} doit se situer entre {MinDate.Year} et {MaxDate.Year} ({value.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}).");
                return null;
            }
            return value;
        }

        /// <summary>An optional amount in euros: positive, at most a million, in cents (numeric(12, 2) would round silently).</summary>
        public decimal? Amount(string field, decimal? value, string label)
        {
            if (value is not { } amount) return null;
            if (amount <= 0 || amount > MaxAmountEur)
                Add(field, $"{label} doit être supérieur à 0 € et au plus {Euros(MaxAmountEur)} ({Euros(amount)}).");
            else if (decimal.Round(amount, 2) != amount)
                Add(field, $"{label} se donne au centime près ({Euros(amount)}).");
            else return amount;
            return null;
        }

        // French whatever the server's culture, as the domain's explanations are.
        static readonly NumberFormatInfo FrenchNumbers = new() { NumberGroupSeparator = " ", NumberDecimalSeparator = "," };

        static string Euros(decimal amount) => amount.ToString("#,0.##########", FrenchNumbers) + " €";
    }

    /// <summary>Compares an existing record with the input: the same record twice is one, a different one under the same key is an error.</summary>
    sealed class Differences(string what)
    {
        readonly List<FieldError> _errors = [];

        public Differences Compare(string field, string label, bool same)
        {
            if (!same) _errors.Add(new FieldError(field, $"{what} existe déjà avec d'autres valeurs : {label} diffère."));
            return this;
        }

        public RecordResult Result(Guid existingId) =>
            _errors.Count == 0 ? new RecordResult(existingId, false, []) : new RecordResult(Guid.Empty, false, _errors.ToArray());
    }
}
