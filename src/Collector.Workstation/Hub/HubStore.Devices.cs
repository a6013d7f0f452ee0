using Collector.Core.Errors;
using Collector.Core.Storage;

namespace Collector.Workstation.Hub;

/// <summary>What a device waits for: its newest capture is not yet uploaded, exported or registered.</summary>
public enum WaitingFor
{
    Upload,
    Export,
    Registration,
}

/// <summary>
/// Which devices <c>collector devices</c> lists; every filter given must hold (they combine).
/// <paramref name="Serial"/> matches the serial in the hash, ignoring ASCII case and surrounding
/// blanks; each of <paramref name="Flags"/> must be on the device's newest capture.
/// </summary>
public sealed record DeviceFilter(Guid? Tenant = null, string? Serial = null, IReadOnlyList<string>? Flags = null, WaitingFor? Waiting = null);

/// <summary>
/// Where a device stands: its newest capture, and which capture the table, the last export and
/// registration hold. The hub keeps only the latest upload and export of a device, not earlier ones.
/// </summary>
public sealed record DeviceProgress(
    Guid NewestCaptureId, Guid? UploadedCaptureId, DateTimeOffset? UploadedAt,
    Guid? ExportedCaptureId, DateTimeOffset? ExportedAt, string? ExportBatch, RegistrationState? Registration)
{
    public bool WaitingForUpload => UploadedCaptureId != NewestCaptureId;

    public bool WaitingForExport => ExportedCaptureId != NewestCaptureId;
}

/// <summary>One device as <c>collector devices</c> lists it: its newest capture's make, model, time (the one "newest" is decided by) and flags.</summary>
public sealed record HubDevice(
    Guid TenantId, string DeviceKey, string Serial, string Manufacturer, string Model, DateTimeOffset NewestAt,
    IReadOnlyList<string> Flags, DeviceProgress Progress);

/// <summary>
/// One capture in a device's history: the device's clock (<paramref name="CapturedAt"/>), the
/// time "newest" was decided by (<paramref name="EffectiveAt"/>: the merge time where the clock
/// was implausible, flagged <c>clock-suspect</c>) and when it reached the hub.
/// </summary>
public sealed record HistoryCapture(
    Guid CaptureId, DateTimeOffset CapturedAt, DateTimeOffset EffectiveAt, DateTimeOffset MergedAt, Guid StickId, long StickSequence,
    string Technician, string Site, string Method, string GroupTag, string Manufacturer, string Model, IReadOnlyList<string> Flags);

/// <summary>Every capture of one device, newest first, with where the device stands; <paramref name="ExportFile"/> is the file of its last export batch.</summary>
public sealed record DeviceHistory(HubDevice Device, Guid? SmbiosUuid, string? ExportFile, IReadOnlyList<HistoryCapture> Captures);

/// <summary>The queries behind <c>collector devices</c> and <c>collector device</c>.</summary>
public sealed partial class HubStore
{
    /// <summary>True when this hub's schema records registration (a reader leaves an older hub as it is).</summary>
    internal bool RegistrationRecorded => OpenedVersion >= HubSchema.RegistrationsSince;

    private string DeviceColumns => $"""
        d.device_id, d.tenant_id, d.device_key, d.serial, d.smbios_uuid, c.manufacturer, c.model, c.effective_at, c.flags,
        d.newest_capture_id, d.uploaded_capture_id, d.uploaded_at, d.exported_capture_id, d.exported_at, d.export_batch,
        {HubRegistration.Columns(RegistrationRecorded)}
        """;

    /// <summary>
    /// The devices <paramref name="filter"/> selects, in tenant and device-key order, read one at
    /// a time from SQLite as the caller goes (nothing is gathered in memory: the index on
    /// (tenant, device key) gives the order).
    /// </summary>
    public IEnumerable<HubDevice> Devices(DeviceFilter filter)
    {
        var conditions = new List<string> { "($tenant IS NULL OR d.tenant_id = $tenant)", "($serial IS NULL OR trim(d.serial) = $serial COLLATE NOCASE)" };
        var parameters = new List<(string, string?)> { ("$tenant", filter.Tenant?.ToString("D")), ("$serial", filter.Serial?.Trim()) };
        foreach (var (flag, i) in (filter.Flags ?? []).Select((f, i) => (f, i)))
        {
            conditions.Add($"instr(',' || c.flags || ',', ',' || $flag{i} || ',') > 0");
            parameters.Add(($"$flag{i}", flag));
        }

        conditions.Add(filter.Waiting switch
        {
            WaitingFor.Upload => "d.newest_capture_id IS NOT d.uploaded_capture_id",
            WaitingFor.Export => "d.newest_capture_id IS NOT d.exported_capture_id",
            WaitingFor.Registration => HubRegistration.WaitingCondition(RegistrationRecorded),
            _ => "1",
        });

        return ReadDevices($"""
            SELECT {DeviceColumns}
            FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
            {HubRegistration.Join(RegistrationRecorded)}
            WHERE {string.Join("\n  AND ", conditions)}
            ORDER BY d.tenant_id, d.device_key
            """, [.. parameters], (device, _) => device);
    }

