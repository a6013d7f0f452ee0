using System.CommandLine;
using Collector.Core.Storage;

namespace Collector.Workstation.Commands;

/// <summary><c>collector status [--hub FILE] [--json]</c>: per tenant and per stick, what the hub holds and what waits.</summary>
public static class StatusCommand
{
    public sealed record Options(string? Hub, bool Json);

    public sealed record JsonStatus(IReadOnlyList<JsonTenant> Tenants, IReadOnlyList<JsonStick> Sticks);

    public sealed record JsonTenant(string TenantId, long Devices, long? WaitingForUpload, long WaitingForExport, long Flagged);

    public sealed record JsonStick(string StickId, DateTimeOffset LastMerged, long Captures, string LastPath);

    public static Command Create(WorkstationContext context)
    {
        var hub = new Option<string>("--hub") { Description = "The hub database (default: COLLECTOR_HUB, else the user's local application data)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("status", "Show devices, uploads and exports waiting, per tenant and per stick.") { hub, json };
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(new Options(parse.GetValue(hub), parse.GetValue(json)), context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, CancellationToken cancellationToken)
    {
        var path = context.HubPath(options.Hub);
        using var store = HubStore.Open(path, context.Clock, readOnly: true);
        var tenants = store.TenantStatuses();
        var sticks = store.StickStatuses();
        cancellationToken.ThrowIfCancellationRequested();

        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, new JsonStatus(
                [.. tenants.Select(t => new JsonTenant(t.TenantId.ToString("D"), t.Devices, t.WaitingForUpload, t.WaitingForExport, t.Flagged))],
                [.. sticks.Select(s => new JsonStick(s.StickId.ToString("D"), s.LastMergedAt, s.Captures, s.LastPath))])).ConfigureAwait(false);
            return 0;
        }

        var o = context.Out;
        await o.WriteLineAsync($"Hub {path}").ConfigureAwait(false);
        if (tenants.Count == 0)
        {
            await o.WriteLineAsync("  no devices yet: run 'collector sync PATH' with a stick").ConfigureAwait(false);
        }

        foreach (var t in tenants)
        {
            await o.WriteLineAsync($"Tenant {t.TenantId:D}").ConfigureAwait(false);
            await o.WriteLineAsync($"  devices              {t.Devices,8:N0}").ConfigureAwait(false);
            await o.WriteLineAsync($"  waiting for upload   {t.WaitingForUpload,8:N0}").ConfigureAwait(false);
            await o.WriteLineAsync($"  waiting for export   {t.WaitingForExport,8:N0}").ConfigureAwait(false);
            await o.WriteLineAsync($"  flagged              {t.Flagged,8:N0}").ConfigureAwait(false);
        }

        foreach (var s in sticks)
        {
            await o.WriteLineAsync($"Stick {s.StickId:D}: {s.Captures:N0} captures, last merged {s.LastMergedAt:yyyy-MM-dd HH:mm} UTC from {s.LastPath}").ConfigureAwait(false);
        }

        return 0;
    }
}
