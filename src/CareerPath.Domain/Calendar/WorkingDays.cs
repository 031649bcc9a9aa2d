using System.Collections.Concurrent;
using PublicHoliday;

namespace CareerPath.Domain.Calendar;

/// <summary>A day skipped when moving a deadline: a weekend day, a public holiday, or both.</summary>
public sealed record NonWorkingDay(DateOnly Date, string? HolidayName)
{
    public bool IsWeekend => Date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>French reason, e.g. "un samedi", "férié (Lundi de Pâques)".</summary>
    public string Reason => (IsWeekend, HolidayName) switch
    {
        (true, null) => $"un {FrenchFormat.DayName(Date)}",
        (true, _) => $"un {FrenchFormat.DayName(Date)} férié ({HolidayName})",
        _ => $"férié ({HolidayName})",
    };
}

/// <summary>The result of moving a date to the previous working day, with the days skipped and why.</summary>
public sealed record WorkingDayAdjustment(DateOnly Requested, DateOnly Result, IReadOnlyList<NonWorkingDay> Skipped)
{
    public bool Moved => Skipped.Count > 0;

    /// <summary>One French sentence, e.g. "Le 2026-03-14 est un samedi : reporté au jour ouvré précédent, le 2026-03-13."</summary>
    public string Describe() => Moved
        ? $"{string.Join(", ", Skipped.Select((d, i) => $"{(i == 0 ? "Le" : "le")} {FrenchFormat.Date(d.Date)} est {d.Reason}"))} : "
          + $"reporté au jour ouvré précédent, le {FrenchFormat.Date(Result)}."
        : $"Le {FrenchFormat.Date(Requested)} est un jour ouvré ({FrenchFormat.DayName(Requested)}) : pas de report.";
}

/// <summary>
/// Working days of metropolitan France: Monday to Friday, except the public holidays of the Code du travail
/// (art. L3133-1), taken from the PublicHoliday package. Whit Monday counts as a holiday even where it is the
/// "journée de solidarité". Alsace-Moselle (Good Friday, 26 December) and overseas holidays are out of scope.
/// </summary>
public static class WorkingDays
{
    // Holidays are a pure function of the year; caching them keeps the many look-ups of a plan cheap.
    private static readonly ConcurrentDictionary<int, IReadOnlyDictionary<DateOnly, string>> HolidaysByYear = new();

    public static string? HolidayName(DateOnly date) =>
        HolidaysByYear.GetOrAdd(date.Year, LoadHolidays).GetValueOrDefault(date);

    public static bool IsWorkingDay(DateOnly date) => WhyNotWorking(date) is null;

    /// <summary>Null for a working day, otherwise why the day is not worked.</summary>
    public static NonWorkingDay? WhyNotWorking(DateOnly date)
    {
        var day = new NonWorkingDay(date, HolidayName(date));
        return day.IsWeekend || day.HolidayName is not null ? day : null;
    }

    public static WorkingDayAdjustment PreviousWorkingDayOnOrBefore(DateOnly date)
    {
        var skipped = new List<NonWorkingDay>();
        var day = date;
        while (WhyNotWorking(day) is { } reason)
        {
            skipped.Add(reason);
            day = day.AddDays(-1);
        }
        return new(date, day, skipped);
    }

    /// <summary>The n-th working day counted from start, start itself being day 1 when it is worked.</summary>
    public static DateOnly NthWorkingDayFrom(DateOnly start, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var day = start.AddDays(-1);
        for (var counted = 0; counted < n;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) counted++;
        }
        return day;
    }

    private static IReadOnlyDictionary<DateOnly, string> LoadHolidays(int year) =>
        new FrancePublicHoliday().PublicHolidayNames(year)
            .ToDictionary(h => DateOnly.FromDateTime(h.Key), h => h.Value);
}
