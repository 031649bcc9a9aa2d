using Npgsql;

namespace CareerPath.Workflows.Storage;

/// <summary>
/// Two roles instead of one superuser: the OWNER owns the schema and runs the migrations; the
/// APPLICATION role, which the server logs in as, reads and writes rows and nothing else — on the
/// append-only logs (access_log, decision_audit) INSERT and SELECT only, and as it owns no table it
/// can neither ALTER, DROP nor TRUNCATE one, nor disable a trigger (migration 0008).
/// The migrator learns the roles from its own connection: two session settings that
/// <see cref="ForMigrations"/> adds to the connection string, so every caller of
/// <see cref="SchemaMigrator"/> given that string migrates the same way.
/// </summary>
public static class LeastPrivilege
{
    /// <summary>The role the migrator acts as (SET ROLE) when its login is another one, e.g. the embedded superuser.</summary>
    public const string OwnerSetting = "careerpath.owner_role";

    /// <summary>The role that receives the server's privileges after every migration.</summary>
    public const string ApplicationSetting = "careerpath.application_role";

    /// <param name="ownerRole">null when the connection logs in as the owner itself.</param>
    public static string ForMigrations(string ownerConnectionString, string? ownerRole, string applicationRole)
    {
        var builder = new NpgsqlConnectionStringBuilder(ownerConnectionString);
        var options = $"-c {ApplicationSetting}={applicationRole}";
        if (!string.IsNullOrEmpty(ownerRole)) options = $"-c {OwnerSetting}={ownerRole} {options}";
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? options : $"{builder.Options} {options}";
        return builder.ConnectionString;
    }

    /// <summary>The login of a connection string: the application role when it is the server's.</summary>
    public static string LoginOf(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Username
        ?? throw new ArgumentException("The connection string names no user (Username=…).");
}
