using CareerPath.Domain.Rules;

namespace CareerPath.Domain.Tests.Rules;

// The expected dates below were worked out by hand from the rules' texts (DESIGN.md, the décrets and codes they cite) and a
// printed calendar — never copied from the code's output. "a<b" reads: the rule gives b, the deadline is a (previous working day).
public class RuleExamplesTests
{
    [Fact]
    public void Every_rule_of_the_catalogue_has_exactly_one_example()
    {
        Assert.Equal(RuleCatalogue.All.Select(r => r.Id).Order(), RuleExamples.All.Select(e => e.Rule.Id).Order());
        Assert.All(RuleExamples.All, e => Assert.Same(RuleCatalogue.Get(e.Rule.Id), e.Rule));
        Assert.Equal(RuleCatalogue.All.Count, RuleExamples.All.Count);
        Assert.Throws<KeyNotFoundException>(() => RuleExamples.For("no.such-rule"));
    }

    [Fact]
    public void Every_example_runs_its_rule_and_explains_itself_with_that_rule()
    {
        Assert.All(RuleExamples.All, example =>
        {
            var results = example.Run();
            Assert.NotEmpty(results);
            // The first result is the rule's own; a second one may be another rule's consequence (the CDI's 3-month notice).
            Assert.Same(example.Rule, results[0].Explanation.Rule);
            Assert.All(results, r => Assert.NotEmpty(r.Explanation.Steps.Concat(r.Explanation.Inputs.Select(i => i.Name))));
            var situation = example.DescribeSituation(d => d.ToString("yyyy-MM-dd"));
            Assert.False(string.IsNullOrWhiteSpace(situation), example.Rule.Id);
            Assert.DoesNotContain("{", situation);
            // Fixed inputs: the same text on every run, whatever the day.
            Assert.Equal(results.Select(r => r.Describe() + r.Explanation.Describe()), example.Run().Select(r => r.Describe() + r.Explanation.Describe()));
        });
    }

    [Theory]
    // Décret 88-145 art. 38-1: 1 an 3 mois 17 jours (2023-09-04..2024-12-20) and 1 an 11 mois 30 jours (2025-01-13..2027-01-11), 23 days
    // apart, cumulate to 3 ans 3 mois 17 jours: 2 years or more, under 6, so 2 months. 2027-01-11 - 2 months = 2026-11-11, Armistice.
    [InlineData("notice.public-contract", "2026-11-10<2026-11-11")]
    // Notification on Friday 6 November + 8 days = Saturday 14 November; the agent's own time is not shortened.
    [InlineData("notice.agent-answer", "2026-11-14")]
    // 3 years (2019-09-02..2022-09-01), 4 months exactly (2022-09-02..2023-01-01) kept, 3 years 29 days: 6 years or more,
    // so the notice is 3 months (4°): 2026-01-30 - 3 months = Thursday 2025-10-30.
    [InlineData("cdi.six-years", "2025-10-30")]
    // 2024-07-09..2027-07-08 is 3 years exactly, "3 ans ou moins": 2 months; 2027-05-08 is a Saturday and Victoire 1945.
    [InlineData("notice.contrat-de-projet", "2027-05-07<2027-05-08")]
    // 12 whole weeks (89 days) from Monday 2026-05-04: 12 working days, skipping Friday 8 May and Ascension (Thursday 14 May):
    // 4,5,6,7,11,12,13,15,18,19,20,21 May; under the cap of 3 weeks (2026-05-24).
    [InlineData("trial.public", "2026-05-21")]
    // 96 days: 13 weeks, 13 calendar days from 2025-03-03 = Saturday 15 March, under the 2-week cap (16 March).
    [InlineData("trial.private-cdd", "2025-03-15")]
    // Code du travail L1221-19: 2 months from 2025-01-06, ending the day before the same date: 2025-03-05.
    [InlineData("trial.private-cdi", "2025-03-05")]
    // 2025-11-14 + 6 months = 2026-05-14, Ascension Day.
    [InlineData("certification.exam-deadline", "2026-05-13<2026-05-14")]
    // 2 modules by 2026-02-03 (start + 1 year); then 1 module in 2027 and in 2028 (31 December 2028 is a Sunday).
    [InlineData("training.thematic-modules", "2026-02-03", "2027-12-31", "2028-12-29<2028-12-31")]
    // 725 days from 2025-01-06 to 2026-12-31: the middle day is the 363rd, 2026-01-03, a Saturday (1 January is before it).
    [InlineData("review.mid-contract", "2026-01-02<2026-01-03")]
    // 60, 30 and 7 days before the notice deadline of 2026-11-10: 11 September, 11 October (a Sunday), 3 November.
    [InlineData("decision.reminders", "2026-09-11", "2026-10-09<2026-10-11", "2026-11-03")]
    // The amendment's new end.
    [InlineData("contract.end", "2026-08-31")]
    // 2026-08-31 + 6 months = 31 February, clamped to Sunday 28 February 2027.
    [InlineData("followup.6-months", "2027-02-26<2027-02-28")]
    [InlineData("followup.12-months", "2027-08-31")]
    // 36 months from 2024-11-01 end on Sunday 2027-10-31.
    [InlineData("funding.end", "2027-10-29<2027-10-31")]
    // 2027-10-31 - 90 days (31 + 30 + 29) = Monday 2027-08-02.
    [InlineData("funding.ending-alert", "2027-08-02")]
    // Tranche 1 received; 2 and 3 are due on the anniversaries, both on All Saints' Day (a Saturday in 2025, a Sunday in 2026).
    [InlineData("funding.tranches", "2025-10-31<2025-11-01", "2026-10-30<2026-11-01")]
    // Renewal 2023, public: 36 months; one tranche a year on the anniversaries of the start. Dates of the convention, not acts: not moved.
    [InlineData("funding.standard-convention", "2027-10-31", "2024-11-01", "2025-11-01", "2026-11-01")]
    // 2024-11-01 + 3 months = Saturday 2025-02-01.
    [InlineData("recruitment.deadline", "2025-01-31<2025-02-01")]
    // 2026-04-14 + 3 months = 14 July, fête nationale.
    [InlineData("refill.deadline", "2026-07-13<2026-07-14")]
    // The convention's start, a holiday, kept: it is not an act.
    [InlineData("recruitment.grant-start", "2024-11-01")]
    // Easter Monday 2026-04-06, then Sunday and Saturday: Friday 3 April.
    [InlineData("calendar.previous-working-day", "2026-04-03<2026-04-06")]
    [InlineData("contract.start", "2025-10-01")]
    // 2025-10-01 + 1 month = Saturday 1 November, All Saints' Day.
    [InlineData("training.start-due", "2025-10-31<2025-11-01")]
    public void Each_example_gives_the_dates_worked_out_by_hand(string ruleId, params string[] expected)
    {
        var dated = RuleExamples.For(ruleId).Run().Where(r => r.Date is not null).ToList();
        Assert.Equal(expected, dated.Select(r => r.MovedToWorkingDay ? $"{Iso(r.Date!.Value)}<{Iso(r.UnadjustedDate!.Value)}" : Iso(r.Date!.Value)));
    }

