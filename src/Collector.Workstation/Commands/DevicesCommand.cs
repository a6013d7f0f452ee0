using System.CommandLine;
using System.Globalization;
using System.Text;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector devices [--hub FILE] [--tenant GUID] [--serial TEXT] [--flag FLAG]...
/// [--waiting upload|export|registration] [--json]</c>: one line per device of the hub, the
/// filters combined. Streamed: each device is written as SQLite returns it, so 100,000 devices
/// cost no more memory than ten.
/// </summary>
public static class DevicesCommand
{
    public sealed record Options(string? Hub, string? Tenant, string? Serial, IReadOnlyList<string> Flags, WaitingFor? Waiting, bool Json);

    /// <summary>One element of the <c>--json</c> array; the property names are a contract.</summary>
    public sealed record JsonDevice(
        string TenantId, string DeviceKey, string Serial, string Manufacturer, string Model, DateTimeOffset NewestCaptureAt,
        IReadOnlyList<string> Flags, bool WaitingForUpload, DateTimeOffset? UploadedAt, bool WaitingForExport,
        DateTimeOffset? ExportedAt, string? ExportBatch, JsonRegistration? Registration);

    /// <summary>A device's registration; null where the hub records none.</summary>
    public sealed record JsonRegistration(string State, DateTimeOffset? At, string? CaptureId, string? Detail)
    {
        public static JsonRegistration? From(RegistrationState? state) =>
            state is null ? null : new(state.State, state.At, state.CaptureId?.ToString("D"), state.Detail);
    }

