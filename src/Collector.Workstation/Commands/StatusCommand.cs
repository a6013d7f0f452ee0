using System.CommandLine;
using Collector.Core.Errors;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector status [--hub FILE | --table [TARGET]] [--table-name NAME] [--json]</c>: per tenant
/// and per stick, what the hub (or the table) holds and what waits. It only reads: no lock, no
/// write, no network. The hub's "waiting for upload" is counted against the table sync would
/// upload to — COLLECTOR_TABLE (with --table-name for a connection string), as sync takes it —
/// and where the hub never uploaded there, every device waits, as sync would then send every one.
/// Without COLLECTOR_TABLE it is counted against the table the hub last uploaded to.
/// </summary>
public static class StatusCommand
{
    /// <param name="UseTable">True when <c>--table</c> was given, with or without a value.</param>
    public sealed record Options(string? Hub, bool UseTable, string? Table, string? TableName, bool Json);

    /// <param name="UploadTable">The table the hub's waitingForUpload is counted against (its address, no secret); null for none, and with --table.</param>
    public sealed record JsonStatus(IReadOnlyList<JsonTenant> Tenants, IReadOnlyList<JsonStick> Sticks, string? UploadTable);

    /// <param name="Registered">Devices in Autopilot (registered, or already there); null for a hub older than schema 3.</param>
    /// <param name="RegistrationPending">Devices imported whose answer has not been read yet (the next register polls them).</param>
    /// <param name="Refused">Devices Autopilot refused (another tenant's, or an invalid hash).</param>
    public sealed record JsonTenant(string TenantId, long Devices, long? WaitingForUpload, long WaitingForExport, long Flagged,
        long? Registered, long? RegistrationPending, long? Refused);

    public sealed record JsonStick(string StickId, DateTimeOffset LastMerged, long Captures, string LastPath);

    public static Command Create(WorkstationContext context)
    {
        var hub = SharedOptions.Hub();
        var table = SharedOptions.SourceTable("Show an Azure table instead of the hub (a SAS needs r)");
        var tableName = SharedOptions.TableName();
        var json = SharedOptions.Json("one JSON object: tenants, sticks");
        var command = new Command("status", "Show devices, uploads and exports waiting, per tenant and per stick.") { hub, table, tableName, json };
        command.Validators.Add(result =>
        {
            if (result.GetResult(hub) is not null && result.GetResult(table) is not null)
            {
                result.AddError("--hub and --table each name what to show: give one of them");
            }
        });
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(parse.GetValue(hub), parse.GetResult(table) is not null, parse.GetValue(table), parse.GetValue(tableName), parse.GetValue(json)),
            context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, CancellationToken cancellationToken)
    {
        string source;
        IReadOnlyList<TenantStatus> tenants;
        IReadOnlyList<StickStatus> sticks;
        UploadCounting? uploads = null;
        if (options.UseTable)
        {
            var target = TableTarget.ResolveGiven(options.Table, options.TableName, context);
            source = target.ToString();
            (tenants, sticks) = await ReadTableAsync(target, context, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Parsed before the hub is read, as sync does: a COLLECTOR_TABLE it could not use is exit 2.
            var configured = TableTarget.Resolve(null, options.TableName, context);
            var path = context.HubPath(options.Hub);
            source = $"hub {path}";
            using var store = HubStore.Open(path, context.Clock, readOnly: true);
            uploads = UploadCounting.For(configured, store.UploadTarget(), context);
            (tenants, sticks) = (store.TenantStatuses(), store.StickStatuses());
            if (!uploads.StateApplies)
            {
                tenants = [.. tenants.Select(t => t with { WaitingForUpload = t.Devices })];
            }
        }

        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, new JsonStatus(
                [.. tenants.Select(t => new JsonTenant(t.TenantId.ToString("D"), t.Devices, t.WaitingForUpload, t.WaitingForExport, t.Flagged,
                    t.Registered, t.RegistrationPending, t.Refused))],
                [.. sticks.Select(s => new JsonStick(s.StickId.ToString("D"), s.LastMergedAt, s.Captures, s.LastPath))],
                uploads?.Address)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var o = context.Out;
        await o.WriteLineAsync(char.ToUpperInvariant(source[0]) + source[1..]).ConfigureAwait(false);
        if (uploads is not null)
        {
            await o.WriteLineAsync(uploads.Description).ConfigureAwait(false);
        }

        if (tenants.Count == 0)
        {
            await o.WriteLineAsync("  no devices yet: run 'collector sync PATH' with a stick").ConfigureAwait(false);
        }

        foreach (var t in tenants)
        {
            await o.WriteLineAsync($"Tenant {t.TenantId:D}").ConfigureAwait(false);
            await o.WriteLineAsync($"  devices              {t.Devices,8:N0}").ConfigureAwait(false);
            if (t.WaitingForUpload is { } waiting)
            {
                await o.WriteLineAsync($"  waiting for upload   {waiting,8:N0}").ConfigureAwait(false);
            }

            await o.WriteLineAsync($"  waiting for export   {t.WaitingForExport,8:N0}").ConfigureAwait(false);
            await o.WriteLineAsync($"  flagged              {t.Flagged,8:N0}").ConfigureAwait(false);
            if (t.Registered is { } registered)
            {
                await o.WriteLineAsync($"  registered           {registered,8:N0}").ConfigureAwait(false);
                await o.WriteLineAsync($"  pending in Autopilot {t.RegistrationPending ?? 0,8:N0}").ConfigureAwait(false);
                await o.WriteLineAsync($"  refused by Autopilot {t.Refused ?? 0,8:N0}").ConfigureAwait(false);
            }
        }

        foreach (var s in sticks)
        {
            await o.WriteLineAsync(!options.UseTable
                ? $"Stick {s.StickId:D}: {s.Captures:N0} captures, last merged {s.LastMergedAt:yyyy-MM-dd HH:mm} UTC from {Core.Captures.DisplayText.Escape(s.LastPath)}"
                : $"Stick {s.StickId:D}: {s.Captures:N0} device rows hold its captures, last written {s.LastMergedAt:yyyy-MM-dd HH:mm} UTC").ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static async Task<(IReadOnlyList<TenantStatus>, IReadOnlyList<StickStatus>)> ReadTableAsync(
        TableTarget target, WorkstationContext context, CancellationToken cancellationToken)
    {
        var table = TableClients.Default().Connect(target, TableUse.Status, context.Clock, context.Error);
        return await table.CallAsync(TableOperation.Read, () => TableStatusReader.ReadAsync(table.Client, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Which table the hub's "waiting for upload" is counted against, and whether the hub's upload
    /// state is about that table (when it is not, sync would upload every device there).
    /// </summary>
    private sealed record UploadCounting(string? Address, bool StateApplies, string Description)
    {
        public static UploadCounting For(TableTarget? configured, string? recorded, WorkstationContext context)
        {
            if (configured is null)
            {
                return recorded is null
                    ? new(null, true, $"Uploads: no table yet ({TableTarget.EnvironmentVariable} is not set): every device waits for upload")
                    : new(recorded, true, $"Uploads: counted against {recorded}, the table this hub last uploaded to ({TableTarget.EnvironmentVariable} is not set)");
            }

            // The client is only made, never called: its address is what sync records.
            var address = TableClients.Default().Connect(configured, TableUse.Status, context.Clock).Address;
            return address == recorded
                ? new(address, true, $"Uploads: counted against {configured} ({TableTarget.EnvironmentVariable})")
                : new(address, false, $"Uploads: counted against {configured} ({TableTarget.EnvironmentVariable}), which this hub has not uploaded to: sync would upload every device there");
        }
    }
}
