using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CareerPath.Server.Endpoints;

/// <summary>
/// The heads of the two hash-chained logs (the access log and the decision log), each verified link by link: what an
/// administrator exports and keeps elsewhere, so that an erased tail shows later. Given the head kept (its seq and
/// hash), the check also says whether that entry is still in the chain. Administrators only: the access log is
/// theirs (the head carries no personal data, but the access log's size says how much was read).
/// </summary>
public static class IntegrityEndpoints
{
    public static void MapIntegrity(this RouteGroupBuilder api)
    {
        api.MapGet("/integrity", Check).WithTags("Administration").RequireAuthorization(Policies.Admin).WithName("getIntegrity")
            .WithSummary("Vérifier les journaux chaînés (accès, décisions) et lire leur dernière empreinte, à conserver ailleurs");
    }

    /// <param name="accessLogSeq">The seq of a head of the access log exported earlier (with its hash): still there?</param>
    /// <param name="accessLogHash">That head's hash (64 hexadecimal digits).</param>
    /// <param name="decisionLogSeq">The same for the decision log.</param>
    /// <param name="decisionLogHash">The same for the decision log.</param>
    static async Task<Results<Ok<IntegrityReport>, ValidationProblem>> Check(long? accessLogSeq, string? accessLogHash, long? decisionLogSeq, string? decisionLogHash,
        NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var accessHead = Head(accessLogSeq, accessLogHash, "accessLog", errors);
        var decisionHead = Head(decisionLogSeq, decisionLogHash, "decisionLog", errors);
        if (errors.Count > 0) return Common.Invalid(errors);
        return TypedResults.Ok(await IntegrityQueries.CheckAsync(db, time, accessHead, decisionHead, ct));
    }

    /// <summary>An exported head: both its seq and its hash, or neither.</summary>
    static ChainHead? Head(long? seq, string? hash, string prefix, Dictionary<string, string[]> errors)
    {
        if (seq is null && hash is null) return null;
        if (seq is not > 0) errors[$"{prefix}Seq"] = ["Le numéro de la dernière entrée exportée est un entier positif, donné avec son empreinte."];
        if (hash is not { Length: 64 } || !hash.All(char.IsAsciiHexDigitLower))
            errors[$"{prefix}Hash"] = ["L'empreinte exportée est faite de 64 chiffres hexadécimaux en minuscules, donnée avec son numéro."];
        return errors.Count > 0 ? null : new ChainHead(0, seq, hash);
    }
}
