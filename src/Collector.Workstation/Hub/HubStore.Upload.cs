using Collector.Core.Hashing;
using Collector.Core.Storage;

namespace Collector.Workstation.Hub;

/// <summary>
/// A device whose newest capture the table is not known to hold: what sync uploads next.
/// <paramref name="UploadedEtag"/> is the ETag of the row as this hub last wrote or saw it holding
/// <paramref name="UploadedCaptureId"/>; a conditional write with it needs no read first.
/// </summary>
public sealed record PendingUpload(long DeviceId, string DeviceKey, HubCapture Newest, string? UploadedCaptureId, string? UploadedEtag);

/// <summary>
/// What the table holds for one device after a batch: <paramref name="CaptureId"/> (ours, now in
/// the table or superseded there), the row's <paramref name="ETag"/> when it holds exactly that
/// capture (null when the table holds a newer one), and <paramref name="Key"/>, the key of the
/// device's row when the hub files the device under another: its collision key
/// (<c>serial~uuid</c>) when the table holds another device under its serial, or back to its
/// serial when the table holds it there.
/// </summary>
public sealed record UploadRecord(long DeviceId, Guid CaptureId, string? ETag, string? Key = null);

/// <summary>
/// Upload state (design section 5: "the hub records what each device last uploaded"). A device
/// waits for upload while its newest capture is not its uploaded capture. uploaded_capture_id is
/// the newest capture the table is known to hold or to have superseded with a newer one from
/// another desk; uploaded_etag is kept only when the row holds exactly that capture.
/// </summary>
public sealed partial class HubStore
{
    /// <summary>Devices of all tenants whose newest capture the table is not known to hold.</summary>
    public long CountWaitingForUpload() =>
        connection.Scalar<long>(null, "SELECT COUNT(*) FROM devices WHERE newest_capture_id IS NOT uploaded_capture_id");

    /// <summary>The tenants with devices waiting for upload, in order.</summary>
    public IReadOnlyList<Guid> TenantsWaitingForUpload()
    {
        using var command = connection.Command(null,
            "SELECT DISTINCT tenant_id FROM devices WHERE newest_capture_id IS NOT uploaded_capture_id ORDER BY tenant_id");
        using var reader = command.ExecuteReader();
        var tenants = new List<Guid>();
        while (reader.Read())
        {
            tenants.Add(Guid.Parse(reader.GetString(0)));
        }

        return tenants;
    }

    /// <summary>
    /// The next <paramref name="limit"/> devices of <paramref name="tenant"/> waiting for upload,
    /// in device-key order after <paramref name="afterKey"/>: a page, read to the end at once, so
    /// no reader stays open while the batch is recorded.
    /// </summary>
    public IReadOnlyList<PendingUpload> WaitingForUpload(Guid tenant, string? afterKey, int limit)
    {
        // Keyset paging on the (tenant_id, device_key) index: each page starts where the last
        // ended, so 100,000 devices cost one pass, not one pass per page. (An "$after IS NULL OR"
        // here would stop SQLite from seeking on the index.)
        using var command = connection.Command(null, $"""
            SELECT {CaptureRow.NamesOf("c")}, c.effective_at,
                   d.device_id, d.device_key AS filed_key, d.uploaded_capture_id, d.uploaded_etag
            FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
            WHERE d.tenant_id = $tenant AND d.device_key {(afterKey is null ? ">=" : ">")} $after
              AND d.newest_capture_id IS NOT d.uploaded_capture_id
            ORDER BY d.device_key
            LIMIT $limit
            """, ("$tenant", tenant.ToString("D")), ("$after", afterKey ?? ""), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var captures = new CaptureReader(reader);
        int effectiveAt = reader.GetOrdinal("effective_at"), deviceId = reader.GetOrdinal("device_id"), filedKey = reader.GetOrdinal("filed_key"),
            uploadedCaptureId = reader.GetOrdinal("uploaded_capture_id"), uploadedEtag = reader.GetOrdinal("uploaded_etag");
        var page = new List<PendingUpload>(limit);
        while (reader.Read())
        {
            page.Add(new PendingUpload(
                reader.GetInt64(deviceId), reader.GetString(filedKey), new HubCapture(captures.Read(), DbTime.Read(reader.GetString(effectiveAt))),
                reader.IsDBNull(uploadedCaptureId) ? null : reader.GetString(uploadedCaptureId),
                reader.IsDBNull(uploadedEtag) ? null : reader.GetString(uploadedEtag)));
        }

        return page;
    }

    /// <summary>
    /// How many devices of <paramref name="tenant"/> the hub knows with keys from
    /// <paramref name="fromKey"/> to <paramref name="toKey"/>: a range query over those keys
    /// returns at least that many rows, so sync reads back by range only where this is small.
    /// </summary>
    public long CountDevicesBetween(Guid tenant, string fromKey, string toKey) =>
        connection.Scalar<long>(null, "SELECT COUNT(*) FROM devices WHERE tenant_id = $tenant AND device_key BETWEEN $from AND $to",
            ("$tenant", tenant.ToString("D")), ("$from", fromKey), ("$to", toKey));

    /// <summary>True when a device of <paramref name="tenant"/> other than <paramref name="deviceId"/> has <paramref name="deviceKey"/>.</summary>
    public bool DeviceKeyTakenByAnother(Guid tenant, string deviceKey, long deviceId) =>
        connection.Scalar<long>(null, "SELECT EXISTS (SELECT 1 FROM devices WHERE tenant_id = $tenant AND device_key = $key AND device_id <> $device)",
            ("$tenant", tenant.ToString("D")), ("$key", deviceKey), ("$device", deviceId)) == 1;

    /// <summary>
    /// Records, in one transaction, what the table now holds for each device of a finished batch.
    /// A device whose row is under another key than the hub's moves to it, here and in its
    /// captures (flagged <c>serial-collision</c> under a collision key, unflagged under its serial),
    /// so later merges keep it there: the hub's keys become the table's.
    /// </summary>
    public void RecordUploads(IReadOnlyCollection<UploadRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        var now = DbTime.Write(clock.GetUtcNow());
        SqliteFailures.Try(Path, "record what was uploaded", () =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            foreach (var record in records)
            {
                if (record.Key is { } key)
                {
                    Rekey(record.DeviceId, key);
                }

                statements.Get("""
                    UPDATE devices SET uploaded_capture_id = $capture, uploaded_etag = $etag, uploaded_at = $now
                    WHERE device_id = $device
                    """).Bind("$capture", record.CaptureId.ToString("D")).Bind("$etag", record.ETag).Bind("$now", now)
                    .Bind("$device", record.DeviceId).Execute();
            }

            transaction.Commit();
        });
    }

