using CareerPath.Server.Security;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Endpoints;

public sealed record NewUser(string? Email, string? DisplayName, string? Role, string? Password = null, List<Guid>? Structures = null, Guid? AdvisorId = null);
public sealed record UserView(Guid Id, string Email, string DisplayName, string Role, bool Disabled, DateTimeOffset? LockedUntil);

/// <summary>Administrators create accounts: an HR manager with their structures, an advisor linked to their record.</summary>
public static class UserEndpoints
{
    public static void MapUsers(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/users").WithTags("Administration").RequireAuthorization(Policies.Admin);

        group.MapGet("/", async (NpgsqlDataSource db, AccessLog log, HttpContext http, CancellationToken ct) =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var users = (await conn.QueryAsync<UserView>("""
                SELECT id, email, display_name AS DisplayName, role, disabled, locked_until AS LockedUntil FROM app_user ORDER BY email
                """)).ToList();
            await log.RecordAsync(http.Caller(), "users.list", "account", null, users.Count, ct);
            return Results.Ok(users);
        });

        group.MapPost("/", async (NewUser body, Accounts accounts, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var check = new Check().Email("email", body.Email).Text("displayName", body.DisplayName, 200).Text("password", body.Password, 200, required: false);
            if (body.Role is null || !Roles.All.Contains(body.Role)) check.Add("role", $"Valeur attendue : {string.Join(", ", Roles.All)}.");
            if (body.Password is { Length: < 12 }) check.Add("password", "12 caractères au moins.");
            if (body.Role == Roles.Hr && body.Structures is not { Count: > 0 }) check.Add("structures", "Un responsable RH a au moins une structure.");
            if (body.Role != Roles.Hr && body.Structures is { Count: > 0 }) check.Add("structures", "Seul un responsable RH a des structures.");
            if ((body.Role == Roles.Advisor) != (body.AdvisorId is not null)) check.Add("advisorId", "Un compte conseiller, et lui seul, est lié à une fiche conseiller.");
            if (body.Structures is { Count: > 100 }) check.Add("structures", "100 structures au plus.");
            if (!check.Ok) return check.Problem();
            await using (var conn = await db.OpenConnectionAsync(ct))
            {
                if (await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM app_user WHERE lower(email) = lower(@Email))", new { body.Email }))
                    check.Add("email", "Un compte existe déjà avec cette adresse.");
                var known = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM structure WHERE id = ANY(@ids)", new { ids = (body.Structures ?? []).Distinct().ToArray() });
                if (known != (body.Structures ?? []).Distinct().Count()) check.Add("structures", "Structure inconnue.");
                if (body.AdvisorId is { } a && !await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM advisor WHERE id = @a)", new { a }))
                    check.Add("advisorId", "Conseiller inconnu.");
            }
            if (!check.Ok) return check.Problem();
            try
            {
                var id = await accounts.CreateAsync(new NewAccount(body.Email!, body.DisplayName!, body.Role!, body.Password, (body.Structures ?? []).Distinct().ToList(), body.AdvisorId), ct);
                return Results.Created($"/api/users/{id}", new Created(id, true));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // A concurrent creation with the same address, or a second account for the same advisor.
                return new Check().Add(e.ConstraintName == "app_user_advisor_id_key" ? "advisorId" : "email", "Un compte existe déjà pour cette personne.").Problem();
            }
        });
    }
}