    /// <summary>
    /// Every device whose key is <paramref name="keyOrSerial"/>, or whose serial is (ignoring
    /// ASCII case and surrounding blanks): one serial may be several devices (serial reuse, or
    /// several tenants). Each with all its captures, newest first; empty when none matches.
    /// </summary>
    public IReadOnlyList<DeviceHistory> DevicesMatching(string keyOrSerial) =>
        Histories("d.device_key = $query OR trim(d.serial) = trim($query) COLLATE NOCASE", ("$query", keyOrSerial));

    /// <summary>One device of a tenant by its key (an indexed lookup), with its history; null when there is none.</summary>
    public DeviceHistory? HistoryOf(Guid tenant, string deviceKey) =>
        Histories("d.tenant_id = $tenant AND d.device_key = $key", ("$tenant", tenant.ToString("D")), ("$key", deviceKey)).SingleOrDefault();

    private List<DeviceHistory> Histories(string condition, params (string Name, string? Value)[] parameters)
    {
        var found = ReadDevices($"""
            SELECT {DeviceColumns}, e.file AS export_file
            FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
                LEFT JOIN exports e ON e.batch = d.export_batch
            {HubRegistration.Join(RegistrationRecorded)}
            WHERE {condition}
            ORDER BY d.tenant_id, d.device_key
            """, parameters, (device, row) => (Device: device, Id: row.GetInt64(0), Uuid: NullableId(row, 4),
                ExportFile: row.GetNullableString(row.Ordinal("export_file")))).ToList();
        return [.. found.Select(f => new DeviceHistory(f.Device, f.Uuid, f.ExportFile, History(f.Id)))];
    }

    /// <summary>Every capture of one device, newest first: latest effective time, then the higher stick sequence, then capture id (as merge decides).</summary>
    private List<HistoryCapture> History(long deviceId)
    {
        using var command = connection.Command(null, """
            SELECT capture_id, captured_at, effective_at, merged_at, stick_id, seq, technician, site, method, group_tag, manufacturer, model, flags
            FROM captures WHERE device_id = $device
            ORDER BY effective_at DESC, seq DESC, capture_id DESC
            """, ("$device", deviceId));
        return SqliteFailures.Try(Path, "read the device's captures", () =>
        {
            using var reader = command.ExecuteReader();
            var captures = new List<HistoryCapture>();
            while (reader.Read())
            {
                captures.Add(ReadOrRefuse(() => new HistoryCapture(
                    Guid.Parse(reader.GetString(0)), DbTime.Read(reader.GetString(1)), DbTime.Read(reader.GetString(2)), DbTime.Read(reader.GetString(3)),
                    Guid.Parse(reader.GetString(4)), reader.GetInt64(5), reader.GetString(6), reader.GetString(7), reader.GetString(8),
                    reader.GetString(9), reader.GetString(10), reader.GetString(11), CaptureRow.ReadFlags(reader.GetString(12)))));
            }

            return captures;
        });
    }

    /// <summary>
    /// Streams the devices a query selects (<see cref="DeviceColumns"/> first), each made into a
    /// <typeparamref name="T"/> with its row. Through <see cref="RawStatement"/>: read through
    /// Microsoft.Data.Sqlite, 100,000 rows spent most of their time in its per-column checks.
    /// </summary>
    private IEnumerable<T> ReadDevices<T>(string sql, (string Name, string? Value)[] parameters, Func<HubDevice, RawStatement, T> make)
    {
        using var row = SqliteFailures.Try(Path, "read the devices", () => new RawStatement(connection, sql));
        foreach (var (name, value) in parameters)
        {
            row.Bind(name, value);
        }

        var registration = new HubRegistration.Reader(row);
        while (SqliteFailures.Try(Path, "read the devices", row.Read))
        {
            yield return make(ReadOrRefuse(() => new HubDevice(
                Guid.Parse(row.GetUtf8(1)), row.GetString(2), row.GetString(3), row.GetString(5), row.GetString(6), Time(row, 7)!.Value,
                CaptureRow.ReadFlags(row.GetString(8)),
                new DeviceProgress(
                    Guid.Parse(row.GetUtf8(9)), NullableId(row, 10), Time(row, 11), NullableId(row, 12), Time(row, 13), row.GetNullableString(14),
                    registration.Read()))), row);
        }
    }

    private static Guid? NullableId(RawStatement row, int column) => row.IsNull(column) ? null : Guid.Parse(row.GetUtf8(column));

    private static DateTimeOffset? Time(RawStatement row, int column) => row.IsNull(column) ? null : DbTime.Read(row.GetString(column));

    /// <summary>A row whose ids or times do not parse was not written by a collector: say so once, as a storage error.</summary>
    private T ReadOrRefuse<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FormatException e)
        {
            throw new StorageException($"the hub {Path} holds a row that does not parse ({e.Message}); was it edited by hand?", e);
        }
    }
}
