using Dapper;
using Npgsql;

namespace CareerPath.Workflows.Engine;

public sealed record InstanceMove(Guid InstanceId, string FromState, string ToState);

public sealed record MigrationPlan(string DefinitionId, int FromVersion, int ToVersion, bool DryRun, IReadOnlyList<InstanceMove> Moves);

/// <summary>
/// Moves running instances from one version of a definition to another along an explicit state map.
/// A dry run lists the moves and writes nothing; a real run moves every instance, or none.
/// </summary>
public sealed class InstanceMigrator(WorkflowEngine engine)
{
    public async Task<MigrationPlan> MigrateAsync(string definitionId, int fromVersion, int toVersion,
        IReadOnlyDictionary<string, string> stateMap, bool dryRun, string actor, CancellationToken ct = default)
    {
        var from = engine.Definitions.Get(definitionId, fromVersion);
        var to = engine.Definitions.Get(definitionId, toVersion);
        var unknownSources = stateMap.Keys.Where(s => !from.States.Contains(s)).ToList();
        if (unknownSources.Count > 0)
            throw new WorkflowInputException($"États inconnus de {definitionId} v{fromVersion} : {string.Join(", ", unknownSources.Select(InputEcho.Quote))}.");
        var unknownTargets = stateMap.Values.Where(s => !to.States.Contains(s)).Distinct().ToList();
        if (unknownTargets.Count > 0)
            throw new WorkflowInputException($"États inconnus de {definitionId} v{toVersion} : {string.Join(", ", unknownTargets.Select(InputEcho.Quote))}.");

        await using var conn = await engine.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var rows = (await conn.QueryAsync<InstanceRow>(
            $"{WorkflowEngine.SelectInstance} WHERE definition_id = @definitionId AND definition_version = @fromVersion AND closed_at IS NULL ORDER BY created_at FOR UPDATE",
            new { definitionId, fromVersion }, tx)).ToList();
        var unmapped = rows.Select(r => r.State).Where(s => !stateMap.ContainsKey(s)).Distinct().ToList();
        if (unmapped.Count > 0)
            throw new WorkflowInputException($"Aucune correspondance pour les états {string.Join(", ", unmapped)} de {definitionId} v{fromVersion} : rien n'a été migré.");

        var moves = rows.Select(r => new InstanceMove(r.Id, r.State, stateMap[r.State])).ToList();
        if (dryRun) return new MigrationPlan(definitionId, from.Version, to.Version, true, moves);

        var now = engine.Time.GetUtcNow();
        var records = await to.ReadRecordsAsync(conn, tx, rows, ct);
        foreach (var (row, move) in rows.Zip(moves))
        {
            var seq = row.Version + 1;
            var updated = await conn.ExecuteAsync("""
                UPDATE workflow_instance SET definition_version = @toVersion, state = @state, version = @seq, updated_at = @now,
                       closed_at = CASE WHEN @final THEN COALESCE(closed_at, @now) ELSE NULL END
                WHERE id = @id AND version = @expected
                """, new { toVersion, state = move.ToState, seq, now, final = to.IsFinal(move.ToState), id = row.Id, expected = row.Version }, tx);
            if (updated == 0) throw new WorkflowConflictException(row.Id, row.Version);
            await conn.ExecuteAsync("""
                INSERT INTO workflow_journal (instance_id, seq, at, actor, trigger, from_state, to_state, reason)
                VALUES (@id, @seq, @now, @actor, 'MigrateVersion', @from, @to, @reason)
                """, new { id = row.Id, seq, now, actor, from = move.FromState, to = move.ToState, reason = $"{definitionId} v{fromVersion} → v{toVersion}" }, tx);
            var rearm = new TransitionWrites();
            rearm.Rearm(row.Id, to.Timers(move.ToState, row.Data, records.GetValueOrDefault(row.Id)), move.ToState, seq);
            await using var batch = new NpgsqlBatch(conn, tx);
            foreach (var command in rearm.Commands()) batch.BatchCommands.Add(command);
            await batch.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new MigrationPlan(definitionId, from.Version, to.Version, false, moves);
    }
}
