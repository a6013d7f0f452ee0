using System.Globalization;
using Collector.Core.Captures;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Report;

/// <summary>
/// The report as one self-contained HTML page: its style inline, its charts inline SVG, no
/// script, and a Content-Security-Policy that lets it load nothing at all, so it opens on an
/// offline desk and can be mailed. Every text from a device or a person passes through
/// <see cref="Html.Encode"/>. Long lists are cut at a limit the page says, with the command that
/// lists them whole.
/// </summary>
public static class ReportPage
{
    /// <summary>At most this many flagged devices are shown with their history.</summary>
    public const int FlaggedLimit = 200;

    private const int ChartRows = 15, TableRows = 50, StickRows = 200;

    /// <summary>The page's CSP: nothing may load, no script may run; only the inline style applies.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    public static void Write(TextWriter w, HubReport report, string hubPath, DateTimeOffset madeAt)
    {
        w.WriteLine($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="{ContentSecurityPolicy}">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Collector report: {Html.Encode(Path.GetFileName(hubPath))}, {Day(madeAt)}</title>
            <style>{Style}</style>
            </head>
            <body>
            <h1>Collector report</h1>
            <p class="meta">Hub <code>{Html.Encode(hubPath)}</code>, read {Time(madeAt)} by collector {Html.Encode(CollectorVersion.Current)}:
            <b>{N(report.Devices)}</b> devices, <b>{N(report.Captures)}</b> captures, {N(report.Tenants)} tenant{(report.Tenants == 1 ? "" : "s")}, {N(report.Sticks.Count)} stick{(report.Sticks.Count == 1 ? "" : "s")}.</p>
            """);
        if (report.Devices == 0)
        {
            w.WriteLine("""<p id="empty" class="empty">This hub holds no devices yet: there is nothing to report. Sync a stick into it (<code>collector sync PATH</code>) or import a CSV (<code>collector import</code>), then make the report again.</p>""");
        }
        else
        {
            w.WriteLine("""<nav><a href="#per-day">Per day</a> · <a href="#per-site">Per site</a> · <a href="#per-technician">Per technician</a> · <a href="#states">By state</a> · <a href="#models">By model</a> · <a href="#flagged">Flagged</a> · <a href="#sticks">Sticks</a></nav>""");
            PerDay(w, report);
            Names(w, "per-site", "sites", "Captures per site", "Site", report.Sites);
            Names(w, "per-technician", "technicians", "Captures per technician", "Technician", report.Technicians);
            States(w, report.States);
            Models(w, report.Models);
            FlaggedDevices.Write(w, report);
            Sticks(w, report.Sticks);
        }

        w.WriteLine("</body>\n</html>");
    }

    private static void PerDay(TextWriter w, HubReport report)
    {
        var (unit, bars) = CaptureSeries.Of(report.CapturesPerDay);
        w.WriteLine($"""<section id="per-day"><h2>Captures per {unit}</h2>""");
        w.WriteLine($"""<p>By the time each capture counts as taken: the device's clock, or the merge time where that clock was implausible (<code>clock-suspect</code>). {N(report.CapturesPerDay.Count)} day{(report.CapturesPerDay.Count == 1 ? "" : "s")} with captures, from {report.CapturesPerDay[0].Day:yyyy-MM-dd} to {report.CapturesPerDay[^1].Day:yyyy-MM-dd}.</p>""");
        SvgChart.Columns(w, "per-day-chart", $"Captures per {unit}", bars);
        w.WriteLine("</section>");
    }

    private static void Names(TextWriter w, string id, string what, string title, string column, IReadOnlyList<NameCount> names)
    {
        w.WriteLine($"""<section id="{id}"><h2>{title}</h2>""");
        SvgChart.Bars(w, $"{what}-chart", $"{title} (top {Math.Min(ChartRows, names.Count)} of {N(names.Count)})",
            [.. names.Take(ChartRows).Select(n => new ChartBar(Display(n.Name), n.Captures, $"{Display(n.Name)}: {N(n.Captures)} captures of {N(n.Devices)} devices"))]);
        Table(w, $"{what}-table", [column, "Captures", "Devices"], names.Take(TableRows).Select(n => new[] { Html.Encode(Display(n.Name)), N(n.Captures), N(n.Devices) }));
        More(w, names.Count, TableRows, $"{what} with fewer captures");
        w.WriteLine("</section>");
    }

    private static void States(TextWriter w, DeviceStates s)
    {
        var rows = new List<(string State, long? Devices, string Meaning)>
        {
            ("waiting for upload", s.WaitingForUpload, "the newest capture is not known to be in the Azure table"),
            ("waiting for export", s.WaitingForExport, "the newest capture is in no Intune CSV yet"),
            ("exported", s.Exported, "the newest capture is in an Intune CSV"),
            ("registered", s.Registered, "Autopilot has it (registered by collector register, or already there: 806)"),
            ("refused", s.Refused, "Autopilot refused it (808: another tenant has it; 802: invalid hash; or another code)"),
        };
        w.WriteLine("""<section id="states"><h2>Devices by state</h2>""");
        var known = rows.Where(r => r.Devices is not null).ToList();
        SvgChart.Bars(w, "states-chart", $"Devices by state (of {N(s.Devices)})",
            [.. known.Select(r => new ChartBar(r.State, r.Devices!.Value, $"{r.State}: {N(r.Devices.Value)} devices"))],
            ["#c05621", "#b7791f", "#2f855a", "#2b6cb0", "#c53030"]);
        Table(w, "states-table", ["State", "Devices", "Meaning"],
            rows.Select(r => new[] { r.State, r.Devices is { } n ? N(n) : "not recorded", r.Devices is null ? "this hub records no registration yet (collector register)" : r.Meaning }));
        w.WriteLine("</section>");
    }

    private static void Models(TextWriter w, IReadOnlyList<ModelCount> models)
    {
        w.WriteLine("""<section id="models"><h2>Devices by model</h2>""");
        SvgChart.Bars(w, "models-chart", $"Devices by make and model (top {Math.Min(ChartRows, models.Count)} of {N(models.Count)})",
            [.. models.Take(ChartRows).Select(m => new ChartBar($"{m.Manufacturer} {m.Model}", m.Devices, $"{m.Manufacturer}, {m.Model}: {N(m.Devices)} devices"))]);
        Table(w, "models-table", ["Manufacturer", "Model", "Devices"],
            models.Take(TableRows).Select(m => new[] { Html.Encode(m.Manufacturer), Html.Encode(m.Model), N(m.Devices) }));
        More(w, models.Count, TableRows, "models with fewer devices");
        w.WriteLine("</section>");
    }

    private static void Sticks(TextWriter w, IReadOnlyList<StickStatus> sticks)
    {
        w.WriteLine("""<section id="sticks"><h2>Sticks</h2><p>Most recently merged first.</p>""");
        Table(w, "sticks-table", ["Stick", "Last merged", "Captures", "Last merged from"],
            sticks.Take(StickRows).Select(s => new[] { $"<code>{s.StickId:D}</code>", Time(s.LastMergedAt), N(s.Captures), Html.Encode(s.LastPath) }));
        More(w, sticks.Count, StickRows, "sticks merged longer ago (collector status lists every stick)");
        w.WriteLine("</section>");
    }

    /// <summary>A table; cells are HTML already (encode text from devices before it gets here).</summary>
    internal static void Table(TextWriter w, string id, IReadOnlyList<string> headers, IEnumerable<string[]> rows, string? cssClass = null)
    {
        w.Write($"""<table id="{id}"{(cssClass is null ? "" : $" class=\"{cssClass}\"")}><thead><tr>""");
        foreach (var header in headers)
        {
            w.Write($"<th>{header}</th>");
        }

        w.Write("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            w.Write("<tr>");
            foreach (var cell in row)
            {
                w.Write($"<td>{cell}</td>");
            }

            w.Write("</tr>");
        }

        w.WriteLine("</tbody></table>");
    }

    private static void More(TextWriter w, int count, int shown, string what)
    {
        if (count > shown)
        {
            w.WriteLine($"""<p class="more">and {N(count - shown)} more {what}.</p>""");
        }
    }

    private static string Display(string name) => name.Length == 0 ? "(none given)" : name;

    internal static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A UTC time that a narrow column does not break across lines.</summary>
    internal static string Time(DateTimeOffset time, bool utc = true) =>
        $"""<span class="t">{time.UtcDateTime.ToString(utc ? "yyyy-MM-dd HH:mm 'UTC'" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</span>""";

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Plain and printable: system fonts only (nothing to load), tables that fit the page, charts that scale down.</summary>
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#1a202c}
        h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #cbd5e0;padding-bottom:4px}h3{font-size:15px;margin:16px 0 4px}
        .meta,.more,nav{color:#4a5568}code{font:12px ui-monospace,Consolas,monospace;overflow-wrap:anywhere}
        table{border-collapse:collapse;margin:8px 0;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top;overflow-wrap:break-word}
        th{background:#edf2f7;white-space:nowrap}.history td{font-size:13px}.current,.flag,.t,.history code{white-space:nowrap}.current{font-weight:600}
        svg.chart{max-width:100%;height:auto;display:block;margin:8px 0}svg text{font:12px system-ui,sans-serif;fill:#2d3748}svg text.title{font-weight:600;font-size:13px}
        svg .grid{stroke:#e2e8f0}svg .axis{stroke:#718096}.empty{font-size:16px;padding:16px;background:#fefcbf;border:1px solid #ecc94b}
        .flag{display:inline-block;background:#fed7d7;color:#742a2a;border-radius:3px;padding:0 4px;margin:0 2px 2px 0;font-size:12px}
        """;
}
