using System.Globalization;

namespace Collector.Workstation.Report;

/// <summary>One bar of a chart: its label (shown escaped), value, and the words its tooltip says.</summary>
public sealed record ChartBar(string Label, long Value, string Tooltip);

/// <summary>
/// Bar charts as inline SVG: plain rectangles and text, no script, no font but the reader's own,
/// so the page needs nothing from anywhere. Measured against ScottPlot 5.1.59 (SVG through
/// SkiaSharp's SVG canvas) on the same 60-day chart (bench/run.sh desk): 8 KB of SVG here against
/// 41 KB; 0.2 ms a chart against about 60 ms, and 15–21 ms against 1,470 ms for the first one
/// (ScottPlot loads SkiaSharp's native library); and ScottPlot would add 14.9 MB to collector.exe
/// (SkiaSharp and HarfBuzz native libraries and their assemblies; 6.1 MB gzipped). Two chart
/// shapes are all the report needs. Every label goes through <see cref="Html.Encode"/>: they come
/// from devices and people.
/// </summary>
public static class SvgChart
{
    private const int Width = 960;
    private const string Accent = "#2b6cb0";

    /// <summary>Vertical columns in order (a series over time), with a value axis and every k-th label under them.</summary>
    public static void Columns(TextWriter w, string id, string title, IReadOnlyList<ChartBar> bars)
    {
        const int height = 280, left = 56, right = 12, top = 28, bottom = 40;
        const int plotWidth = Width - left - right, plotHeight = height - top - bottom;
        var (max, step) = Axis(bars.Count == 0 ? 0 : bars.Max(b => b.Value));
        Open(w, id, title, height);
        for (var tick = 0L; tick <= max; tick += step)
        {
            var y = top + plotHeight - (double)tick / max * plotHeight;
            w.Write($"""<line x1="{left}" x2="{Width - right}" y1="{F(y)}" y2="{F(y)}" class="grid"/><text x="{left - 6}" y="{F(y + 4)}" text-anchor="end">{N(tick)}</text>""");
        }

        var slot = (double)plotWidth / Math.Max(bars.Count, 1);
        var barWidth = slot >= 4 ? Math.Min(slot * 0.8, 48) : slot;
        var labelEvery = (int)Math.Ceiling(bars.Count / (plotWidth / 56.0));
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var x = left + i * slot + (slot - barWidth) / 2;
            var h = (double)bar.Value / max * plotHeight;
            w.Write($"""<rect x="{F(x)}" y="{F(top + plotHeight - h)}" width="{F(barWidth)}" height="{F(h)}" fill="{Accent}"><title>{Html.Encode(bar.Tooltip)}</title></rect>""");
            if (i % labelEvery == 0)
            {
                w.Write($"""<text x="{F(left + i * slot + slot / 2)}" y="{height - bottom + 16}" text-anchor="middle">{Html.Encode(bar.Label)}</text>""");
            }
        }

        w.Write($"""<line x1="{left}" x2="{Width - right}" y1="{top + plotHeight}" y2="{top + plotHeight}" class="axis"/>""");
        w.WriteLine("</svg>");
    }

    /// <summary>Horizontal bars, one row each, labels on the left (long ones shortened; the tooltip has them whole), values at the bar's end.</summary>
    public static void Bars(TextWriter w, string id, string title, IReadOnlyList<ChartBar> bars, IReadOnlyList<string>? colors = null)
    {
        const int row = 24, top = 28, labelWidth = 260, right = 90;
        var height = top + Math.Max(bars.Count, 1) * row + 8;
        var max = Math.Max(bars.Count == 0 ? 0 : bars.Max(b => b.Value), 1);
        Open(w, id, title, height);
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = top + i * row;
            var length = (double)bar.Value / max * (Width - labelWidth - right);
            var label = bar.Label.Length > 34 ? bar.Label[..33] + "…" : bar.Label;
            w.Write($"""<text x="{labelWidth - 8}" y="{y + 16}" text-anchor="end">{Html.Encode(label)}</text>""");
            w.Write($"""<rect x="{labelWidth}" y="{y + 3}" width="{F(Math.Max(length, bar.Value > 0 ? 1 : 0))}" height="{row - 6}" fill="{colors?[i % colors.Count] ?? Accent}"><title>{Html.Encode(bar.Tooltip)}</title></rect>""");
            w.Write($"""<text x="{F(labelWidth + length + 6)}" y="{y + 16}">{N(bar.Value)}</text>""");
        }

        w.WriteLine("</svg>");
    }

    private static void Open(TextWriter w, string id, string title, int height) =>
        w.Write($"""<svg id="{id}" class="chart" role="img" aria-label="{Html.Encode(title)}" viewBox="0 0 {Width} {height}" width="{Width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><text x="0" y="16" class="title">{Html.Encode(title)}</text>""");

    /// <summary>A value axis that ends on a round number, with four or five steps of 1, 2 or 5 × 10ⁿ.</summary>
    private static (long Max, long Step) Axis(long largest)
    {
        if (largest <= 0)
        {
            return (1, 1);
        }

        var rough = Math.Max(largest / 4.0, 1);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = (long)(new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= rough));
        return ((largest + step - 1) / step * step, Math.Max(step, 1));
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
