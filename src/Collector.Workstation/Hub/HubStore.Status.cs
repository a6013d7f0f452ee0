using Collector.Core.Hashing;
using Collector.Core.Storage;

namespace Collector.Workstation.Hub;

/// <summary>
/// One tenant's devices and what waits on them. <see cref="WaitingForUpload"/> is null where it
/// has no meaning: a table is itself what is uploaded to. The registration counts (devices in
/// Autopilot, still pending, refused by it) are null where they are not known: a hub older
/// than schema 3, read as it is.
/// </summary>
public sealed record TenantStatus(Guid TenantId, long Devices, long? WaitingForUpload, long WaitingForExport, long Flagged)
{
    public long? Registered { get; init; }

    public long? RegistrationPending { get; init; }

    public long? Refused { get; init; }
}

/// <summary>
/// One stick: when the hub last merged it, from where, and how many captures it brought (from a
/// table: when a device row from it was last written, and how many rows hold its captures).
/// </summary>
public sealed record StickStatus(Guid StickId, DateTimeOffset LastMergedAt, long Captures, string LastPath);

/// <summary>The queries behind <c>collector status</c>.</summary>
public sealed partial class HubStore
{
    /// <summary>
    /// Per tenant: devices, waiting for upload, waiting for export, flagged (newest capture has a
    /// warning), and by registration (schema 3 on). Flags are stored as a comma list; the only
    /// informational one, unpadded-input, comes last of the codec's, so a capture carrying nothing
    /// else stores exactly that name.
    /// </summary>
    public IReadOnlyList<TenantStatus> TenantStatuses()
    {
        var registrations = RegistrationCountsByTenant().ToDictionary(r => r.TenantId);
        using var command = connection.Command(null, """
            SELECT d.tenant_id, COUNT(*),
                   SUM(d.newest_capture_id IS NOT d.uploaded_capture_id),
                   SUM(d.newest_capture_id IS NOT d.exported_capture_id),
                   SUM(c.flags NOT IN ('', $informational))
            FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
            GROUP BY d.tenant_id ORDER BY d.tenant_id
            """, ("$informational", HashFlags.UnpaddedInput));
        using var reader = command.ExecuteReader();
        var list = new List<TenantStatus>();
        while (reader.Read())
        {
            var tenant = Guid.Parse(reader.GetString(0));
            var registered = registrations.GetValueOrDefault(tenant);
            var known = RegistrationRecorded;
            list.Add(new TenantStatus(tenant, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4))
            {
                Registered = known ? registered?.Registered ?? 0 : null,
                RegistrationPending = known ? registered?.Pending ?? 0 : null,
                Refused = known ? registered?.Refused ?? 0 : null,
            });
        }

        return list;
    }

    /// <summary>
    /// The table this hub's upload state refers to (its address, <see cref="UseUploadTarget"/>);
    /// null when it never uploaded. A hub of schema 1 that never synced to a table has no such
    /// table, and a reader leaves it so.
    /// </summary>
    public string? UploadTarget() =>
        connection.Scalar<long>(null, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'upload_target'") == 0
            ? null
            : connection.Scalar<string?>(null, "SELECT target FROM upload_target WHERE singleton = 1");

    /// <summary>Every stick merged, most recently merged first.</summary>
    public IReadOnlyList<StickStatus> StickStatuses()
    {
        using var command = connection.Command(null,
            "SELECT stick_id, last_merged_at, captures, last_path FROM sticks ORDER BY last_merged_at DESC, stick_id");
        using var reader = command.ExecuteReader();
        var list = new List<StickStatus>();
        while (reader.Read())
        {
            list.Add(new StickStatus(Guid.Parse(reader.GetString(0)), DbTime.Read(reader.GetString(1)), reader.GetInt64(2), reader.GetString(3)));
        }

        return list;
    }
}
