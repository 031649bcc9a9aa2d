using CareerPath.Domain.Calendar;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Calendar;

public class WorkingDaysTests
{
    [Theory]
    [InlineData("2025-04-21", false)] // Lundi de Pâques
    [InlineData("2025-05-29", false)] // Ascension
    [InlineData("2025-06-09", false)] // Lundi de Pentecôte
    [InlineData("2025-07-14", false)]
    [InlineData("2026-05-01", false)]
    [InlineData("2025-11-01", false)] // Saturday and Toussaint
    [InlineData("2025-04-18", true)] // Good Friday is worked outside Alsace-Moselle
    [InlineData("2025-12-26", true)]
    [InlineData("2025-06-10", true)]
    public void IsWorkingDay_knows_French_holidays(string date, bool expected) =>
        Assert.Equal(expected, WorkingDays.IsWorkingDay(D(date)));

    [Theory]
    [InlineData("2026-03-14", "2026-03-13")] // Saturday
    [InlineData("2026-03-15", "2026-03-13")] // Sunday
    [InlineData("2025-07-14", "2025-07-11")] // holiday on Monday, then the weekend
    [InlineData("2025-04-21", "2025-04-18")] // Easter Monday, weekend, Good Friday worked
    [InlineData("2025-05-01", "2025-04-30")]
    [InlineData("2025-05-29", "2025-05-28")]
    [InlineData("2026-05-10", "2026-05-07")] // weekend, then 8 May on Friday
    [InlineData("2025-11-11", "2025-11-10")]
    [InlineData("2025-12-25", "2025-12-24")]
    [InlineData("2026-01-01", "2025-12-31")]
    [InlineData("2027-01-01", "2026-12-31")]
    [InlineData("2025-03-13", "2025-03-13")]
    public void PreviousWorkingDayOnOrBefore_skips_weekends_and_holidays(string date, string expected) =>
        Assert.Equal(D(expected), WorkingDays.PreviousWorkingDayOnOrBefore(D(date)).Result);

    [Theory]
    [InlineData("2026-03-14", "Le 2026-03-14 est un samedi : reporté au jour ouvré précédent, le 2026-03-13.")]
    [InlineData("2025-07-14", "Le 2025-07-14 est férié (Fête nationale), le 2025-07-13 est un dimanche, le 2025-07-12 est un samedi : reporté au jour ouvré précédent, le 2025-07-11.")]
    [InlineData("2025-11-01", "Le 2025-11-01 est un samedi férié (Toussaint) : reporté au jour ouvré précédent, le 2025-10-31.")]
    [InlineData("2025-03-13", "Le 2025-03-13 est un jour ouvré (jeudi) : pas de report.")]
    public void PreviousWorkingDayOnOrBefore_says_why_it_moved(string date, string expected) =>
        Assert.Equal(expected, WorkingDays.PreviousWorkingDayOnOrBefore(D(date)).Describe());

    [Theory]
    [InlineData("2025-04-14", 13, "2025-05-02")] // skips Easter Monday and 1 May
    [InlineData("2025-05-01", 4, "2025-05-07")] // the start is a holiday: day 1 is 2 May
    [InlineData("2025-01-04", 1, "2025-01-06")]
    public void NthWorkingDayFrom_counts_the_start_as_day_one(string start, int n, string expected) =>
        Assert.Equal(D(expected), WorkingDays.NthWorkingDayFrom(D(start), n));
}
