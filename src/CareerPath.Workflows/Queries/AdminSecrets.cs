using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Queries;

/// <summary>The server's own secrets kept in the database (app_secret), such as the union auditors' pseudonym key; never sent to anyone.</summary>
public sealed class AdminSecrets(NpgsqlDataSource db)
{
    /// <summary>
    /// The secret of this name; the first caller stores <paramref name="candidate"/>, and concurrent
    /// first callers all read the one that won.
    /// </summary>
    public async Task<byte[]> GetOrCreateAsync(string name, byte[] candidate, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("INSERT INTO app_secret (name, value) VALUES (@name, @candidate) ON CONFLICT (name) DO NOTHING",
            new { name, candidate }, cancellationToken: ct));
        return await conn.QuerySingleAsync<byte[]>(new CommandDefinition("SELECT value FROM app_secret WHERE name = @name", new { name }, cancellationToken: ct));
    }
}
