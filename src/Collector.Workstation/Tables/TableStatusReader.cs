using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Workstation.Hub;
using Collector.Workstation.Register;

namespace Collector.Workstation.Tables;

/// <summary>
/// <c>collector status --table</c>: per tenant (partition) the device rows, those not yet
/// exported (no <c>Exported_At</c>), those flagged, and by <c>Registration_State</c> (what
/// <c>collector register --table</c> merged in); per stick the rows its captures hold. It
/// reads only the few columns it counts, and needs nothing but read access.
/// </summary>
public static class TableStatusReader
{
    private static readonly string[] Columns =
        ["PartitionKey", "RowKey", "Timestamp", DeviceEntity.ExportedAt, DeviceEntity.Flags, DeviceEntity.StickId, DeviceEntity.RegistrationState];

    public static async Task<(IReadOnlyList<TenantStatus> Tenants, IReadOnlyList<StickStatus> Sticks)> ReadAsync(
        TableClient client, CancellationToken cancellationToken)
    {
        var tenants = new SortedDictionary<string, (long Devices, long WaitingForExport, long Flagged, long Registered, long Pending, long Refused)>(StringComparer.Ordinal);
        var sticks = new Dictionary<Guid, (DateTimeOffset Last, long Rows)>();
        await foreach (var row in client.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
        {
            var t = tenants.GetValueOrDefault(row.PartitionKey);
            var state = row.GetString(DeviceEntity.RegistrationState) ?? "";
            tenants[row.PartitionKey] = (
                t.Devices + 1,
                t.WaitingForExport + (row.ContainsKey(DeviceEntity.ExportedAt) ? 0 : 1),
                t.Flagged + (Warned(row.GetString(DeviceEntity.Flags)) ? 1 : 0),
                t.Registered + (RegistrationStates.IsRegistered(state) ? 1 : 0),
                t.Pending + (state == RegistrationStates.Pending ? 1 : 0),
                t.Refused + (RegistrationStates.IsRefusal(state) ? 1 : 0));

            // Seed rows and imported captures name no stick.
            if (Guid.TryParse(row.GetString(DeviceEntity.StickId), out var stick) && stick != Guid.Empty)
            {
                var s = sticks.GetValueOrDefault(stick, (DateTimeOffset.MinValue, 0));
                var written = row.Timestamp ?? DateTimeOffset.MinValue;
                sticks[stick] = (written > s.Last ? written : s.Last, s.Rows + 1);
            }
        }

        return (
            [.. tenants.Where(t => Guid.TryParse(t.Key, out _))
                .Select(t => new TenantStatus(Guid.Parse(t.Key), t.Value.Devices, null, t.Value.WaitingForExport, t.Value.Flagged)
                {
                    Registered = t.Value.Registered,
                    RegistrationPending = t.Value.Pending,
                    Refused = t.Value.Refused,
                })],
            [.. sticks.OrderByDescending(s => s.Value.Last).Select(s => new StickStatus(s.Key, s.Value.Last, s.Value.Rows, ""))]);
    }

    /// <summary>True when a row's flags hold a warning (not only informational flags such as unpadded-input).</summary>
    private static bool Warned(string? flags) =>
        !string.IsNullOrEmpty(flags) && flags.Split(',').Any(HashFlags.IsWarning);
}
