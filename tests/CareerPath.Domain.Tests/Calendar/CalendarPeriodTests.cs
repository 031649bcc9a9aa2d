using CareerPath.Domain.Calendar;
using static CareerPath.Domain.Tests.TestData;

namespace CareerPath.Domain.Tests.Calendar;

public class CalendarPeriodTests
{
    [Theory]
    [InlineData("2024-01-01", "2024-06-30", 6, 0)]
    [InlineData("2025-01-01", "2025-06-29", 5, 29)]
    [InlineData("2024-01-15", "2024-03-20", 2, 6)]
    [InlineData("2022-01-01", "2024-03-31", 27, 0)]
    [InlineData("2024-01-01", "2024-01-30", 0, 30)] // a single span keeps its 30 days: January has 31
    [InlineData("2024-01-01", "2030-01-01", 72, 1)]
    public void Between_measures_an_inclusive_period(string start, string end, int months, int days) =>
        Assert.Equal(new CalendarPeriod(months, days), CalendarPeriod.Between(D(start), D(end)));

    [Fact]
    public void Adding_spans_carries_days_into_months_at_30_days() =>
        Assert.Equal(new CalendarPeriod(6, 5), new CalendarPeriod(5, 20) + new CalendarPeriod(0, 15));

    [Theory]
    [InlineData(0, 8, "8 jours")]
    [InlineData(1, 0, "1 mois")]
    [InlineData(27, 4, "2 ans 3 mois 4 jours")]
    [InlineData(12, 1, "1 an 1 jour")]
    [InlineData(0, 0, "0 jour")]
    public void Describe_speaks_French(int months, int days, string expected) =>
        Assert.Equal(expected, new CalendarPeriod(months, days).Describe());

    [Theory]
    [InlineData(19, 3, "19 mois 3 jours")]
    [InlineData(20, 0, "20 mois")]
    public void DescribeInMonths_never_uses_years(int months, int days, string expected) =>
        Assert.Equal(expected, new CalendarPeriod(months, days).DescribeInMonths());

    [Fact]
    public void Comparison_orders_months_before_days()
    {
        Assert.True(new CalendarPeriod(5, 30) < CalendarPeriod.OfMonths(6));
        Assert.True(CalendarPeriod.OfYears(2) >= new CalendarPeriod(24, 0));
    }
}