    [Fact]
    public void The_notice_example_cumulates_both_contracts_and_plans_the_entretien_on_careerpaths_reading()
    {
        var result = Assert.Single(RuleExamples.For("notice.public-contract").Run());
        Assert.Contains(result.Explanation.Inputs, i => i is { Name: "Durée cumulée", Value: "3 ans 3 mois 17 jours" });
        Assert.Contains(result.Explanation.Steps, s => s.Contains("2 mois", StringComparison.Ordinal) && s.StartsWith("2 ans ou plus", StringComparison.Ordinal));
        Assert.Contains(result.Explanation.Steps, s => s.Contains("lecture prudente de CareerPath", StringComparison.Ordinal));
        Assert.Contains("entretien préalable", result.Label);
    }

    [Fact]
    public void The_six_year_example_keeps_an_interruption_of_exactly_four_months_and_leads_to_a_cdi()
    {
        var results = RuleExamples.For("cdi.six-years").Run();
        Assert.Equal("Un renouvellement se ferait en CDI", results[0].Label);
        Assert.Contains(results[0].Explanation.Steps, s => s.Contains("6 ans 29 jours", StringComparison.Ordinal));
        Assert.Same(PublicContractNotice.Rule, results[1].Explanation.Rule);
        Assert.Contains(results[1].Explanation.Steps, s => s.Contains("3 mois", StringComparison.Ordinal));
    }

    [Fact]
    public void The_verdict_examples_refuse_what_the_texts_refuse()
    {
        // CGFP L332-25: at least 1 year; 2025-01-06..2025-12-31 is 11 months 26 days.
        var bounds = Assert.Single(RuleExamples.For("bounds.contrat-de-projet").Run());
        Assert.False(bounds.Allowed);
        Assert.Contains("11 mois 26 jours", bounds.Label);

        // 70 to 420 hours.
        Assert.False(Assert.Single(RuleExamples.For("training.initial-hours").Run()).Allowed);

        // The earlier CDD (110 days: a carence of 37 days, a third rounded up) was followed after 8 working days (23, 24, 26, 27, 30, 31
        // December, 2 and 3 January): it counts as a renewal, the amendment as a second; a third renewal is refused (L1243-13-1), while
        // 3 months 19 days + 11 months 26 days = 15 months 15 days stays under 18 months (L1242-8-1).
        var limits = Assert.Single(RuleExamples.For("limits.private-cdd").Run());
        Assert.False(limits.Allowed);
        Assert.Contains("L1243-13-1", limits.Label);
        Assert.DoesNotContain("L1242-8-1", limits.Label);
        var steps = string.Join(" ", limits.Explanation.Steps);
        Assert.Contains("après 8 jours ouvrés", steps);
        Assert.Contains("délai de carence de 37 jours", steps);
        Assert.Contains("15 mois 15 jours", steps);
        Assert.Contains(limits.Explanation.Steps, s => s.Contains("lecture de CareerPath", StringComparison.Ordinal));
    }

