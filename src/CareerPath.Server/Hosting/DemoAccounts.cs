using System.Security.Cryptography;
using System.Text;
using CareerPath.Server.Security;
using CareerPath.Workflows.Queries;
using CareerPath.Workflows.Storage;

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
        var store = new AccountStore(db);
        if (await store.AnyAsync()) return null;
        if (await new AccountSeedQueries(db).DemoPeopleAsync() is not { } people) return null;
        var accounts = new Accounts(store, time, new AccountOptions());
        var created = new List<(string Role, string Email, string Password)>();
        async Task Add(string role, string email, string name, Guid[] structures, Guid? advisor)
        {
            var password = Password();
            await accounts.CreateAsync(new NewAccount(email, name, role, password, structures, advisor));
            created.Add((role, email, password));
        }
        await Add(Roles.Admin, "admin@careerpath.local", "Administrateur", [], null);
        await Add(Roles.Hr, people.Hr.Email, people.Hr.Name, people.Structures, null);
        await Add(Roles.Advisor, people.Advisor.Email, people.Advisor.Name, [], people.Advisor.Id);
        await Add(Roles.Auditor, "auditeur@careerpath.local", "Auditeur syndical", [], null);
        await Add(Roles.Program, "programme@careerpath.local", "Coordination nationale du programme", [], null);

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
}
