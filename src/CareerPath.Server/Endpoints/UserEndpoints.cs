using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CareerPath.Server.Endpoints;

/// <summary>What an administrator changes on an account: null leaves it as it is.</summary>
public sealed record UserChange(bool? Disabled = null, List<Guid>? Structures = null);

public sealed record NewUser(string? Email, string? DisplayName, string? Role, string? Password = null, List<Guid>? Structures = null, Guid? AdvisorId = null);

/// <summary>Administrators create accounts: an HR manager with their structures, an advisor linked to their record.</summary>
public static class UserEndpoints
{
    public static void MapUsers(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/users").WithTags("Administration").RequireAuthorization(Policies.Admin);

        group.MapGet("/", List).WithName("listUsers").WithSummary("Lister les comptes (page par page, par adresse)");
        group.MapPost("/", Create).WithName("createUser").WithSummary("Créer un compte (responsable RH, conseiller, auditeur, administrateur)");
        group.MapPatch("/{id:guid}", Update).WithName("updateUser")
            .WithSummary("Désactiver ou réactiver un compte, changer les structures d'un responsable RH (ses sessions web prennent fin)");
    }

    static async Task<Results<Ok<Page<UserView>>, ValidationProblem>> List([AsParameters] PageQuery paging, AccountStore store, AccessLog log, HttpContext http, CancellationToken ct)
    {
        if (!paging.TryPage(out var page, out var problem)) return problem!;
        if (await store.ListAsync(page, ct) is not { } users) return Common.InvalidCursor();
        await log.RecordAsync(http.Caller(), "users.list", "account", null, users.Items.Count, ct);
        return TypedResults.Ok(users);
    }

    static async Task<Results<NoContent, NotFoundProblem, ValidationProblem>> Update(Guid id, UserChange body, AccountStore store, CancellationToken ct)
    {
        var check = new Check();
        if (body.Disabled is null && body.Structures is null) check.Add("disabled", "Rien à changer : disabled et/ou structures.");
        if (body.Structures is { Count: > 100 }) check.Add("structures", "100 structures au plus.");
        if (!check.Ok) return check.Problem();
        if (await store.FindWithStructuresAsync(id, ct) is not ({ } account, _)) return new NotFoundProblem();
        if (body.Structures is { } structures)
        {
            if (account.Role != Roles.Hr) check.Add("structures", "Seul un responsable RH a des structures.");
            else if (structures.Count == 0) check.Add("structures", "Un responsable RH a au moins une structure.");
            else if (!(await store.CheckReferencesAsync(account.Email, structures, null, ct)).StructuresKnown) check.Add("structures", "Structure inconnue.");
            if (!check.Ok) return check.Problem();
        }
        return await store.UpdateAsync(id, body.Disabled, body.Structures, ct) ? TypedResults.NoContent() : new NotFoundProblem();
    }

    static async Task<Results<Created<Created>, ValidationProblem>> Create(NewUser body, Accounts accounts, AccountStore store, CancellationToken ct)
    {
        var check = new Check().Email("email", body.Email).Text("displayName", body.DisplayName, 200).Text("password", body.Password, 200, required: false);
        if (body.Role is null || !Roles.All.Contains(body.Role)) check.Add("role", $"Valeur attendue : {string.Join(", ", Roles.All)}.");
        if (body.Password is { Length: < 12 }) check.Add("password", "12 caractères au moins.");
        if (body.Role == Roles.Hr && body.Structures is not { Count: > 0 }) check.Add("structures", "Un responsable RH a au moins une structure.");
        if (body.Role != Roles.Hr && body.Structures is { Count: > 0 }) check.Add("structures", "Seul un responsable RH a des structures.");
        if ((body.Role == Roles.Advisor) != (body.AdvisorId is not null)) check.Add("advisorId", "Un compte conseiller, et lui seul, est lié à une fiche conseiller.");
        if (body.Structures is { Count: > 100 }) check.Add("structures", "100 structures au plus.");
        if (!check.Ok) return check.Problem();
        var structures = (body.Structures ?? []).Distinct().ToList();
        var references = await store.CheckReferencesAsync(body.Email!, structures, body.AdvisorId, ct);
        if (references.EmailTaken) check.Add("email", "Un compte existe déjà avec cette adresse.");
        if (!references.StructuresKnown) check.Add("structures", "Structure inconnue.");
        if (!references.AdvisorKnown) check.Add("advisorId", "Conseiller inconnu.");
        if (!check.Ok) return check.Problem();
        try
        {
            var id = await accounts.CreateAsync(new NewAccount(body.Email!, body.DisplayName!, body.Role!, body.Password, structures, body.AdvisorId), ct);
            return TypedResults.Created($"/api/users/{id}", new Created(id, true));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // A concurrent creation with the same address, or a second account for the same advisor.
            return new Check().Add(e.ConstraintName == "app_user_advisor_id_key" ? "advisorId" : "email", "Un compte existe déjà pour cette personne.").Problem();
        }
    }
}
