using CareerPath.Server.Api;
using CareerPath.Server.Security;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record LoginRequest(string? Email, string? Password);
public sealed record Me(Guid Id, string Email, string Role, IReadOnlyCollection<Guid> Structures, Guid? AdvisorId);
public sealed record NewToken(string? Name, int? ExpiresInDays = null);
public sealed record TokenCreated(Guid Id, string Name, string Token, DateTimeOffset? ExpiresAt);
public sealed record TokenView(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>Sign-in with a local password (cookie), sign-out, who am I, and personal API tokens.</summary>
public static class AuthEndpoints
{
    const string Failed = "Identifiants invalides, ou compte verrouillé temporairement après trop d'échecs.";
    const int DefaultTokenDays = 90;

    public static void MapAuth(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Authentification");

        auth.MapPost("/login", async (LoginRequest body, Accounts accounts, HttpContext http, CancellationToken ct) =>
        {
            // A pasted address often carries a space at either end: not part of it.
            body = body with { Email = body.Email?.Trim() };
            var check = new Check().Email("email", body.Email).Text("password", body.Password, 200);
            if (!check.Ok) return check.Problem();
            var (outcome, account) = await accounts.CheckPasswordAsync(body.Email!, body.Password!, ct);
            if (outcome != LoginOutcome.Success)
                return TypedResults.Problem(Failed, statusCode: 401, title: "Connexion refusée", extensions: new Dictionary<string, object?> { ["fr"] = true });
            var principal = (await accounts.PrincipalAsync(account!.Id, Authentication.Cookie, ct))!;
            await http.SignInAsync(Authentication.Cookie, principal);
            return Results.Ok(ToMe(Caller.From(principal)));
        }).AllowAnonymous().RequireRateLimiting(ApiSetup.LoginLimit);

        auth.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(Authentication.Cookie);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Authenticated);

        auth.MapGet("/me", (HttpContext http) => Results.Ok(ToMe(http.Caller()))).RequireAuthorization(Policies.Authenticated);

        auth.MapPost("/tokens", async (NewToken body, Accounts accounts, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            // A token is made by a person who signed in, never by another token: a leaked token cannot
            // breed a longer-lived one that outlives its revocation.
            if (http.User.Identity?.AuthenticationType != Authentication.Cookie)
                return TypedResults.Problem("Un jeton d'API se crée après une connexion par mot de passe (ou ProConnect), pas avec un autre jeton.",
                    statusCode: 403, title: "Accès refusé", extensions: new Dictionary<string, object?> { ["fr"] = true });
            var check = new Check().Text("name", body.Name, 100).Range("expiresInDays", body.ExpiresInDays, 1, 366, required: false);
            if (!check.Ok) return check.Problem();
            var expires = time.GetUtcNow().AddDays(body.ExpiresInDays ?? DefaultTokenDays);
            var (id, token) = await accounts.CreateTokenAsync(http.Caller().UserId, body.Name!, expires, ct);
            return Results.Ok(new TokenCreated(id, body.Name!, token, expires));
        }).RequireAuthorization(Policies.Authenticated);

        auth.MapGet("/tokens", async (NpgsqlDataSource db, HttpContext http, CancellationToken ct) =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            return Results.Ok(await conn.QueryAsync<TokenView>("""
                SELECT id, name, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt
                  FROM api_token WHERE user_id = @UserId ORDER BY created_at
                """, new { http.Caller().UserId }));
        }).RequireAuthorization(Policies.Authenticated);

        auth.MapDelete("/tokens/{id:guid}", async (Guid id, NpgsqlDataSource db, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var changed = await conn.ExecuteAsync("UPDATE api_token SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id AND user_id = @UserId",
                new { id, now = time.GetUtcNow(), http.Caller().UserId });
            return changed == 0 ? Problems.NotFound() : Results.NoContent();
        }).RequireAuthorization(Policies.Authenticated);

        auth.MapGet("/proconnect", (IConfiguration configuration) =>
            string.IsNullOrWhiteSpace(configuration["Authentication:OpenIdConnect:Authority"])
                ? Problems.NotFound()
                : Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [Authentication.OpenIdConnect]))
            .AllowAnonymous().RequireRateLimiting(ApiSetup.LoginLimit);
    }

    static Me ToMe(Caller c) => new(c.UserId, c.Email, c.Role, c.Structures, c.AdvisorId);
}
