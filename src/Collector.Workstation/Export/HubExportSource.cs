using System.Runtime.CompilerServices;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Export;

/// <summary>Exports from the hub: newest capture per device, marked in the hub's devices and exports tables.</summary>
public sealed class HubExportSource(HubStore hub, Guid? tenant, bool all) : IExportSource
{
    public string Description => $"hub {hub.Path}";

    public long RegisteredLeftOut { get; private set; }

    public async IAsyncEnumerable<ExportDevice> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        RegisteredLeftOut = all ? 0 : hub.CountRegisteredWaitingForExport(tenant);
        foreach (var c in hub.ExportCandidates(tenant, all))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ExportDevice(c.TenantId, c.DeviceKey, c.Serial, c.HardwareHash, c.GroupTag, c.AssignedUser, c.Flags,
                new ExportSourceRef(c.TenantId.ToString("D"), c.DeviceKey, c.CaptureId.ToString("D")));
        }
    }

    public bool IsBatchNameTaken(string batch) => hub.ExportBatchExists(batch);

    public Task<ExportMarkResult> MarkAsync(ExportBatch devices, string batch, string file, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        // The hub writer lock is held for the whole export, so nothing changed since reading.
        hub.MarkExported(batch, devices.TenantId, file,
            [.. devices.Devices.Select(d => (d.Source.RowKey, Guid.Parse(d.Source.Version)))], writtenAt);
        return Task.FromResult(new ExportMarkResult(devices.Devices.Count, []));
    }

    public ValueTask DisposeAsync()
    {
        hub.Dispose();
        return ValueTask.CompletedTask;
    }
}
