using Collector.Workstation.Report;

namespace Collector.Workstation.Tests.Report;

public sealed class CaptureSeriesTests
{
    private static readonly DateOnly First = new(2026, 11, 2); // a Monday

    [Fact]
    public void Days_without_captures_are_columns_of_zero()
    {
        var (unit, bars) = CaptureSeries.Of([(First, 5), (First.AddDays(3), 2)]);

        Assert.Equal("day", unit);
        Assert.Equal([5L, 0, 0, 2], bars.Select(b => b.Value));
        Assert.Equal(["11-02", "11-03", "11-04", "11-05"], bars.Select(b => b.Label));
        Assert.Equal("2026-11-05: 2 captures", bars[3].Tooltip);
    }

    [Fact]
    public void Over_more_than_92_days_the_columns_are_weeks_from_monday()
    {
        var (unit, bars) = CaptureSeries.Of([(First.AddDays(2), 1), (First.AddDays(3), 1), (First.AddDays(100), 4)]);

        Assert.Equal("week", unit);
        Assert.Equal(15, bars.Count);
        Assert.Equal((2L, "11-02"), (bars[0].Value, bars[0].Label));
        Assert.Equal(4L, bars[^1].Value);
        Assert.Equal(6L, bars.Sum(b => b.Value));
    }

    [Fact]
    public void Over_more_than_two_years_the_columns_are_months()
    {
        var (unit, bars) = CaptureSeries.Of([(First, 3), (First.AddYears(3), 1)]);

        Assert.Equal("month", unit);
        Assert.Equal(37, bars.Count);
        Assert.Equal(("2026-11", 3L), (bars[0].Label, bars[0].Value));
        Assert.Equal(("2029-11", 1L), (bars[^1].Label, bars[^1].Value));
    }

    [Fact]
    public void No_captures_is_no_columns()
    {
        var (_, bars) = CaptureSeries.Of([]);

        Assert.Empty(bars);
    }
}
