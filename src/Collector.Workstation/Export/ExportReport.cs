using Collector.Core.Captures;
using Collector.Workstation.Commands;
using Collector.Workstation.Csv;

namespace Collector.Workstation.Export;

/// <summary>What <c>collector export</c> says at the end: the files, what was left out and why, and what to do with the files.</summary>
internal static class ExportReport
{
    public static async Task WriteAsync(bool json, ExportFormat format, WorkstationContext context, IExportSource source, ExportWriter writer, IReadOnlyList<ExportLeftOut> leftOut)
    {
        foreach (var device in leftOut)
        {
            await context.Error.WriteLineAsync($"{CollectorApp.Name}: left out {DisplayText.Escape(device.DeviceKey)}: {DisplayText.Escape(device.Reason)}").ConfigureAwait(false);
        }

        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, new ExportCommand.JsonExport(writer.Files, writer.Devices,
                [.. leftOut.Select(d => new ExportCommand.JsonLeftOut(d.DeviceKey, d.Reason))], source.RegisteredLeftOut)).ConfigureAwait(false);
            return;
        }

        var o = context.Out;
        if (writer.Files.Count == 0)
        {
            await o.WriteLineAsync(leftOut.Count == 0
                ? $"Nothing to export from {source.Description}: every device's newest capture is already exported as {format.Name} or registered (--all exports them again)."
                : $"Nothing exported from {source.Description}.").ConfigureAwait(false);
        }
        else
        {
            await o.WriteLineAsync($"Exported {writer.Devices:N0} device(s) from {source.Description} into {writer.Files.Count} file(s) of {format.Carrier}:").ConfigureAwait(false);
            foreach (var file in writer.Files)
            {
                await o.WriteLineAsync($"  {file}").ConfigureAwait(false);
            }

            foreach (var manifest in writer.Manifests)
            {
                await o.WriteLineAsync($"Manifest: {manifest}").ConfigureAwait(false);
            }
        }

        if (writer.Changed.Count > 0)
        {
            await o.WriteLineAsync($"{writer.Changed.Count} device(s) got a newer capture while exporting; they stay waiting for the next export: {DisplayText.Escape(string.Join(", ", writer.Changed))}").ConfigureAwait(false);
        }

        if (source.RegisteredLeftOut > 0)
        {
            await o.WriteLineAsync(format == ExportFormat.Identifiers
                ? $"{source.RegisteredLeftOut:N0} device(s) left out: registered in Autopilot by 'collector register', so they follow their Autopilot profile and ignore device preparation (--all exports them too)."
                : $"{source.RegisteredLeftOut:N0} device(s) left out: already registered in Autopilot by 'collector register' (--all exports them too).").ConfigureAwait(false);
        }

        if (leftOut.Count > 0)
        {
            await o.WriteLineAsync($"{leftOut.Count} device(s) left out: {format.Carrier} cannot carry them as they are (listed on stderr with the reason).").ConfigureAwait(false);
        }

        if (writer.Files.Count > 0)
        {
            foreach (var line in NextSteps(format))
            {
                await o.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
    }

    private static string[] NextSteps(ExportFormat format) => format.Name switch
    {
        "identifiers" =>
        [
            "Next: in the Intune admin center, Devices > Enrollment > Corporate device identifiers > Add > Upload CSV file,",
            "  identifier type 'Manufacturer, model and serial number (Windows only)': one file at a time.",
            "  A device registered for Autopilot follows its Autopilot profile and ignores device preparation: do not register it both ways.",
        ],
        "partner" =>
        [
            "Next: in Partner Center, the customer's Devices > Add devices: upload one file at a time, in order, as a device batch.",
            "  Then delete the CSV files: a hardware hash lets whoever holds it register the device.",
        ],
        _ =>
        [
            "Next: in the Intune admin center, Devices > Windows > Enrollment > Windows Autopilot > Devices > Import:",
            "  upload one file at a time, in order, and check that each batch registered before the next.",
            "  Then delete the CSV files: a hardware hash lets whoever holds it register the device.",
        ],
    };
}
