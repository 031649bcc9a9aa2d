using CareerPath.Server.Actions;
using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareerPath.Server.Endpoints;

/// <summary>What an administrator changes on an account: null leaves it as it is.</summary>
public sealed record UserChange(bool? Disabled = null, List<Guid>? Structures = null);

public sealed record NewUser(string? Email, string? DisplayName, string? Role, string? Password = null, List<Guid>? Structures = null, Guid? AdvisorId = null);

/// <summary>An account's new password: the one given, or none for the server to draw one.</summary>
public sealed record PasswordChange(string? Password = null);

/// <summary>The password the server drew (shown this once: only its hash is kept); null when the administrator gave one.</summary>
public sealed record PasswordReset(bool Generated, string? Password);

/// <summary>Administrators create accounts: an HR manager with their structures, an advisor linked to their record.</summary>
public static class UserEndpoints
{
    public static void MapUsers(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/users").WithTags("Administration").RequireAuthorization(Policies.Admin);

        group.MapGet("/", List).WithName("listUsers").WithSummary("Lister les comptes (page par page, par adresse)");
        group.MapPost("/", Create).WithName("createUser").WithSummary("Créer un compte (responsable RH, conseiller, auditeur, coordination du programme, administrateur)");
        group.MapPatch("/{id:guid}", Update).WithName("updateUser")
            .WithSummary("Désactiver ou réactiver un compte, changer les structures d'un responsable RH (ses sessions web prennent fin)");
        group.MapPost("/{id:guid}/password", ResetPassword).WithName("resetUserPassword")
            .WithSummary("Donner un nouveau mot de passe à un compte (sans mot de passe : le serveur en tire un, rendu une seule fois) ; le verrouillage est levé, ses sessions web prennent fin");
    }

    static async Task<Results<Ok<Page<UserView>>, ValidationProblem>> List([AsParameters] PageQuery paging, AccountStore store, AccessLog log, HttpContext http, CancellationToken ct)
    {
        if (!paging.TryPage(out var page, out var problem)) return problem!;
        if (await store.ListAsync(page, ct) is not { } users) return Common.InvalidCursor();
        await log.RecordAsync(http.Caller(), "users.list", "account", null, users.Items.Count, ct);
        return TypedResults.Ok(users);
    }

    static async Task<Results<NoContent, NotFoundProblem, ValidationProblem>> Update(Guid id, UserChange body, AccountActions accounts, CancellationToken ct) =>
        await accounts.UpdateAsync(id, body, ct) switch
        {
            null => TypedResults.NoContent(),
            { Kind: FailureKind.NotFound } => new NotFoundProblem(),
            var f => Common.Invalid(f.Errors.ToDictionary()),
        };

    static async Task<Results<Created<Created>, ValidationProblem>> Create(NewUser body, AccountActions accounts, CancellationToken ct) =>
        await accounts.CreateAsync(body, ct) switch
        {
            ({ } id, _) => TypedResults.Created($"/api/users/{id}", new Created(id, true)),
            (_, var f) => Common.Invalid(f!.Errors.ToDictionary()),
        };

    static async Task<Results<Ok<PasswordReset>, NotFoundProblem, ValidationProblem>> ResetPassword(Guid id, PasswordChange body, AccountActions accounts, CancellationToken ct) =>
        await accounts.ResetPasswordAsync(id, body.Password, ct) switch
        {
            (_, { Kind: FailureKind.NotFound }) => new NotFoundProblem(),
            (_, { } f) => Common.Invalid(f.Errors.ToDictionary()),
            (var generated, null) => TypedResults.Ok(new PasswordReset(generated is not null, generated)),
        };
}