    [Fact]
    public void The_standard_convention_example_reads_back_the_amount_of_a_public_renewal()
    {
        var results = RuleExamples.For("funding.standard-convention").Run();
        Assert.Equal("Montant de la convention : 42 500 €", results[0].Label);
        Assert.Equal(["Tranche n° 1 : 17 500 €", "Tranche n° 2 : 12 500 €", "Tranche n° 3 : 12 500 €"], results.Skip(2).Select(r => r.Label));
    }

    // Each reading below is CareerPath's own, checked against the text the rule cites: the text is silent on the point (month ends,
    // fractions of a day, the middle of an even number of days…), or the rule is a management rule of CareerPath, or case law settled it.
    [Theory]
    [InlineData("trial.public", "semaine entière")]
    [InlineData("training.thematic-modules", "n'est pas une année à part")]
    [InlineData("review.mid-contract", "premier des deux jours du milieu")]
    [InlineData("notice.public-contract", "31 octobre au 28 février")]
    [InlineData("cdi.six-years", "31 octobre au 28 février")]
    [InlineData("limits.private-cdd", "arrondie au jour supérieur")]
    [InlineData("limits.private-cdd", "jours ouvrés")]
    [InlineData("funding.standard-convention", "une seule tranche")]
    [InlineData("notice.agent-answer", "ni avancé ni reporté")]
    [InlineData("notice.contrat-de-projet", "avenants de prolongation compris")]
    [InlineData("trial.private-cdd", "jurisprudence constante")]
    [InlineData("trial.private-cdi", "catégorie des employés")]
    [InlineData("training.start-due", "règle de gestion de CareerPath")]
    [InlineData("decision.reminders", "règle de gestion de CareerPath")]
    [InlineData("funding.ending-alert", "règle de gestion de CareerPath")]
    [InlineData("calendar.previous-working-day", "règle de prudence de CareerPath")]
    public void A_reading_of_careerpaths_own_is_declared_by_its_rule(string ruleId, string reading)
    {
        var rule = RuleCatalogue.Get(ruleId);
        Assert.NotEmpty(rule.Interpretations);
        Assert.Same(rule.Interpretations, RuleExamples.InterpretationsIn(rule));
        Assert.Contains(rule.Interpretations, i => i.Contains(reading, StringComparison.Ordinal));
    }

    // Straight from their text: a contrat de projet of 1 to 6 years (CGFP L332-25), the exams within 6 months of the training's end.
    [Theory]
    [InlineData("bounds.contrat-de-projet")]
    [InlineData("certification.exam-deadline")]
    public void A_rule_taken_from_its_text_declares_no_interpretation(string ruleId) =>
        Assert.Empty(RuleExamples.InterpretationsIn(RuleCatalogue.Get(ruleId)));

    [Fact]
    public void The_interpretations_are_plain_sentences_and_every_rule_of_careerpaths_own_declares_one()
    {
        Assert.All(RuleCatalogue.All.SelectMany(r => r.Interpretations.Select(i => (r.Id, Text: i))), x =>
        {
            // The pages put "Interprétation de CareerPath :" before each: the text does not repeat it.
            Assert.False(string.IsNullOrWhiteSpace(x.Text), x.Id);
            Assert.False(x.Text.StartsWith("Interprétation", StringComparison.OrdinalIgnoreCase), x.Text);
            Assert.EndsWith(".", x.Text);
            Assert.True(char.IsUpper(x.Text[0]), x.Text);
        });
        // A source that names CareerPath (a management or prudence rule) goes with the reading it stands for.
        Assert.All(RuleCatalogue.All.Where(r => r.Source.Contains("CareerPath", StringComparison.Ordinal)), r => Assert.NotEmpty(r.Interpretations));
        // The readings moved out of the sources are said once, as interpretations.
        Assert.DoesNotContain("CareerPath", ContractMilestones.TrainingStartRule.Source);
        Assert.DoesNotContain("jurisprudence", PrivateTrialPeriod.CddRule.Source);
    }

    [Fact]
    public void Every_theme_has_rules_and_a_french_title()
    {
        Assert.All(Enum.GetValues<RuleTheme>(), theme =>
        {
            Assert.Contains(RuleExamples.All, e => e.Theme == theme);
            Assert.False(string.IsNullOrWhiteSpace(RuleExamples.ThemeTitle(theme)));
        });
        Assert.Equal(Enum.GetValues<RuleTheme>().Length, Enum.GetValues<RuleTheme>().Select(RuleExamples.ThemeTitle).Distinct().Count());
    }

    static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
