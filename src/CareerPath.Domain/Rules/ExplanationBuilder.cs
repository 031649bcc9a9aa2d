using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Rules;

// Each rule records its inputs and steps here, so that no date leaves the domain without its reasons.
internal sealed class ExplanationBuilder(RuleInfo rule)
{
    private readonly List<ExplanationInput> inputs = [];
    private readonly List<string> steps = [];

    public ExplanationBuilder Input(string name, string value)
    {
        inputs.Add(new(name, value));
        return this;
    }

    public ExplanationBuilder Input(string name, DateOnly value) => Input(name, FrenchFormat.Date(value));

    public ExplanationBuilder Step(string sentence)
    {
        steps.Add(sentence);
        return this;
    }

    public Explanation Build() => new(rule, inputs.ToArray(), steps.ToArray());

    /// <summary>Moves the date to the previous working day (rule calendar.previous-working-day) and says so.</summary>
    public Deadline OnPreviousWorkingDay(string label, DateOnly unadjusted, string? keySuffix = null)
    {
        var adjustment = WorkingDays.PreviousWorkingDayOnOrBefore(unadjusted);
        Step(adjustment.Describe());
        return new(Key(keySuffix), label, adjustment.Result, unadjusted, Build());
    }

    public Deadline Unadjusted(string label, DateOnly date, string whyNotMoved, string? keySuffix = null)
    {
        Step(whyNotMoved);
        return new(Key(keySuffix), label, date, date, Build());
    }

    public Verdict Verdict(bool allowed, string message) => new(allowed, message, Build());

    private string Key(string? suffix) => suffix is null ? rule.Id : $"{rule.Id}:{suffix}";
}
