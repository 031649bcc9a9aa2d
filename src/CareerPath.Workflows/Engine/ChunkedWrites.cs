using Npgsql;

namespace CareerPath.Workflows.Engine;

/// <summary>
/// A batch's writes sent in chunks, each chunk's statements (<see cref="TransitionWrites"/>) as one round trip, so that
/// the engine computes the next chunk's transitions while PostgreSQL writes the one before: on two cores the client and
/// the database then work at once, where a whole batch computed first and written after kept one of them idle.
/// </summary>
/// <remarks>
/// One command at a time on the connection: a chunk is sent once the one before it has been written. The chunks go in
/// the order the transitions were added, so the batch writes what one <see cref="TransitionWrites"/> would (the first of
/// two messages with the same dedupe key wins, and so on); they are in the caller's transaction, so a failure of any
/// chunk undoes them all. After a failure (thrown by <see cref="AddAsync"/> or <see cref="CompleteAsync"/>), call
/// <see cref="DrainAsync"/> before using the connection again.
/// </remarks>
internal sealed class ChunkedWrites(NpgsqlConnection conn, NpgsqlTransaction tx, int chunkSize)
{
    TransitionWrites _writes = new();
    List<WorkflowEngine.PreparedTransition> _transitions = [];
    List<NpgsqlBatchCommand> _extra = [];
    Task? _sending;

    /// <summary>Where the caller adds the current chunk's rows other than transitions (timer marks); transitions go through <see cref="AddAsync"/>.</summary>
    public TransitionWrites Writes => _writes;

    /// <summary>Every transition sent or to be sent, in order: for the reading effects that follow the writes.</summary>
    public List<WorkflowEngine.PreparedTransition> All { get; } = [];

    /// <summary>A statement of the caller's own (an incident), sent with the current chunk.</summary>
    public void AddCommand(NpgsqlBatchCommand command) => _extra.Add(command);

    /// <summary>Adds a transition's writes to the current chunk; sends the chunk once it is full.</summary>
    public async ValueTask AddAsync(WorkflowEngine.PreparedTransition transition, CancellationToken ct)
    {
        transition.AddTo(_writes);
        _transitions.Add(transition);
        All.Add(transition);
        if (_transitions.Count >= chunkSize) await SendCurrentAsync(ct);
    }

    /// <summary>Sends what is left and waits until every chunk is written.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        await SendCurrentAsync(ct);
        if (_sending is { } last)
        {
            _sending = null;
            await last;
        }
    }

    /// <summary>Waits for a chunk still being written, whatever its outcome: the connection is then free for a rollback.</summary>
    public async Task DrainAsync()
    {
        if (_sending is not { } last) return;
        _sending = null;
        try { await last; }
        catch (Exception) { /* the caller is already handling the failure that brought it here */ }
    }

    async Task SendCurrentAsync(CancellationToken ct)
    {
        if (_writes.IsEmpty && _extra.Count == 0) return;
        var (writes, transitions, extra) = (_writes, _transitions, _extra);
        (_writes, _transitions, _extra) = (new TransitionWrites(), [], []);
        if (_sending is { } previous)
        {
            _sending = null;
            await previous;
        }
        _sending = SendAsync(writes, transitions, extra, ct);
    }

    async Task SendAsync(TransitionWrites writes, List<WorkflowEngine.PreparedTransition> transitions, List<NpgsqlBatchCommand> extra, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var command in writes.Commands().Concat(extra)) batch.BatchCommands.Add(command);
        await WorkflowEngine.ExecuteAsync(batch, writes, transitions, ct);
    }
}
