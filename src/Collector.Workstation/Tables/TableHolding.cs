using Collector.Workstation.Hub;

namespace Collector.Workstation.Tables;

/// <summary>
/// Which devices the table holds with the newest capture the hub has of them, asked of the table
/// itself rather than taken from the hub's record of its uploads (<c>collector stick clear
/// --uploaded</c>): a row may have been deleted or replaced since this hub wrote it, and a clear
/// removes the stick's copy for good. Read as sync reads back (<see cref="TableRowReader"/>):
/// a few short properties per row, never the hash, in groups of keys.
/// </summary>
public sealed class TableHolding(TableConnection table, HubStore hub)
{
    private const int KeysPerRead = 100;
    private readonly TableRowReader reader = new(table.Client);

    /// <summary>
    /// The devices among <paramref name="devices"/> whose table row holds their newest capture
    /// (by <c>Capture_Id</c>; a row the seed script wrote carries none, so it never counts).
    /// </summary>
    public async Task<HashSet<(Guid Tenant, string DeviceKey)>> HoldingAsync(IEnumerable<HeldCapture> devices, CancellationToken cancellationToken)
    {
        var holding = new HashSet<(Guid, string)>();
        foreach (var tenant in devices.GroupBy(d => d.TenantId))
        {
            var partition = DeviceEntity.PartitionKey(tenant.Key);
            var wanted = tenant.DistinctBy(d => d.DeviceKey)
                .Where(d => DeviceEntity.EncodeRowKey(d.DeviceKey).Length <= DeviceEntity.MaxKeyLength) // a longer key was never uploaded
                .OrderBy(d => DeviceEntity.EncodeRowKey(d.DeviceKey), StringComparer.Ordinal);
            foreach (var chunk in wanted.Chunk(KeysPerRead))
            {
                var byRowKey = chunk.ToDictionary(d => DeviceEntity.EncodeRowKey(d.DeviceKey), StringComparer.Ordinal);
                var keys = chunk.Select(d => d.DeviceKey).Order(StringComparer.Ordinal).ToList();
                var known = keys.Count >= 3 ? hub.CountDevicesBetween(tenant.Key, keys[0], keys[^1]) : 0;
                var rows = await table.CallAsync(TableOperation.Read,
                    () => reader.ReadAsync(partition, byRowKey.Keys, known, cancellationToken), cancellationToken).ConfigureAwait(false);
                foreach (var (rowKey, device) in byRowKey)
                {
                    if (rows.TryGetValue(rowKey, out var row) && row.CaptureId == device.NewestCaptureId)
                    {
                        holding.Add((device.TenantId, device.DeviceKey));
                    }
                }
            }
        }

        return holding;
    }
}
