using CareerPath.Server.Api;
using CareerPath.Server.Security;
using CareerPath.Workflows.Definitions;
using CareerPath.Workflows.Records;
using Dapper;
using Npgsql;

namespace CareerPath.Server.Endpoints;

/// <summary>What the endpoint files share: the caller, input checks, and finding a contract's instance.</summary>
static class Common
{
    public static Caller Caller(this HttpContext http) => Security.Caller.From(http.User);

    /// <summary>The Idempotency-Key header, if any: the same key twice is one transition.</summary>
    public static string? IdempotencyKey(this HttpContext http) =>
        http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 and <= 200 } key ? key : null;

    /// <summary>A record written by ReferenceData: 201 with the new id, 200 when the same record already existed, 400 with every field error.</summary>
    public static IResult Answer(RecordResult result, string prefix) =>
        !result.Ok ? Problems.Invalid(result.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
        : result.Created ? Results.Created($"{prefix}/{result.Id}", new Created(result.Id, true))
        : Results.Ok(new Created(result.Id, false));


    public sealed record ContractInstance(Guid InstanceId, Guid ContractId, Guid? StructureId, Guid AdvisorId, string State);

    /// <summary>The latest instance of a contract (a renewal's new contract has its own).</summary>
    public static async Task<ContractInstance?> FindContractAsync(NpgsqlDataSource db, Guid contractId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ContractInstance>("""
            SELECT id AS InstanceId, subject_id AS ContractId, structure_id AS StructureId, (data->'advisor'->>'id')::uuid AS AdvisorId, state
              FROM workflow_instance WHERE definition_id = @def AND subject_id = @contractId
             ORDER BY created_at DESC LIMIT 1
            """, new { def = AdvisorContractWorkflow.DefinitionId, contractId });
    }

    /// <summary>The structures an advisor is attached to: the one that recorded them and those of their contracts.</summary>
    public static async Task<IReadOnlyList<Guid?>> AdvisorStructuresAsync(NpgsqlDataSource db, Guid advisorId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Guid?>("""
            SELECT structure_id FROM advisor WHERE id = @advisorId
            UNION
            SELECT structure_id FROM workflow_instance
             WHERE definition_id = 'advisor-contract' AND data->'advisor'->>'id' = @text
            """, new { advisorId, text = advisorId.ToString() })).ToList();
    }
}

/// <summary>Collects every problem of a request body, so that one answer lists them all.</summary>
sealed class Check
{
    readonly Dictionary<string, List<string>> _errors = [];

    public Check Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Check Required<T>(string field, T? value)
    {
        if (value is null || (value is string s && string.IsNullOrWhiteSpace(s))) Add(field, "Champ obligatoire.");
        return this;
    }

    public Check Text(string field, string? value, int max, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value)) { if (required) Add(field, "Champ obligatoire."); }
        else if (value.Length > max) Add(field, $"{max} caractères au plus.");
        else if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) Add(field, "Caractères de contrôle interdits.");
        return this;
    }

    public Check Date(string field, DateOnly? value, bool required = true)
    {
        if (value is null) { if (required) Add(field, "Champ obligatoire (date AAAA-MM-JJ)."); }
        else if (value < ReferenceData.MinDate || value > ReferenceData.MaxDate)
            Add(field, $"Date hors des bornes plausibles ({ReferenceData.MinDate.Year} à {ReferenceData.MaxDate.Year}).");
        return this;
    }

    public Check Range(string field, int? value, int min, int max, bool required = true)
    {
        if (value is null) { if (required) Add(field, "Champ obligatoire."); }
        else if (value < min || value > max) Add(field, $"Valeur attendue entre {min} et {max}.");
        return this;
    }

    public Check Defined<TEnum>(string field, TEnum? value, bool required = true) where TEnum : struct, Enum
    {
        if (value is null) { if (required) Add(field, $"Champ obligatoire ({string.Join(", ", Enum.GetNames<TEnum>())})."); }
        else if (!Enum.IsDefined(value.Value)) Add(field, $"Valeur inconnue : attendu {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return this;
    }

    public Check Email(string field, string? value, bool required = true)
    {
        Text(field, value, 254, required);
        // As typed, spaces included: an address stored with a space would be a second account for the same person.
        if (!string.IsNullOrWhiteSpace(value) && value.Length <= 254 && !ReferenceData.IsPlausibleEmail(value)) Add(field, "Adresse e-mail invalide.");
        return this;
    }

    public bool Ok => _errors.Count == 0;

    public IResult Problem() => Problems.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
