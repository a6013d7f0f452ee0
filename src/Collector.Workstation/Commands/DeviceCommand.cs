using System.CommandLine;
using System.Globalization;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector device KEY-OR-SERIAL [--hub FILE] [--json]</c>: every capture of a device, newest
/// first, with where each came from (stick, technician, site, method), what the device's clock
/// said and when the hub merged it, and which capture is current, uploaded, exported and
/// registered: the audit trail an 808 (proof of ownership) asks for. A serial several devices
/// share lists each of them.
/// </summary>
public static class DeviceCommand
{
    public sealed record Options(string KeyOrSerial, string? Hub, bool Json);

    /// <summary>One element of the <c>--json</c> array (one per matching device); the property names are a contract.</summary>
    public sealed record JsonDevice(
        string DeviceKey, string Serial, string Manufacturer, string Model, string? SmbiosUuid, IReadOnlyList<JsonCapture> Captures,
        string TenantId, JsonUpload? Uploaded, JsonExport? Exported, DevicesCommand.JsonRegistration? Registration);

    /// <summary>
    /// One capture: <c>capturedAt</c> is the device's clock, <c>effectiveAt</c> the time "newest"
    /// was decided by (the merge time where the clock was implausible, flagged clock-suspect).
    /// </summary>
    public sealed record JsonCapture(
        string CaptureId, DateTimeOffset CapturedAt, DateTimeOffset MergedAt, string StickId, string Technician, string Site, string Method,
        IReadOnlyList<string> Flags, bool Current, DateTimeOffset EffectiveAt, long StickSequence, string GroupTag,
        bool Uploaded, bool Exported, bool? Registered);

    public sealed record JsonUpload(string CaptureId, DateTimeOffset? At);

    public sealed record JsonExport(string CaptureId, DateTimeOffset? At, string? Batch, string? File);

    public static Command Create(WorkstationContext context)
    {
        var keyOrSerial = new Argument<string>("KEY-OR-SERIAL") { Description = "A device key, or a serial (ASCII case ignored)." };
        var hub = SharedOptions.Hub();
        var json = SharedOptions.Json("a JSON array, one object per matching device");
        var command = new Command("device", "Show every capture of a device, newest first: when, where, by whom, and what became of it.")
        {
            keyOrSerial, hub, json,
        };
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(parse.GetValue(keyOrSerial)!, parse.GetValue(hub), parse.GetValue(json)), context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, CancellationToken cancellationToken)
    {
        var path = context.HubPath(options.Hub);
        using var store = HubStore.Open(path, context.Clock, readOnly: true);
        var found = store.DevicesMatching(options.KeyOrSerial);
        cancellationToken.ThrowIfCancellationRequested();
        if (found.Count == 0)
        {
            throw new InvalidInputException(
                $"no device with the key or serial '{DisplayText.Escape(options.KeyOrSerial)}' in the hub {path} ('collector devices' lists them)");
        }

        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, found.Select(ToJson).ToList()).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (found.Count > 1)
        {
            await context.Out.WriteLineAsync($"{found.Count} devices match '{DisplayText.Escape(options.KeyOrSerial)}'.").ConfigureAwait(false);
        }

