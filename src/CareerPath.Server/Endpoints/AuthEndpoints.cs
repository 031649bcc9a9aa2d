using System.Reflection;
using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace CareerPath.Server.Endpoints;

public sealed record LoginRequest(string? Email, string? Password);
public sealed record Me(Guid Id, string Email, string Role, IReadOnlyCollection<Guid> Structures, Guid? AdvisorId);
public sealed record NewToken(string? Name, int? ExpiresInDays = null);
public sealed record TokenCreated(Guid Id, string Name, string Token, DateTimeOffset? ExpiresAt);

/// <summary>Sign-in with a local password (cookie), sign-out, who am I, and personal API tokens.</summary>
public static class AuthEndpoints
{
    const string Failed = "Identifiants invalides, ou compte verrouillé temporairement après trop d'échecs.";
    const int DefaultTokenDays = 90;

    public static void MapAuth(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Authentification");

        auth.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(ApiSetup.LoginLimit)
            .WithName("signIn").WithSummary("Se connecter avec un mot de passe (cookie de session)");

        auth.MapPost("/logout", (Func<HttpContext, Task<NoContent>>)SignOut).RequireAuthorization(Policies.Authenticated)
            .WithName("signOut").WithSummary("Se déconnecter (efface le cookie de session)");

        auth.MapGet("/me", (HttpContext http) => TypedResults.Ok(ToMe(http.Caller()))).RequireAuthorization(Policies.Authenticated)
            .WithName("getMe").WithSummary("Le compte connecté : rôle, structures, fiche conseiller");

        auth.MapPost("/tokens", CreateToken).RequireAuthorization(Policies.Authenticated)
            .WithName("createApiToken").WithSummary("Créer un jeton d'API personnel (montré une seule fois)");

        auth.MapGet("/tokens", ListTokens).RequireAuthorization(Policies.Authenticated)
            .WithName("listApiTokens").WithSummary("Lister ses jetons d'API (page par page)");

        auth.MapDelete("/tokens/{id:guid}", RevokeToken).RequireAuthorization(Policies.Authenticated)
            .WithName("revokeApiToken").WithSummary("Révoquer un de ses jetons d'API");

        // The challenge redirects to the provider: a result type with no metadata of its own, hence the one Produces line.
        auth.MapGet("/proconnect", ProConnect).AllowAnonymous().RequireRateLimiting(ApiSetup.LoginLimit).Produces(StatusCodes.Status302Found)
            .WithName("signInWithProConnect").WithSummary("Se connecter avec ProConnect (redirection OpenID Connect)");
    }

    static async Task<Results<Ok<Me>, ValidationProblem, SignInRefused>> Login(LoginRequest body, Accounts accounts, HttpContext http, CancellationToken ct)
    {
        // A pasted address often carries a space at either end: not part of it.
        body = body with { Email = body.Email?.Trim() };
        var check = new Check().Email("email", body.Email).Text("password", body.Password, 200);
        if (!check.Ok) return check.Problem();
        var (outcome, account) = await accounts.CheckPasswordAsync(body.Email!, body.Password!, ct);
        if (outcome != LoginOutcome.Success) return new SignInRefused(Failed);
        var principal = (await accounts.PrincipalAsync(account!.Id, Authentication.Cookie, ct))!;
        await http.RequestServices.GetRequiredService<ServerSessions>().SignInAsync(http, principal);
        return TypedResults.Ok(ToMe(Caller.From(principal)));
    }

    static async Task<NoContent> SignOut(HttpContext http)
    {
        await http.RequestServices.GetRequiredService<ServerSessions>().SignOutAsync(http);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<TokenCreated>, ValidationProblem, ForbiddenProblem>> CreateToken(NewToken body, Accounts accounts, TimeProvider time, HttpContext http,
        CancellationToken ct)
    {
        // A token is made by a person who signed in, never by another token: a leaked token cannot
        // breed a longer-lived one that outlives its revocation.
        if (http.User.Identity?.AuthenticationType != Authentication.Cookie)
            return new ForbiddenProblem("Un jeton d'API se crée après une connexion par mot de passe (ou ProConnect), pas avec un autre jeton.");
        var check = new Check().Text("name", body.Name, 100).Range("expiresInDays", body.ExpiresInDays, 1, 366, required: false);
        if (!check.Ok) return check.Problem();
        var expires = time.GetUtcNow().AddDays(body.ExpiresInDays ?? DefaultTokenDays);
        var (id, token) = await accounts.CreateTokenAsync(http.Caller().UserId, body.Name!, expires, ct);
        return TypedResults.Ok(new TokenCreated(id, body.Name!, token, expires));
    }

    static async Task<Results<Ok<Page<TokenView>>, ValidationProblem>> ListTokens([AsParameters] PageQuery paging, AccountStore store, HttpContext http, CancellationToken ct)
    {
        if (!paging.TryPage(out var page, out var problem)) return problem!;
        return await store.ListTokensAsync(http.Caller().UserId, page, ct) is { } tokens ? TypedResults.Ok(tokens) : Common.InvalidCursor();
    }

    static async Task<Results<NoContent, NotFoundProblem>> RevokeToken(Guid id, AccountStore store, TimeProvider time, HttpContext http, CancellationToken ct) =>
        await store.RevokeTokenAsync(id, http.Caller().UserId, time.GetUtcNow(), ct) ? TypedResults.NoContent() : new NotFoundProblem();

    static Results<ChallengeHttpResult, NotFoundProblem> ProConnect(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration["Authentication:OpenIdConnect:Authority"])
            ? new NotFoundProblem()
            : TypedResults.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [Authentication.OpenIdConnect]);

    static Me ToMe(Caller c) => new(c.UserId, c.Email, c.Role, c.Structures, c.AdvisorId);
}

/// <summary>401 to a sign-in whose credentials were refused (a wrong password and a locked account answer alike).</summary>
public sealed class SignInRefused(string detail) : ProblemAnswer(401, "Connexion refusée", detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, 401);
}
