using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace CareerPath.Server.Api;

/// <summary>
/// A database that is down, restarting or refusing connections is the service being unavailable for a
/// moment (503 with Retry-After), not a fault of the server (500). After PostgreSQL restarts, the pooled
/// connections are all broken: the first failure drops them, and a request that is safe to run again is
/// run once more on fresh connections, so that callers do not pay for the restart.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>What a 503 asks callers to wait: about the time PostgreSQL takes to restart (and the embedded one to be restarted).</summary>
    public const int RetryAfterSeconds = 5;

    public const string Detail = "La base de données est momentanément indisponible : rien n'a été enregistré. Réessayez dans quelques secondes.";

    /// <summary>The request's fingerprint (method, path, SHA-256 of the canonical body), for Idempotency-Key checks.</summary>
    public const string FingerprintItem = "careerpath.fingerprint";

    /// <summary>
    /// True when the exception (or one it wraps) says the database cannot be reached or is going away:
    /// a socket or stream failure under Npgsql, a pool/connect timeout, or PostgreSQL's own codes for an
    /// administrator or crash shutdown, a server starting up, and every connection exception (class 08).
    /// </summary>
    public static bool IsUnavailable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03";
                case NpgsqlException npgsql when npgsql.InnerException is SocketException or IOException or TimeoutException:
                    return true;
                case NpgsqlException { IsTransient: true } and not PostgresException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Runs the rest of the pipeline; on a database outage, drops every pooled connection and, where a
    /// replay is harmless, runs the request once more with the same buffered body. Reads (GET, HEAD) are
    /// harmless; a POST carrying an Idempotency-Key is too, because the engine answers a key it has
    /// already journalled with that first transition (Duplicate) instead of making a second one — so a
    /// signal whose first attempt committed before the connection broke is never applied twice. Any other
    /// write is not replayed: the caller gets the 503 and decides. A second failure is the 503.
    /// </summary>
    public static void UseDatabaseOutageRetry(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        var key = request.Headers["Idempotency-Key"].ToString();
        var replayable = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || (HttpMethods.IsPost(request.Method) && key.Length > 0);
        if (key.Length > 0)
        {
            request.EnableBuffering();
            http.Items[FingerprintItem] = await FingerprintAsync(request, http.RequestAborted);
        }
        else if (replayable) request.EnableBuffering();

        try
        {
            await next(http);
        }
        catch (Exception e) when (IsUnavailable(e) && !http.RequestAborted.IsCancellationRequested)
        {
            DropPooledConnections(http.RequestServices);
            if (!replayable || http.Response.HasStarted) throw;
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseOutage))
                .LogWarning("Database unavailable on {Method} {Path} ({Error}: {Message}): pooled connections dropped, request run once more",
                    request.Method, request.Path, e.GetType().Name, e.Message);
            // As the exception handler does before a re-execution: a clean answer, and the route matched anew. The
            // services of a fresh scope too: the request's own remember their first attempt (the authentication
            // handler keeps its result, failed or not, for the rest of the request).
            http.Response.Clear();
            http.SetEndpoint(null);
            request.RouteValues.Clear();
            if (request.Body.CanSeek) request.Body.Position = 0;
            var services = http.RequestServices;
            await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
            http.RequestServices = scope.ServiceProvider;
            try
            {
                await next(http);
            }
            finally
            {
                http.RequestServices = services;
            }
        }
    });

    /// <summary>Every idle connection of every pool is closed, and busy ones when they come back: they were opened before the outage.</summary>
    public static void DropPooledConnections(IServiceProvider services)
    {
        services.GetService<NpgsqlDataSource>()?.Clear();
        // Pools keyed by connection string: the health check's and the job storage's.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// Method, path and SHA-256 of the body: JSON in a canonical form (object keys sorted, no spacing),
    /// so that a client re-sending the same request with its fields in another order is the same request;
    /// anything else byte for byte.
    /// </summary>
    public static async Task<string> FingerprintAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        request.Body.Position = 0;
        await request.Body.CopyToAsync(buffer, ct);
        request.Body.Position = 0;
        var body = buffer.ToArray();
        byte[] canonical;
        try
        {
            canonical = body.Length == 0 ? body : Encoding.UTF8.GetBytes(Canonical(JsonNode.Parse(body))?.ToJsonString() ?? "null");
        }
        catch (JsonException)
        {
            canonical = body;
        }
        return $"{request.Method.ToUpperInvariant()} {request.Path.Value?.ToLowerInvariant()} {Convert.ToHexStringLower(SHA256.HashData(canonical))}";
    }

    static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };
}