        foreach (var history in found)
        {
            await WriteAsync(history, context.Out, store.RegistrationRecorded).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static JsonDevice ToJson(DeviceHistory h)
    {
        var (d, p) = (h.Device, h.Device.Progress);
        return new JsonDevice(
            d.DeviceKey, d.Serial, d.Manufacturer, d.Model, h.SmbiosUuid?.ToString("D"),
            [.. h.Captures.Select(c => new JsonCapture(
                c.CaptureId.ToString("D"), c.CapturedAt, c.MergedAt, c.StickId.ToString("D"), c.Technician, c.Site, c.Method, c.Flags,
                c.CaptureId == p.NewestCaptureId, c.EffectiveAt, c.StickSequence, c.GroupTag,
                c.CaptureId == p.UploadedCaptureId, c.CaptureId == p.ExportedCaptureId,
                p.Registration is { } r ? r.CaptureId == c.CaptureId && r.State == HubRegistration.Registered : null))],
            d.TenantId.ToString("D"),
            p.UploadedCaptureId is { } uploaded ? new JsonUpload(uploaded.ToString("D"), p.UploadedAt) : null,
            p.ExportedCaptureId is { } exported ? new JsonExport(exported.ToString("D"), p.ExportedAt, p.ExportBatch, h.ExportFile) : null,
            DevicesCommand.JsonRegistration.From(p.Registration));
    }

    private static async Task WriteAsync(DeviceHistory h, TextWriter o, bool registrationRecorded)
    {
        var (d, p) = (h.Device, h.Device.Progress);
        await o.WriteLineAsync($"Device {DisplayText.Escape(d.DeviceKey)} (tenant {d.TenantId:D})").ConfigureAwait(false);
        await o.WriteLineAsync($"  Serial        {DisplayText.Escape(d.Serial)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Make, model   {DisplayText.Escape($"{d.Manufacturer}, {d.Model}")}").ConfigureAwait(false);
        await o.WriteLineAsync($"  SMBIOS UUID   {h.SmbiosUuid?.ToString("D") ?? "none"}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Uploaded      {Uploaded(p)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Exported      {Exported(h)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Registered    {Registered(p, registrationRecorded)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Captures      {h.Captures.Count}, newest first (* = current: the one uploads and exports use)").ConfigureAwait(false);
        foreach (var c in h.Captures)
        {
            var marks = new List<string>();
            if (c.CaptureId == p.UploadedCaptureId)
            {
                marks.Add("uploaded");
            }

            if (c.CaptureId == p.ExportedCaptureId)
            {
                marks.Add("exported");
            }

            if (p.Registration is { CaptureId: { } registered } r && registered == c.CaptureId)
            {
                marks.Add(r.State);
            }

            var current = c.CaptureId == p.NewestCaptureId;
            await o.WriteLineAsync($"  {(current ? "*" : " ")} {Time(c.EffectiveAt)}  capture {c.CaptureId:D}{(marks.Count > 0 ? $"  [{string.Join(", ", marks)}]" : "")}").ConfigureAwait(false);
            var clock = c.Flags.Contains(HashFlags.ClockSuspect)
                ? $"{Time(c.CapturedAt)} (clock-suspect: the merge time stands in)"
                : Time(c.CapturedAt);
            await o.WriteLineAsync($"      device clock {clock}; merged {Time(c.MergedAt)}").ConfigureAwait(false);
            await o.WriteLineAsync($"      stick {c.StickId:D} #{c.StickSequence}; technician {Name(c.Technician)}; site {Name(c.Site)}; method {DisplayText.Escape(c.Method)}").ConfigureAwait(false);
            if (c.GroupTag.Length > 0)
            {
                await o.WriteLineAsync($"      group tag {DisplayText.Escape(c.GroupTag)}").ConfigureAwait(false);
            }

            foreach (var flag in c.Flags)
            {
                await o.WriteLineAsync($"      flag {DisplayText.Escape(flag)}: {HashFlags.Describe(flag)}").ConfigureAwait(false);
            }
        }
    }

    private static string Uploaded(DeviceProgress p) => p.UploadedCaptureId switch
    {
        null => "no: waiting for upload",
        var id when id == p.NewestCaptureId => $"yes, {Time(p.UploadedAt)}",
        var id => $"an older capture ({id:D}), {Time(p.UploadedAt)}: the current one waits for upload",
    };

    private static string Exported(DeviceHistory h)
    {
        var p = h.Device.Progress;
        var where = $"{Time(p.ExportedAt)}, batch {DisplayText.Escape(p.ExportBatch ?? "?")}{(h.ExportFile is { } file ? $" ({DisplayText.Escape(file)})" : "")}";
        return p.ExportedCaptureId switch
        {
            null => "no: waiting for export",
            var id when id == p.NewestCaptureId => $"yes, {where}",
            var id => $"an older capture ({id:D}), {where}: the current one waits for export",
        };
    }

    private static string Registered(DeviceProgress p, bool recorded) => p.Registration switch
    {
        null => recorded ? "no (never sent to Autopilot by 'collector register')" : "not recorded in this hub (it predates 'collector register')",
        var r => $"{r.State}{(r.At is { } at ? $", {Time(at)}" : "")}{(r.Detail is { } detail ? $": {DisplayText.Escape(detail)}" : "")}",
    };

    private static string Name(string name) => name.Length == 0 ? "(none)" : DisplayText.Escape(name);

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "(time unknown)";
}