    /// <summary>
    /// Files device <paramref name="deviceId"/> and its captures under <paramref name="key"/>. A
    /// device of the hub already there is not the one the table holds there (the table's row
    /// there is this one's, and a row never changes device): it steps aside to its own collision
    /// key and waits for upload again, so its next upload finds its row, as two desks that met two
    /// devices sharing a serial in opposite orders swap their keys to the table's.
    /// </summary>
    private void Rekey(long deviceId, string key)
    {
        var holder = statements.Get("""
            SELECT other.device_id, other.smbios_uuid FROM devices other JOIN devices moving ON moving.device_id = $device
            WHERE other.tenant_id = moving.tenant_id AND other.device_key = $key AND other.device_id <> $device
            """).Bind("$device", deviceId).Bind("$key", key);
        (long Id, string? Uuid)? aside = holder.Read() ? (holder.GetInt64(0), holder.GetNullableString(1)) : null;
        holder.Reset();
        if (aside is { } other)
        {
            var uuid = other.Uuid is null ? (Guid?)null : Guid.Parse(other.Uuid);
            var serialKey = DeviceIdentity.SerialKeyOf(key, uuid);
            var parking = DeviceIdentity.CollisionKey(serialKey, uuid);
            MoveDevice(other.Id, parking == key ? $"{parking}~{other.Id}" : parking, collision: true);
            statements.Get("UPDATE devices SET uploaded_capture_id = NULL, uploaded_etag = NULL, uploaded_at = NULL WHERE device_id = $device")
                .Bind("$device", other.Id).Execute();
        }

        var own = statements.Get("SELECT smbios_uuid FROM devices WHERE device_id = $device").Bind("$device", deviceId);
        var ownUuid = own.Read() ? own.GetNullableString(0) : null;
        own.Reset();
        var collision = key != DeviceIdentity.SerialKeyOf(key, ownUuid is null ? null : Guid.Parse(ownUuid));
        MoveDevice(deviceId, key, collision);
    }

    private void MoveDevice(long deviceId, string key, bool collision)
    {
        statements.Get("UPDATE devices SET device_key = $key WHERE device_id = $device").Bind("$key", key).Bind("$device", deviceId).Execute();
        statements.Get(collision
                ? """
                  UPDATE captures SET device_key = $key,
                      flags = CASE WHEN flags = '' THEN $flag
                                   WHEN ',' || flags || ',' LIKE '%,' || $flag || ',%' THEN flags
                                   ELSE flags || ',' || $flag END
                  WHERE device_id = $device
                  """
                : """
                  UPDATE captures SET device_key = $key,
                      flags = trim(replace(',' || flags || ',', ',' || $flag || ',', ','), ',')
                  WHERE device_id = $device
                  """)
            .Bind("$key", key).Bind("$flag", HashFlags.SerialCollision).Bind("$device", deviceId).Execute();
    }

    /// <summary>
    /// Makes <paramref name="target"/> (a table's address, no secret) the one the upload state
    /// refers to. When the hub last uploaded to another table, every device's upload state is
    /// cleared, so the new table receives every device. Returns true when it was cleared.
    /// </summary>
    public bool UseUploadTarget(string target) => SqliteFailures.Try(Path, "record the upload target", () =>
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var previous = connection.Scalar<string?>(transaction, "SELECT target FROM upload_target WHERE singleton = 1");
        var changed = previous is not null && previous != target;
        if (previous != target)
        {
            connection.Execute(transaction, """
                INSERT INTO upload_target (singleton, target, since) VALUES (1, $target, $now)
                ON CONFLICT (singleton) DO UPDATE SET target = $target, since = $now
                """, ("$target", target), ("$now", DbTime.Write(clock.GetUtcNow())));
        }

        if (changed)
        {
            connection.Execute(transaction, "UPDATE devices SET uploaded_capture_id = NULL, uploaded_etag = NULL, uploaded_at = NULL");
        }

        transaction.Commit();
        return changed;
    });
}
