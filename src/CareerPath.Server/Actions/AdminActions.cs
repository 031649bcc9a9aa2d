using CareerPath.Server.Endpoints;
using CareerPath.Server.Security;
using CareerPath.Workflows.Engine;
using CareerPath.Workflows.Queries;
using Npgsql;

namespace CareerPath.Server.Actions;

/// <summary>
/// What administrators change on accounts — create, disable or enable, change an HR manager's structures,
/// reset a password — checked the same way for the API (UserEndpoints) and the pages (Pages/Admin): every
/// input error at once, then the account (404), then what the account's role allows.
/// </summary>
public sealed class AccountActions(Accounts accounts, AccountStore store)
{
    public const int MinPasswordLength = 12;

    public async Task<(Guid? Id, ActionFailure? Failure)> CreateAsync(NewUser body, CancellationToken ct)
    {
        var check = new Check().Email("email", body.Email).Text("displayName", body.DisplayName, 200);
        CheckPassword(check, body.Password);
        if (body.Role is null || !Roles.All.Contains(body.Role)) check.Add("role", $"Valeur attendue : {string.Join(", ", Roles.All)}.");
        if (body.Role == Roles.Hr && body.Structures is not { Count: > 0 }) check.Add("structures", "Un responsable RH a au moins une structure.");
        if (body.Role != Roles.Hr && body.Structures is { Count: > 0 }) check.Add("structures", "Seul un responsable RH a des structures.");
        if ((body.Role == Roles.Advisor) != (body.AdvisorId is not null)) check.Add("advisorId", "Un compte conseiller, et lui seul, est lié à une fiche conseiller.");
        if (body.Structures is { Count: > 100 }) check.Add("structures", "100 structures au plus.");
        if (!check.Ok) return (null, check.Failure());
        var structures = (body.Structures ?? []).Distinct().ToList();
        var references = await store.CheckReferencesAsync(body.Email!, structures, body.AdvisorId, ct);
        if (references.EmailTaken) check.Add("email", "Un compte existe déjà avec cette adresse.");
        if (!references.StructuresKnown) check.Add("structures", "Structure inconnue.");
        if (!references.AdvisorKnown) check.Add("advisorId", "Conseiller inconnu.");
        if (!check.Ok) return (null, check.Failure());
        try
        {
            return (await accounts.CreateAsync(new NewAccount(body.Email!, body.DisplayName!, body.Role!, body.Password, structures, body.AdvisorId), ct), null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // A concurrent creation with the same address, or a second account for the same advisor.
            return (null, new Check().Add(e.ConstraintName == "app_user_advisor_id_key" ? "advisorId" : "email", "Un compte existe déjà pour cette personne.").Failure());
        }
    }

    /// <summary>Disables (or enables) an account and/or replaces an HR manager's structures; its web sessions end.</summary>
    public async Task<ActionFailure?> UpdateAsync(Guid id, UserChange body, CancellationToken ct)
    {
        var check = new Check();
        if (body.Disabled is null && body.Structures is null) check.Add("disabled", "Rien à changer : disabled et/ou structures.");
        if (body.Structures is { Count: > 100 }) check.Add("structures", "100 structures au plus.");
        if (!check.Ok) return check.Failure();
        if (await store.FindWithStructuresAsync(id, ct) is not ({ } account, _)) return ActionFailure.NotFound;
        if (body.Structures is { } structures)
        {
            if (account.Role != Roles.Hr) check.Add("structures", "Seul un responsable RH a des structures.");
            else if (structures.Count == 0) check.Add("structures", "Un responsable RH a au moins une structure.");
            else if (!(await store.CheckReferencesAsync(account.Email, structures, null, ct)).StructuresKnown) check.Add("structures", "Structure inconnue.");
            if (!check.Ok) return check.Failure();
        }
        return await store.UpdateAsync(id, body.Disabled, body.Structures, ct) ? null : ActionFailure.NotFound;
    }

    /// <summary>
    /// Gives an account a new password — the one the administrator chose, or, when none is given, one the
    /// server draws (returned once, never kept in clear) — lifts its lockout and ends its web sessions.
    /// </summary>
    public async Task<(string? Generated, ActionFailure? Failure)> ResetPasswordAsync(Guid id, string? password, CancellationToken ct)
    {
        var check = CheckPassword(new Check(), password);
        if (!check.Ok) return (null, check.Failure());
        var generated = password is null ? Accounts.NewPassword() : null;
        return await accounts.SetPasswordAsync(id, password ?? generated!, ct) ? (generated, null) : (null, ActionFailure.NotFound);
    }

    static Check CheckPassword(Check check, string? password)
    {
        check.Text("password", password, 200, required: false);
        if (password is { Length: < MinPasswordLength }) check.Add("password", $"{MinPasswordLength} caractères au moins.");
        return check;
    }
}

/// <summary>
/// What administrators do to the engine — retry an incident, send a failed e-mail again, migrate instances
/// to another version of their definition — for the API (InstanceEndpoints, OutboxEndpoints) and the pages alike.
/// </summary>
public sealed class EngineActions(NpgsqlDataSource db, DefinitionRegistry definitions, InstanceMigrator migrator, OutboxQueries outbox, TimeProvider time)
{
    public const int MaxStateMap = 200;

