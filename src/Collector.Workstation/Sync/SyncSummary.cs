using System.Globalization;
using System.Text;
using Collector.Core.Captures;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Sync;

/// <summary>What sync prints at the end without <c>--json</c>; paths and device text shown escaped.</summary>
public static class SyncSummary
{
    public static string Format(SyncReport report, HubStore hub)
    {
        var n = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var damaged = report.DamagedSticks.Count > 0 ? $" ({report.DamagedSticks.Count} damaged: salvaged what could be read)" : "";
        var invalid = report.InvalidCaptures.Count > 0 ? $", {report.InvalidCaptures.Count:N0} invalid (not merged)" : "";
        text.AppendLine(n, $"Sticks: {report.SticksMerged} merged{damaged}, {report.Skipped.Count} skipped. Captures: {report.CapturesNew:N0} new, {report.CapturesKnown:N0} already in the hub{invalid}.");
        text.AppendLine(n, $"Hub: {Show(hub.Path)} ({hub.CountDevices():N0} devices, {hub.CountCaptures():N0} captures).");
        if (report.Table is { } table)
        {
            text.AppendLine(n, $"{(report.TableCreated ? "Created " + table : char.ToUpperInvariant(table[0]) + table[1..])}: {report.Uploaded:N0} devices uploaded, {report.Unchanged:N0} already up to date, " +
                $"{report.NewerInTable:N0} newer in the table, {report.Rejected.Count:N0} rejected.");
            if (report.Collisions > 0)
            {
                text.AppendLine(n, $"{report.Collisions:N0} devices share a serial with another device in the table: they are keyed serial~uuid.");
            }

            if (report.Waiting > 0)
            {
                text.AppendLine(n, $"{report.Waiting:N0} devices still wait for upload.");
            }
        }
        else
        {
            text.AppendLine(n, $"No table configured (--table TARGET or {TableTarget.EnvironmentVariable}): {report.Waiting:N0} devices wait for upload.");
        }

        AppendList(text, "Skipped:", report.Skipped.Select(s => $"{Show(s.Path)}: {Show(s.Reason)}"));
        AppendList(text, "Damaged:", report.DamagedSticks.Select(Describe));
        AppendList(text, "Invalid captures (not merged):", report.InvalidCaptures.Select(i => $"{Show(i.Path)} #{i.Sequence}: {Show(i.Reason)}"));
        AppendList(text, "Rejected:", report.Rejected.Select(r => $"{Show(r.DeviceKey)}: {Show(r.Reason)}"));
        return text.ToString();
    }

    /// <summary>One line for a damaged stick: what was salvaged, what could not be read, and that the stick was left as it was.</summary>
    public static string Describe(DamagedStick stick)
    {
        var lost = stick.CouldNotRead.Length > 0 ? $"; could not read capture(s) {stick.CouldNotRead}" : "";
        return $"{Show(stick.Path)} is damaged: salvaged {stick.Salvaged:N0} capture(s){lost} ({Show(stick.Damage)}); " +
            "the stick was not changed: keep it for rescue, and once its captures are in a hub lay it out again with 'collector stick init --force'";
    }

    private static string Show(string text) => DisplayText.Escape(text);

    private static void AppendList(StringBuilder text, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0)
        {
            return;
        }

        text.AppendLine(title);
        foreach (var line in list)
        {
            text.Append("  ").AppendLine(line);
        }
    }
}
