namespace CareerPath.Domain.Calendar;

/// <summary>
/// Calendar arithmetic on dates, in one place. Adding months clamps to the end of the month
/// (31 January + 1 month = 28 or 29 February), which is how French law counts "de date à date".
/// </summary>
public static class DateMath
{
    public static DateOnly AddDays(DateOnly date, int days) => date.AddDays(days);
    public static DateOnly AddWeeks(DateOnly date, int weeks) => date.AddDays(7 * weeks);

    // DateOnly.AddMonths/AddYears already clamp to the last day of a shorter month (and 29 Feb + 1 year = 28 Feb).
    public static DateOnly AddMonths(DateOnly date, int months) => date.AddMonths(months);
    public static DateOnly AddYears(DateOnly date, int years) => date.AddYears(years);

    public static DateOnly Add(DateOnly date, CalendarPeriod period) => date.AddMonths(period.Months).AddDays(period.Days);
    public static DateOnly Subtract(DateOnly date, CalendarPeriod period) => date.AddMonths(-period.Months).AddDays(-period.Days);

    /// <summary>Number of days of the period, both ends included.</summary>
    public static int LengthInDays(DateOnly start, DateOnly endInclusive) => endInclusive.DayNumber - start.DayNumber + 1;

    /// <summary>
    /// Whole calendar months from start to end: the largest m with start + m months (clamped) on or before end.
    /// So 2024-01-31 → 2024-02-29 is 1 month, and 2024-01-15 → 2024-02-14 is 0.
    /// </summary>
    public static int WholeMonthsBetween(DateOnly start, DateOnly end)
    {
        if (end < start) throw new ArgumentException($"end {FrenchFormat.Date(end)} precedes start {FrenchFormat.Date(start)}", nameof(end));
        var months = (end.Year - start.Year) * 12 + end.Month - start.Month;
        return start.AddMonths(months) > end ? months - 1 : months;
    }

    /// <summary>The middle day of [start, end], rounded down to the earlier day when the length is even.</summary>
    public static DateOnly Midpoint(DateOnly start, DateOnly end) => start.AddDays((end.DayNumber - start.DayNumber) / 2);
}
