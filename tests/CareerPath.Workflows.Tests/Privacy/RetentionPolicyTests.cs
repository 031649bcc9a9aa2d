using CareerPath.Workflows.Tests.Infrastructure;
using CareerPath.Workflows.Privacy;

namespace CareerPath.Workflows.Tests.Privacy;

public sealed class RetentionPolicyTests
{
    const string Start = "<!-- retention-table:start (generated from RetentionPolicy by RetentionPolicyTests; UPDATE_README=1 rewrites it) -->";
    const string End = "<!-- retention-table:end -->";

    [Fact]
    public void The_readme_retention_table_is_the_default_policy()
    {
        var path = Path.Combine(Repository.Root, "README.md");
        var readme = File.ReadAllText(path).ReplaceLineEndings("\n");
        var (from, to) = (readme.IndexOf(Start, StringComparison.Ordinal), readme.IndexOf(End, StringComparison.Ordinal));
        Assert.True(from >= 0 && to > from, $"README.md has no retention table between {Start} and {End}");
        var expected = new RetentionPolicy().ToMarkdownTable();
        var actual = readme[(from + Start.Length + 1)..to];
        if (actual != expected && Environment.GetEnvironmentVariable("UPDATE_README") == "1")
        {
            File.WriteAllText(path, readme[..(from + Start.Length + 1)] + expected + readme[to..]);
            return;
        }
        Assert.True(actual == expected, "The README's retention table differs from RetentionPolicy: run this test with UPDATE_README=1 to rewrite it.");
    }

    [Fact]
    public void A_policy_out_of_bounds_is_refused_with_the_setting_named_and_a_changed_duration_reaches_the_table()
    {
        Assert.Empty(new RetentionPolicy().Problems());
        var problems = new RetentionPolicy { AccessLogMonths = 24, ArchiveYearsAfterLastContract = 0 }.Problems();
        Assert.Contains(problems, p => p.Contains("CareerPath:Retention:AccessLogMonths vaut 24"));
        Assert.Contains(problems, p => p.Contains("CareerPath:Retention:ArchiveYearsAfterLastContract vaut 0"));
        Assert.Single(new RetentionPolicy { ActiveMonthsAfterLastContract = 48, ArchiveYearsAfterLastContract = 3 }.Problems());

        var table = new RetentionPolicy { AccessLogMonths = 6, ArchiveYearsAfterLastContract = 7 }.ToMarkdownTable();
        Assert.Contains("| Journal des accès | 6 mois |", table);
        Assert.Contains("jusqu'à 7 ans après la fin du dernier contrat", table);
        Assert.DoesNotContain("jusqu'à 5 ans", table);
    }

}
