using CareerPath.Domain.Calendar;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Calendar;

public class DateMathTests
{
    [Theory]
    [InlineData("2024-01-31", 1, "2024-02-29")] // leap year: clamped to 29 February
    [InlineData("2023-01-31", 1, "2023-02-28")]
    [InlineData("2028-01-31", 1, "2028-02-29")]
    [InlineData("2024-03-31", -1, "2024-02-29")]
    [InlineData("2024-10-31", 1, "2024-11-30")]
    [InlineData("2024-08-31", 6, "2025-02-28")]
    public void AddMonths_clamps_to_the_end_of_a_shorter_month(string date, int months, string expected) =>
        Assert.Equal(D(expected), DateMath.AddMonths(D(date), months));

    [Theory]
    [InlineData("2024-02-29", 1, "2025-02-28")]
    [InlineData("2024-02-29", 4, "2028-02-29")]
    [InlineData("2025-03-04", 1, "2026-03-04")]
    public void AddYears_clamps_29_February(string date, int years, string expected) =>
        Assert.Equal(D(expected), DateMath.AddYears(D(date), years));

    [Fact]
    public void AddWeeks_crosses_the_year() => Assert.Equal(D("2025-01-06"), DateMath.AddWeeks(D("2024-12-30"), 1));

    [Theory]
    [InlineData("2024-01-01", "2024-12-31", 366)]
    [InlineData("2025-01-01", "2025-12-31", 365)]
    [InlineData("2024-02-01", "2024-02-29", 29)]
    [InlineData("2025-03-03", "2025-03-03", 1)]
    public void LengthInDays_counts_both_ends(string start, string end, int expected) =>
        Assert.Equal(expected, DateMath.LengthInDays(D(start), D(end)));

    [Theory]
    [InlineData("2024-01-31", "2024-02-29", 1)] // 31 Jan + 1 month is 29 Feb: a whole month
    [InlineData("2024-01-31", "2024-02-28", 0)]
    [InlineData("2024-01-15", "2024-02-14", 0)]
    [InlineData("2024-01-15", "2024-02-15", 1)]
    [InlineData("2024-01-31", "2024-03-30", 1)]
    [InlineData("2023-03-01", "2025-03-01", 24)]
    public void WholeMonthsBetween_counts_calendar_months(string start, string end, int expected) =>
        Assert.Equal(expected, DateMath.WholeMonthsBetween(D(start), D(end)));

    [Fact]
    public void WholeMonthsBetween_rejects_an_end_before_the_start() =>
        Assert.Throws<ArgumentException>(() => DateMath.WholeMonthsBetween(D("2024-02-01"), D("2024-01-31")));

    [Theory]
    [InlineData("2025-01-01", "2025-12-31", "2025-07-02")]
    [InlineData("2024-01-01", "2025-12-31", "2024-12-31")]
    [InlineData("2024-01-01", "2024-01-31", "2024-01-16")]
    [InlineData("2024-01-01", "2024-01-30", "2024-01-15")] // even length: the earlier middle day
    public void Midpoint_is_the_middle_day(string start, string end, string expected) =>
        Assert.Equal(D(expected), DateMath.Midpoint(D(start), D(end)));
}
