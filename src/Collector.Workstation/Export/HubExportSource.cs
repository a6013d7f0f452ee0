using System.Runtime.CompilerServices;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Export;

/// <summary>Exports from the hub: newest capture per device, marked per format in the hub (devices and exports tables; device_exports for the formats after the Autopilot CSV).</summary>
public sealed class HubExportSource(HubStore hub, Guid? tenant, bool all, ExportFormat? format = null) : IExportSource
{
    private readonly string formatName = (format ?? ExportFormat.Autopilot).Name;

    public string Description => $"hub {hub.Path}";

    public long RegisteredLeftOut { get; private set; }

    public async IAsyncEnumerable<ExportDevice> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        RegisteredLeftOut = all ? 0 : hub.CountRegisteredWaitingForExport(tenant, formatName);
        foreach (var c in hub.ExportCandidates(tenant, all, formatName))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ExportDevice(c.TenantId, c.DeviceKey, c.Serial, c.HardwareHash, c.GroupTag, c.AssignedUser, c.Flags,
                new ExportSourceRef(c.TenantId.ToString("D"), c.DeviceKey, c.CaptureId.ToString("D")))
            {
                Manufacturer = c.Manufacturer,
                Model = c.Model,
            };
        }
    }

    public bool IsBatchNameTaken(string batch) => hub.ExportBatchExists(batch);

    public Task<ExportMarkResult> MarkAsync(ExportBatch devices, string batch, string file, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        // The hub writer lock is held for the whole export, so nothing changed since reading.
        hub.MarkExported(batch, devices.TenantId, file,
            [.. devices.Devices.Select(d => (d.Source.RowKey, Guid.Parse(d.Source.Version)))], writtenAt, formatName);
        return Task.FromResult(new ExportMarkResult(devices.Devices.Count, []));
    }

    public ValueTask DisposeAsync()
    {
        hub.Dispose();
        return ValueTask.CompletedTask;
    }
}
