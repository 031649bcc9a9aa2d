using System.Security.Cryptography;
using System.Text;
using CareerPath.Server.Security;
using CareerPath.Workflows.Storage;
using Dapper;

namespace CareerPath.Server.Hosting;

/// <summary>
/// One demo account per role, created once, right after the demo data: an administrator, a union
/// auditor, an HR manager of the two busiest structures, and an advisor of the first. Passwords are
/// random, printed once and kept beside the embedded database (mode 600) so they can be found again.
/// </summary>
public static class DemoAccounts
{
    public const string FileName = "demo-accounts.txt";

    public static async Task<string?> CreateAsync(string connectionString, TimeProvider time, string? dataDirectory)
    {
        await using var db = Database.CreateDataSource(connectionString);
        Guid structureId, advisorId;
        Guid[] structures;
        string hrEmail, hrName, advisorEmail, advisorName;
        await using (var conn = await db.OpenConnectionAsync())
        {
            if (await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM app_user") > 0) return null;
            // The HR manager of the two structures with the most to do, so the demo shows tasks and deadlines at once.
            structures = (await conn.QueryAsync<Guid>("""
                SELECT s.id FROM structure s
                 WHERE EXISTS (SELECT 1 FROM workflow_instance i WHERE i.structure_id = s.id AND i.definition_id = 'advisor-contract')
                 ORDER BY (SELECT count(*) FROM human_task t WHERE t.structure_id = s.id AND t.status = 'Open') DESC, s.name LIMIT 2
                """)).ToArray();
            if (structures.Length == 0) return null;
            var structure = await conn.QueryFirstOrDefaultAsync<Person>("""
                SELECT s.id, c.email, c.full_name AS Name FROM structure s JOIN hr_contact c ON c.structure_id = s.id
                 WHERE s.id = @first ORDER BY c.is_lead, c.email LIMIT 1
                """, new { first = structures[0] });
            if (structure is null) return null;
            (structureId, hrEmail, hrName) = (structure.Id, structure.Email, structure.Name);
            var advisor = await conn.QueryFirstAsync<Person>("""
                SELECT (i.data->'advisor'->>'id')::uuid AS Id, i.data->'advisor'->>'workEmail' AS Email, i.data->'advisor'->>'fullName' AS Name
                  FROM workflow_instance i WHERE i.structure_id = @structureId AND i.definition_id = 'advisor-contract'
                 ORDER BY i.created_at LIMIT 1
                """, new { structureId });
            (advisorId, advisorEmail, advisorName) = (advisor.Id, advisor.Email, advisor.Name);
        }

        var accounts = new Accounts(db, time, new AccountOptions());
        var created = new List<(string Role, string Email, string Password)>();
        async Task Add(string role, string email, string name, Guid[] structures, Guid? advisor)
        {
            var password = Password();
            await accounts.CreateAsync(new NewAccount(email, name, role, password, structures, advisor));
            created.Add((role, email, password));
        }
        await Add(Roles.Admin, "admin@careerpath.local", "Administrateur", [], null);
        await Add(Roles.Hr, hrEmail, hrName, structures, null);
        await Add(Roles.Advisor, advisorEmail, advisorName, [], advisorId);
        await Add(Roles.Auditor, "auditeur@careerpath.local", "Auditeur syndical", [], null);

        var text = new StringBuilder("Demo accounts (shown once; also in ").Append(dataDirectory is null ? "no file" : Path.Combine(dataDirectory, FileName)).AppendLine("):");
        foreach (var (role, email, password) in created) text.AppendLine($"  {role,-8} {email,-45} {password}");
        if (dataDirectory is not null)
        {
            var path = Path.Combine(dataDirectory, FileName);
            // Created with its final mode: the passwords are never readable by others, not even for a moment.
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var file = new StreamWriter(path, new System.Text.UTF8Encoding(false), options)) await file.WriteAsync(text.ToString());
        }
        return text.ToString();
    }

    static string Password()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(16, 0, (span, _) => { for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]; });
    }

    sealed record Person
    {
        public Guid Id { get; init; }
        public string Email { get; init; } = "";
        public string Name { get; init; } = "";
    }
}