    /// <summary>Requeues the incident's failed effect and closes it (Incidents.RetryAsync); a resolved incident is refused (no field named).</summary>
    public async Task<ActionFailure?> RetryIncidentAsync(Caller caller, Guid id, CancellationToken ct)
    {
        try
        {
            await Incidents.RetryAsync(db, id, caller.Actor, time.GetUtcNow(), ct);
            return null;
        }
        catch (WorkflowNotFoundException)
        {
            return ActionFailure.NotFound;
        }
        catch (WorkflowInputException e)
        {
            return new ActionFailure(FailureKind.Invalid, e.Message, new Dictionary<string, string[]>());
        }
    }

    /// <summary>Puts a failed message back in the outbox queue; a message that is not Failed is a conflict.</summary>
    public async Task<ActionFailure?> ResendAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var (outcome, status) = await outbox.ResendAsync(id, caller.Actor, time.GetUtcNow(), ct);
        return outcome switch
        {
            ResendOutcome.Resent => null,
            ResendOutcome.NotFound => ActionFailure.NotFound,
            _ => ActionFailure.Conflict($"Seul un message en échec (Failed) peut être renvoyé : celui-ci est {status}."),
        };
    }

    /// <summary>
    /// The migration of every open instance of a definition version to another, along the state map: a dry run
    /// (nothing written) or the real one (all or nothing). A field error names its field; a refusal of the
    /// migrator (unknown or unmapped states) has none.
    /// </summary>
    public async Task<(MigrationPlan? Plan, ActionFailure? Failure)> MigrateAsync(Caller caller, MigrationRequest body, CancellationToken ct)
    {
        var check = new Check().Text("definitionId", body.DefinitionId, 100).Range("fromVersion", body.FromVersion, 1, 1000).Range("toVersion", body.ToVersion, 1, 1000)
            .Required("stateMap", body.StateMap);
        if (check.Ok && !definitions.All.Any(d => d.Id == body.DefinitionId && d.Version == body.FromVersion)) check.Add("fromVersion", "Version de définition inconnue.");
        if (check.Ok && !definitions.All.Any(d => d.Id == body.DefinitionId && d.Version == body.ToVersion)) check.Add("toVersion", "Version de définition inconnue.");
        if (body.StateMap is { Count: > MaxStateMap }) check.Add("stateMap", $"{MaxStateMap} états au plus.");
        if (!check.Ok) return (null, check.Failure());
        try
        {
            return (await migrator.MigrateAsync(body.DefinitionId!, body.FromVersion!.Value, body.ToVersion!.Value, body.StateMap!, body.DryRun ?? true, caller.Actor, ct), null);
        }
        catch (WorkflowInputException e)
        {
            return (null, new ActionFailure(FailureKind.Invalid, e.Message, new Dictionary<string, string[]>()));
        }
        catch (WorkflowConflictException)
        {
            return (null, ActionFailure.Conflict("Le dossier a été modifié en même temps par quelqu'un d'autre : relisez-le et recommencez."));
        }
    }
}
