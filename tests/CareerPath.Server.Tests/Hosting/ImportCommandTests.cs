using CareerPath.Workflows.Tests.Infrastructure;
using Npgsql;

namespace CareerPath.Server.Tests.Hosting;

public sealed class ImportCommandTests
{
    [Fact]
    public async Task Import_verb_refuses_a_file_with_a_bad_row_naming_it_then_imports_the_fixed_file_once()
    {
        var cs = await TestCluster.CreateMigratedDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("careerpath-import-");
        try
        {
            var bad = Path.Combine(dir.FullName, "structures.csv");
            await File.WriteAllTextAsync(bad, "name,kind,legalRegime,siret,hrName,hrEmail\nMairie de Test,Commune,Public,21000000000011,Rh,rh@test.fr\nAsso,Cooperative,Private,,Rh,rh@asso.fr\n");
            var refused = await ServerProcess.RunAsync("import", "structures", bad, "--connection", cs);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("line 3, column kind", refused.Output);
            Assert.Equal(0L, await CountAsync(cs));

            await File.WriteAllTextAsync(bad, "name,kind,legalRegime,siret,hrName,hrEmail\nMairie de Test,Commune,Public,21000000000011,Rh,rh@test.fr\nAsso,Association,Private,,Rh,rh@asso.fr\n");
            var imported = await ServerProcess.RunAsync("import", "structures", bad, "--connection", cs);
            Assert.True(imported.ExitCode == 0, imported.Output);
            Assert.Contains("2 created", imported.Output);
            var again = await ServerProcess.RunAsync("import", "structures", bad, "--connection", cs);
            Assert.Contains("0 created, 2 already there", again.Output);
            Assert.Equal(2L, await CountAsync(cs));

            var (code, output) = await ServerProcess.RunAsync("import", "salaries", bad, "--connection", cs);
            Assert.Equal(2, code);
            Assert.Contains("unknown kind 'salaries'", output);
        }
        finally
        {
            dir.Delete(recursive: true);
            await TestCluster.DropDatabaseAsync(cs);
        }
    }

    static async Task<long> CountAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM structure", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
