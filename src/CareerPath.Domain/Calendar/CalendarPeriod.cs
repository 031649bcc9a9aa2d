namespace CareerPath.Domain.Calendar;

/// <summary>
/// A length of time in calendar months and days ("2 ans 3 mois 4 jours"), the unit in which French law
/// states contract durations and notice periods. Months are never converted to a fixed number of days.
/// </summary>
public readonly record struct CalendarPeriod(int Months, int Days) : IComparable<CalendarPeriod>
{
    public static CalendarPeriod OfDays(int days) => new(0, days);
    public static CalendarPeriod OfMonths(int months) => new(months, 0);
    public static CalendarPeriod OfYears(int years) => new(12 * years, 0);

    /// <summary>
    /// Length of the inclusive period [start, endInclusive]: the whole months m such that start + m months
    /// (clamped) is at most the day after the end, then the remaining days. 2024-01-01..2024-06-30 is 6 months.
    /// </summary>
    public static CalendarPeriod Between(DateOnly start, DateOnly endInclusive)
    {
        var dayAfterEnd = endInclusive.AddDays(1);
        var months = DateMath.WholeMonthsBetween(start, dayAfterEnd);
        return new(months, dayAfterEnd.DayNumber - DateMath.AddMonths(start, months).DayNumber);
    }

    public CalendarPeriod Times(int factor) => new(Months * factor, Days * factor);

    // Separate spans of service have no common calendar, so their days are carried into months at 30 days
    // a month: the usual convention of French HR departments when adding up periods of service.
    public static CalendarPeriod operator +(CalendarPeriod a, CalendarPeriod b)
    {
        var days = a.Days + b.Days;
        return new(a.Months + b.Months + days / 30, days % 30);
    }

    public int CompareTo(CalendarPeriod other) => (Months, Days).CompareTo((other.Months, other.Days));
    public static bool operator <(CalendarPeriod a, CalendarPeriod b) => a.CompareTo(b) < 0;
    public static bool operator >(CalendarPeriod a, CalendarPeriod b) => a.CompareTo(b) > 0;
    public static bool operator <=(CalendarPeriod a, CalendarPeriod b) => a.CompareTo(b) <= 0;
    public static bool operator >=(CalendarPeriod a, CalendarPeriod b) => a.CompareTo(b) >= 0;

    /// <summary>French wording with years: "2 ans 3 mois", "8 jours".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Months / 12 > 0) parts.Add(Plural(Months / 12, "an", "ans"));
        if (Months % 12 > 0) parts.Add($"{Months % 12} mois");
        if (Days > 0 || parts.Count == 0) parts.Add(Plural(Days, "jour", "jours"));
        return string.Join(" ", parts);
    }

    /// <summary>French wording in months only, as the Code du travail counts CDD lengths: "19 mois 3 jours".</summary>
    public string DescribeInMonths() => Months == 0
        ? Plural(Days, "jour", "jours")
        : Days == 0 ? $"{Months} mois" : $"{Months} mois {Plural(Days, "jour", "jours")}";

    public override string ToString() => Describe();

    private static string Plural(int n, string one, string many) => $"{n} {(n > 1 ? many : one)}";
}
