using CareerPath.Workflows.Tests.Infrastructure;
using CareerPath.Workflows.Privacy;

namespace CareerPath.Workflows.Tests.Privacy;

public sealed class ProcessingRegisterTests
{
    /// <summary>The repository's copy, generated for the default configuration.</summary>
    public const string FilePath = "docs/registre-des-traitements.md";

    /// <summary>Setting this variable to 1 makes the test rewrite the file instead of failing.</summary>
    public const string UpdateVariable = "UPDATE_REGISTER";

    /// <summary>The file's first line: a reader of the repository learns it is generated, and how to regenerate it.</summary>
    public const string Notice =
        "> Fichier généré par `ProcessingRegister.ToMarkdown()` (src/CareerPath.Workflows/Privacy/ProcessingRegister.cs) pour la configuration par défaut, "
        + "vérifié par le test `ProcessingRegisterTests` : ne pas le modifier à la main. Pour le régénérer : "
        + "`UPDATE_REGISTER=1 dotnet test tests/CareerPath.Workflows.Tests --filter \"FullyQualifiedName~ProcessingRegisterTests\"`.";


    [Fact]
    public async Task The_register_in_the_repository_is_the_one_the_default_configuration_generates()
    {
        var expected = Notice + "\n\n" + ProcessingRegister.For(new RetentionPolicy()).ToMarkdown();
        var file = Path.Combine(Repository.Root, FilePath);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(file, expected);
            return;
        }
        var actual = File.Exists(file) ? (await File.ReadAllTextAsync(file)).ReplaceLineEndings("\n") : "";
        Assert.True(expected == actual,
            $"{FilePath} differs from what ProcessingRegister.ToMarkdown() generates for the default configuration. "
            + $"Regenerate it with {UpdateVariable}=1 dotnet test tests/CareerPath.Workflows.Tests --filter \"FullyQualifiedName~ProcessingRegisterTests\", "
            + "then review the difference and commit it.");
    }

    [Fact]
    public void The_retention_in_the_register_follows_the_configured_policy()
    {
        var standard = ProcessingRegister.For(new RetentionPolicy()).ToMarkdown();
        var shorter = ProcessingRegister.For(new RetentionPolicy { AccessLogMonths = 6, ArchiveYearsAfterLastContract = 3 }).ToMarkdown();

        Assert.Contains("| Journal des accès | 12 mois |", standard);
        Assert.Contains("| Journal des accès | 6 mois |", shorter);
        Assert.DoesNotContain("| Journal des accès | 12 mois |", shorter);
        Assert.Contains("jusqu'à 3 ans après la fin du dernier contrat", shorter);
        Assert.DoesNotContain("jusqu'à 5 ans après la fin du dernier contrat", shorter);
        Assert.Contains("- `AccessLogMonths` : 6 mois", shorter);
    }

    [Fact]
    public void Every_category_of_the_policy_is_in_the_register_with_its_data_and_its_retention()
    {
        var policy = new RetentionPolicy();
        var markdown = ProcessingRegister.For(policy).ToMarkdown();
        foreach (var line in policy.Lines)
        {
            Assert.Contains($"| {line.Label} | {line.Data} |", markdown);
            Assert.Contains($"| {line.Label} | {line.Active} | {line.Archive} | {line.Then} |", markdown);
        }
        Assert.Equal(Enum.GetValues<DataCategory>().Length, policy.Lines.Select(l => l.Category).Distinct().Count());
    }

    [Fact]
    public void Interpretations_are_marked_and_the_access_log_source_is_the_cnil_text()
    {
        var register = ProcessingRegister.For(new RetentionPolicy());
        var accessLog = register.Retention.Single(l => l.Category == DataCategory.AccessLog);
        var contracts = register.Retention.Single(l => l.Category == DataCategory.ContractsAndWorkflows);
        var messages = register.Retention.Single(l => l.Category == DataCategory.Messages);

        Assert.DoesNotContain(ProcessingRegister.InterpretationMark, ProcessingRegister.Source(accessLog), StringComparison.OrdinalIgnoreCase);
        // A source that cites texts gets the mark; one that already says it is CareerPath's reading is not marked twice.
        Assert.EndsWith($"({ProcessingRegister.InterpretationMark})", ProcessingRegister.Source(contracts));
        Assert.Equal(messages.Source, ProcessingRegister.Source(messages));
        Assert.StartsWith("interprétation de CareerPath", messages.Source);
        // Every legal basis is CareerPath's analysis: the page and the file must say so on each line.
        Assert.All(register.Purposes, p => Assert.True(p.Interpretation));
        Assert.Contains("RGPD, art. 9-2-b", register.ToMarkdown());
    }

    [Fact]
    public void Every_file_a_security_measure_points_to_exists()
    {
        var root = Repository.Root;
        var paths = ProcessingRegister.For(new RetentionPolicy()).Measures
            .SelectMany(m => m.Where.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries))
            .Where(word => word.StartsWith("src/", StringComparison.Ordinal))
            .ToList();
        Assert.True(paths.Count >= 9, string.Join(", ", paths));
        Assert.All(paths, path => Assert.True(File.Exists(Path.Combine(root, path)) || Directory.Exists(Path.Combine(root, path)), $"{path} does not exist"));
    }

    [Fact]
    public void The_controller_is_a_placeholder_until_the_structure_configures_it()
    {
        var blank = ProcessingRegister.For(new RetentionPolicy());
        Assert.StartsWith(ProcessingRegister.ToFill, blank.ControllerName);
        Assert.Contains("CareerPath:Register:Name", blank.ControllerName);

        var filled = ProcessingRegister.For(new RetentionPolicy(),
            new RegisterController { Name = "Commune de Trifouillis", Contact = "rgpd@trifouillis.fr", ProtectionOfficer = "dpo@cdg.fr" });
        var markdown = filled.ToMarkdown();
        Assert.Contains("| Responsable du traitement (structure employeuse) | Commune de Trifouillis |", markdown);
        Assert.Contains("| Délégué à la protection des données | dpo@cdg.fr |", markdown);
        Assert.DoesNotContain(ProcessingRegister.ToFill, markdown);
    }

    [Fact]
    public void A_pipe_in_a_configured_value_does_not_break_the_table()
    {
        var markdown = ProcessingRegister.For(new RetentionPolicy(), new RegisterController { Name = "A | B" }).ToMarkdown();
        Assert.Contains("| Responsable du traitement (structure employeuse) | A \\| B |", markdown);
    }
}
