using CareerPath.Domain.Calendar;

namespace CareerPath.Domain.Rules;

/// <summary>
/// A computed date to act by (or a milestone), with its full explanation. Key is stable across
/// recomputations ("decision.reminders:30") so that a timer can be found and re-armed.
/// </summary>
/// <param name="Date">The final date, after any move to the previous working day.</param>
/// <param name="UnadjustedDate">The date given by the rule before that move.</param>
public sealed record Deadline(string Key, string Label, DateOnly Date, DateOnly UnadjustedDate, Explanation Explanation)
{
    public string RuleId => Explanation.Rule.Id;

    public bool IsMetBy(DateOnly actedOn) => actedOn <= Date;

    public string Describe() => $"{Label} : {FrenchFormat.Date(Date)} ({FrenchFormat.DayName(Date)}). {Explanation.Describe()}";

    public override string ToString() => Describe();
}
