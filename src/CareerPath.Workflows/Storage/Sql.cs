using Npgsql;

namespace CareerPath.Workflows.Storage;

/// <summary>Batched statements with positional parameters ($1, $2, ...), the form NpgsqlBatch takes.</summary>
public static class Sql
{
    public static NpgsqlBatchCommand Add(NpgsqlBatch batch, string text, params object?[] values)
    {
        var command = Command(text, values);
        batch.BatchCommands.Add(command);
        return command;
    }

    public static NpgsqlBatchCommand Command(string text, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(text);
        foreach (var value in values)
            command.Parameters.Add(value switch
            {
                NpgsqlParameter p => p,
                null => new NpgsqlParameter { Value = DBNull.Value },
                _ => new NpgsqlParameter { Value = value },
            });
        return command;
    }
}
