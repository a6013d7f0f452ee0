using System.Globalization;

namespace Collector.Workstation.Report;

/// <summary>
/// Captures per day as chart columns, the days without captures included (a gap in the work is
/// worth seeing). Over more than 92 days the columns become weeks, and over more than two years
/// months, so the chart stays readable (and small) however long the hub has been used.
/// </summary>
public static class CaptureSeries
{
    public static (string Unit, IReadOnlyList<ChartBar> Bars) Of(IReadOnlyList<(DateOnly Day, long Captures)> days)
    {
        if (days.Count == 0)
        {
            return ("day", []);
        }

        var (first, last) = (days[0].Day, days[^1].Day);
        var span = last.DayNumber - first.DayNumber + 1;
        var (unit, start, next, label, tooltip) = span switch
        {
            <= 92 => ("day", first, (Func<DateOnly, DateOnly>)(d => d.AddDays(1)), "MM-dd", "yyyy-MM-dd"),
            <= 732 => ("week", first.AddDays(-(((int)first.DayOfWeek + 6) % 7)), d => d.AddDays(7), "MM-dd", "'week of' yyyy-MM-dd"),
            _ => ("month", new DateOnly(first.Year, first.Month, 1), d => d.AddMonths(1), "yyyy-MM", "MMMM yyyy"),
        };

        var bars = new List<ChartBar>();
        var i = 0;
        for (var bucket = start; bucket <= last; bucket = next(bucket))
        {
            long count = 0;
            var end = next(bucket);
            for (; i < days.Count && days[i].Day < end; i++)
            {
                count += days[i].Captures;
            }

            bars.Add(new ChartBar(bucket.ToString(label, CultureInfo.InvariantCulture), count,
                $"{bucket.ToString(tooltip, CultureInfo.InvariantCulture)}: {count.ToString("N0", CultureInfo.InvariantCulture)} capture{(count == 1 ? "" : "s")}"));
        }

        return (unit, bars);
    }
}