    public static Command Create(WorkstationContext context)
    {
        var hub = SharedOptions.Hub();
        var tenant = SharedOptions.Tenant("Only this tenant's devices.");
        var serial = new Option<string>("--serial") { HelpName = "TEXT", Description = "Only devices with this serial (ASCII case ignored)." };
        var flag = new Option<string[]>("--flag")
        {
            HelpName = "FLAG",
            Description = $"Only devices whose newest capture carries FLAG (repeat to require several): {string.Join(", ", HashFlags.All)}.",
        };
        flag.Validators.Add(result =>
        {
            foreach (var unknown in result.GetValueOrDefault<string[]>()?.Where(f => !HashFlags.All.Contains(f)) ?? [])
            {
                result.AddError($"--flag '{DisplayText.Escape(unknown)}' is not a flag; the flags are: {string.Join(", ", HashFlags.All)}");
            }
        });
        var waiting = new Option<string>("--waiting")
        {
            HelpName = "upload|export|registration",
            Description = "Only devices whose newest capture waits for upload to the table, for export to a CSV, or for registration.",
        };
        waiting.AcceptOnlyFromAmong("upload", "export", "registration");
        var json = SharedOptions.Json("a JSON array, one object per device");
        var command = new Command("devices", "List the hub's devices, one line each: newest capture, flags, uploaded, exported, registered.")
        {
            hub, tenant, serial, flag, waiting, json,
        };
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(parse.GetValue(hub), parse.GetValue(tenant), parse.GetValue(serial), parse.GetValue(flag) ?? [],
                parse.GetValue(waiting) is { } w ? Enum.Parse<WaitingFor>(w, ignoreCase: true) : null, parse.GetValue(json)),
            context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, CancellationToken cancellationToken)
    {
        Guid? tenant = options.Tenant is null ? null : CaptureRules.ParseTenant(options.Tenant, "--tenant");
        var path = context.HubPath(options.Hub);
        using var store = HubStore.Open(path, context.Clock, readOnly: true);
        var devices = store.Devices(new DeviceFilter(tenant, options.Serial, options.Flags, options.Waiting));
        if (options.Waiting is WaitingFor.Registration && !store.RegistrationRecorded)
        {
            await context.Error.WriteLineAsync(
                $"{CollectorApp.Name}: this hub predates 'collector register' and records no registration: every device is listed as waiting for it").ConfigureAwait(false);
        }

        return options.Json
            ? await WriteJsonAsync(devices, context.Out, cancellationToken).ConfigureAwait(false)
            : await WriteTextAsync(devices, context.Out, store.RegistrationRecorded, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> WriteJsonAsync(IEnumerable<HubDevice> devices, TextWriter output, CancellationToken cancellationToken)
    {
        var chunk = new OutputChunk(output);
        chunk.Text.Append('[');
        var first = true;
        foreach (var d in devices)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var p = d.Progress;
            chunk.Text.Append(first ? Environment.NewLine : "," + Environment.NewLine).Append(JsonOutput.Serialize(new JsonDevice(
                d.TenantId.ToString("D"), d.DeviceKey, d.Serial, d.Manufacturer, d.Model, d.NewestAt, d.Flags,
                p.WaitingForUpload, p.UploadedAt, p.WaitingForExport, p.ExportedAt, p.ExportBatch, JsonRegistration.From(p.Registration))));
            await chunk.FlushIfFullAsync().ConfigureAwait(false);
            first = false;
        }

        chunk.Text.AppendLine(first ? "]" : Environment.NewLine + "]");
        await chunk.FlushAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<int> WriteTextAsync(IEnumerable<HubDevice> devices, TextWriter output, bool registrationRecorded, CancellationToken cancellationToken)
    {
        var chunk = new OutputChunk(output);
        Guid? tenant = null;
        long count = 0;
        foreach (var d in devices)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (d.TenantId != tenant)
            {
                tenant = d.TenantId;
                chunk.Text.AppendLine(CultureInfo.InvariantCulture, $"Tenant {d.TenantId:D}")
                    .AppendLine(Line("DEVICE KEY", "SERIAL", "MAKE, MODEL", "NEWEST CAPTURE", "UPLOADED", "EXPORTED", "REGISTERED", "FLAGS"));
            }

            chunk.Text.AppendLine(Line(
                DisplayText.Escape(d.DeviceKey), DisplayText.Escape(d.Serial), DisplayText.Escape($"{d.Manufacturer}, {d.Model}"),
                d.NewestAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                d.Progress.WaitingForUpload ? "waiting" : "yes", d.Progress.WaitingForExport ? "waiting" : "yes",
                Registered(d.Progress.Registration), DisplayText.Escape(string.Join(',', d.Flags))));
            await chunk.FlushIfFullAsync().ConfigureAwait(false);
            count++;
        }

        chunk.Text.AppendLine(count == 0
            ? "No device matches."
            : $"{count:N0} device{(count == 1 ? "" : "s")}{(registrationRecorded ? "" : "; this hub predates 'collector register' and records no registration (REGISTERED shows -)")}.");
        await chunk.FlushAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Output gathered into pieces of about 16,000 characters, each written at once: written a
    /// line at a time, 100,000 devices cost 100,000 writes to the console and as many passes of
    /// the redaction, most of the listing's time. Small enough that neither the piece nor the
    /// redaction's copies of it (twice its size in bytes) reach the large-object heap, whose every
    /// allocation counts towards a full collection: with 64,000-character pieces, the finalizer run
    /// by full collections was a fifth of <c>--json</c>'s profile samples; with these, it is gone. Memory stays at one piece, whatever the number of devices.
    /// </summary>
    private sealed class OutputChunk(TextWriter output)
    {
        private const int Size = 16 * 1024;

        public StringBuilder Text { get; } = new(Size * 2);

        public Task FlushIfFullAsync() => Text.Length >= Size ? FlushAsync() : Task.CompletedTask;

        public async Task FlushAsync()
        {
            await output.WriteAsync(Text.ToString()).ConfigureAwait(false);
            Text.Clear();
        }
    }

    /// <summary>Columns padded to fixed widths (a stream cannot measure what is still to come); a longer value pushes the rest along, never cut.</summary>
    private static string Line(string key, string serial, string model, string newest, string uploaded, string exported, string registered, string flags) =>
        $"  {key,-20} {serial,-16} {model,-30} {newest,-16} {uploaded,-8} {exported,-8} {registered,-10} {flags}".TrimEnd();

    /// <summary>How the REGISTERED column shows a registration: "-" where none is recorded.</summary>
    public static string Registered(RegistrationState? registration) => registration?.State switch
    {
        null => "-",
        HubRegistration.Registered => "yes",
        var other => other,
    };
}
