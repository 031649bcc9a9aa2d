namespace CareerPath.Server.Tests.Hosting;

/// <summary>
/// A CLI error is one line that names what is wrong and what to do, with a non-zero exit code; never a .NET
/// message about a file that "already exists", never the 23 lines of usage (those are for `help`).
/// </summary>
public sealed class CommandLineErrorsTests
{
    static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task A_data_dir_that_is_a_file_is_one_line_naming_the_option()
    {
        var file = Path.GetTempFileName();
        try
        {
            var (code, output) = await ServerProcess.RunAsync("migrate", "--data-dir", file);

            Assert.Equal(2, code);
            var line = Assert.Single(Lines(output));
            Assert.Equal($"error: --data-dir '{file}' is a file, not a folder: give the folder of the embedded PostgreSQL (it is created if missing).", line);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("import contracts /nonexistent/contrats.csv", "error: import: no file '/nonexistent/contrats.csv'")]
    [InlineData("import contracts /tmp", "error: import: '/tmp' is a folder")]
    [InlineData("import", "error: import: give the kind")]
    [InlineData("import employees x.csv", "error: import: unknown kind 'employees'")]
    [InlineData("simulate --frobnicate", "error: simulate: unknown option '--frobnicate'. Run `CareerPath.Server help`")]
    [InlineData("frobnicate", "Unknown verb 'frobnicate'. Run `CareerPath.Server help` for the verbs and options.")]
    [InlineData("serve --data-dir", "Option --data-dir needs a value. Run `CareerPath.Server help`")]
    public async Task Every_argument_error_is_one_line_and_a_non_zero_exit(string args, string message)
    {
        var (code, output) = await ServerProcess.RunAsync(args.Split(' '));

        Assert.NotEqual(0, code);
        var line = Assert.Single(Lines(output));
        Assert.StartsWith(message, line);
        Assert.DoesNotContain("Usage:", output);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    public async Task Help_prints_the_usage_and_exits_0(string verb)
    {
        var (code, output) = await ServerProcess.RunAsync(verb);

        Assert.Equal(0, code);
        Assert.Contains("Usage: CareerPath.Server [verb] [options]", output);
    }
}
