using Collector.Core.Hashing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Report;

/// <summary>
/// The report's flagged devices: how many carry each flag an admin should act on before
/// registering (<see cref="HubStore.ReportFlags"/>), then each flagged device with its history,
/// up to <see cref="ReportPage.FlaggedLimit"/> of them, as <c>collector device</c> shows it.
/// </summary>
public static class FlaggedDevices
{
    public static void Write(TextWriter w, HubReport report)
    {
        w.WriteLine("""<section id="flagged"><h2>Flagged devices</h2>""");
        w.WriteLine($"""<p>Devices whose newest capture carries one of these flags: <b>{ReportPage.N(report.FlaggedTotal)}</b>.</p>""");
        ReportPage.Table(w, "flags-table", ["Flag", "What it means", "Devices"],
            report.Flags.Select(f => new[] { $"""<span class="flag">{Html.Encode(f.Flag)}</span>""", Html.Encode(HashFlags.Describe(f.Flag)), ReportPage.N(f.Devices) }));
        if (report.FlaggedTotal > report.Flagged.Count)
        {
            w.WriteLine($"""<p class="more">The first {ReportPage.N(report.Flagged.Count)} in device-key order are shown below; <code>collector devices --flag FLAG</code> lists all {ReportPage.N(report.FlaggedTotal)}.</p>""");
        }

        var n = 0;
        foreach (var history in report.Flagged)
        {
            Device(w, history, ++n);
        }

        w.WriteLine("</section>");
    }

    private static void Device(TextWriter w, DeviceHistory history, int n)
    {
        var (d, p) = (history.Device, history.Device.Progress);
        w.WriteLine($"""<article class="device" id="flagged-{n}"><h3>{Html.Encode(d.DeviceKey)}</h3>""");
        var exported = p.ExportBatch is { } batch ? $""" Last exported in batch <code>{Html.Encode(batch)}</code>.""" : "";
        w.WriteLine($"""<p>Serial <code>{Html.Encode(d.Serial)}</code>, {Html.Encode(d.Manufacturer)} {Html.Encode(d.Model)}, tenant <code>{d.TenantId:D}</code>. {Flags(d.Flags)}{exported}</p>""");
        ReportPage.Table(w, $"flagged-{n}-history",
            ["", "Counts as (UTC)", "Device clock", "Merged", "Stick", "Technician", "Site", "Method", "Flags", "Became"],
            history.Captures.Select(c => new[]
            {
                c.CaptureId == p.NewestCaptureId ? """<span class="current" title="current: the capture uploads and exports use">current</span>""" : "",
                ReportPage.Time(c.EffectiveAt, utc: false),
                ReportPage.Time(c.CapturedAt, utc: false) + (c.Flags.Contains(HashFlags.ClockSuspect) ? " (suspect)" : ""),
                ReportPage.Time(c.MergedAt, utc: false),
                $"""<code title="{c.StickId:D}">{c.StickId.ToString("D")[..8]}</code> #{c.StickSequence}""",
                Html.Encode(c.Technician),
                Html.Encode(c.Site),
                Html.Encode(c.Method),
                Flags(c.Flags),
                string.Join(", ", Became(c.CaptureId, p)),
            }), "history");
        w.WriteLine("</article>");
    }

    private static IEnumerable<string> Became(Guid capture, DeviceProgress p)
    {
        if (capture == p.UploadedCaptureId)
        {
            yield return "uploaded";
        }

        if (capture == p.ExportedCaptureId)
        {
            yield return "exported";
        }

        if (p.Registration is { } r && r.CaptureId == capture)
        {
            yield return Html.Encode(r.State);
        }
    }

    private static string Flags(IReadOnlyList<string> flags) =>
        string.Concat(flags.Select(f => $"""<span class="flag" title="{Html.Encode(HashFlags.Describe(f))}">{Html.Encode(f)}</span>"""));
}
