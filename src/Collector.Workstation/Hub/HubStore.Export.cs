using Collector.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Hub;

/// <summary>
/// What export needs of a device's newest capture, and nothing more. <paramref name="HardwareHash"/>
/// is the base64 text as ASCII bytes in a buffer the next candidate reuses (50,000 hashes as
/// strings cost the export more in GC than everything else): copy it to keep it.
/// </summary>
public sealed record HubExportCandidate(
    Guid TenantId, string DeviceKey, Guid CaptureId, string Serial, ReadOnlyMemory<byte> HardwareHash, string GroupTag, string AssignedUser,
    IReadOnlyList<string> Flags)
{
    public string Manufacturer { get; init; } = "";

    public string Model { get; init; } = "";
}

/// <summary>
/// The queries behind <c>collector export</c> from the hub. What was exported is tracked per
/// format (schema 5): the Autopilot CSV in the device's own columns, as always; corporate
/// identifiers and Partner Center's CSV in <c>device_exports</c>. A device exported one way still
/// waits for the other.
/// </summary>
public sealed partial class HubStore
{
    /// <summary>The format whose export the devices table's own columns record (what status counts).</summary>
    public const string AutopilotFormat = "autopilot";

    /// <summary>SQL true for a device <c>d</c> whose newest capture is not yet exported as <c>$format</c>.</summary>
    private static string NotExported(string format) => format == AutopilotFormat
        ? "d.newest_capture_id IS NOT d.exported_capture_id"
        : "NOT EXISTS (SELECT 1 FROM device_exports e WHERE e.device_id = d.device_id AND e.format = $format AND e.capture_id = d.newest_capture_id)";

    /// <summary>
    /// The newest capture of every device of <paramref name="tenant"/> (all tenants when null),
    /// in tenant and device-key order: only those whose newest capture is not exported yet,
    /// unless <paramref name="all"/>, and not those registered in Autopilot (registered or already
    /// there: <c>collector register</c> did the import a CSV would) unless <paramref name="all"/>. Streamed on a read connection of its own, a WAL snapshot
    /// taken when reading starts, so each file can be marked exported while the rest is read.
    /// </summary>
    public IEnumerable<HubExportCandidate> ExportCandidates(Guid? tenant, bool all, string format = AutopilotFormat)
    {
        using var reading = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        var query = SqliteFailures.Try(Path, "read the devices to export", () =>
        {
            reading.Open();
            var statement = new RawStatement(reading, $"""
                SELECT d.tenant_id, d.device_key, c.capture_id, c.serial, c.hardware_hash, c.group_tag, c.assigned_user, c.flags, c.manufacturer, c.model
                FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
                WHERE ($tenant IS NULL OR d.tenant_id = $tenant)
                  AND ($all OR ({NotExported(format)}
                       AND NOT {HubRegistration.InAutopilot}))
                ORDER BY d.tenant_id, d.device_key
                """).Bind("$tenant", tenant?.ToString("D")).Bind("$all", all ? 1 : 0);
            return format == AutopilotFormat ? statement : statement.Bind("$format", format);
        });

        using (query)
        {
            int tenantId = query.Ordinal("tenant_id"), deviceKey = query.Ordinal("device_key"), captureId = query.Ordinal("capture_id"),
                serial = query.Ordinal("serial"), hardwareHash = query.Ordinal("hardware_hash"), groupTag = query.Ordinal("group_tag"),
                assignedUser = query.Ordinal("assigned_user"), flags = query.Ordinal("flags"),
                manufacturer = query.Ordinal("manufacturer"), model = query.Ordinal("model");
            (string Text, Guid Id) lastTenant = ("", Guid.Empty);
            var hash = new byte[4096];
            Func<bool> next = query.Read;
            while (SqliteFailures.Try(Path, "read the devices to export", next))
            {
                var tenantText = query.GetString(tenantId);
                if (tenantText != lastTenant.Text)
                {
                    lastTenant = (tenantText, Guid.Parse(tenantText));
                }

                var hashBytes = query.GetUtf8(hardwareHash);
                if (hash.Length < hashBytes.Length)
                {
                    hash = new byte[hashBytes.Length];
                }

                hashBytes.CopyTo(hash);
                yield return new HubExportCandidate(lastTenant.Id, query.GetString(deviceKey), Guid.Parse(query.GetString(captureId)), query.GetString(serial),
                    hash.AsMemory(0, hashBytes.Length), query.GetString(groupTag), query.GetString(assignedUser), CaptureRow.ReadFlags(query.GetString(flags)))
                {
                    Manufacturer = query.GetString(manufacturer),
                    Model = query.GetString(model),
                };
            }
        }
    }

    /// <summary>Devices of <paramref name="tenant"/> (all when null) waiting for export as <paramref name="format"/> that export leaves out because Autopilot has them.</summary>
    public long CountRegisteredWaitingForExport(Guid? tenant, string format = AutopilotFormat) => connection.Scalar<long>(null, $"""
        SELECT COUNT(*) FROM devices d
        WHERE ($tenant IS NULL OR d.tenant_id = $tenant) AND {NotExported(format)}
          AND {HubRegistration.InAutopilot}
        """, ("$tenant", tenant?.ToString("D")), ("$format", format));

    /// <summary>True when an export batch of this name was recorded before (names must stay unique).</summary>
    public bool ExportBatchExists(string batch) =>
        connection.Scalar<long>(null, "SELECT EXISTS (SELECT 1 FROM exports WHERE batch = $batch)", ("$batch", batch)) == 1;

    /// <summary>
    /// Records that <paramref name="file"/> holds these captures as <paramref name="format"/>, in
    /// one transaction: the batch row, and per device the capture written, when and in which
    /// batch. Called only after the file is complete on disk, so a crash before this re-exports
    /// rather than skips.
    /// </summary>
    public void MarkExported(string batch, Guid tenant, string file, IReadOnlyList<(string DeviceKey, Guid CaptureId)> devices, DateTimeOffset writtenAt,
        string format = AutopilotFormat)
    {
        var at = DbTime.Write(writtenAt);
        var tenantId = tenant.ToString("D");
        SqliteFailures.Try(Path, $"mark the devices of {file} as exported", () =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            connection.Execute(transaction, """
                INSERT INTO exports (batch, tenant_id, file, devices, written_at, format) VALUES ($batch, $tenant, $file, $devices, $at, $format)
                """, ("$batch", batch), ("$tenant", tenantId), ("$file", file), ("$devices", devices.Count), ("$at", at), ("$format", format));
            var update = format == AutopilotFormat
                ? statements.Get("""
                    UPDATE devices SET exported_capture_id = $capture, exported_at = $at, export_batch = $batch
                    WHERE tenant_id = $tenant AND device_key = $key
                    """).Bind("$at", at).Bind("$batch", batch).Bind("$tenant", tenantId)
                : statements.Get("""
                    INSERT INTO device_exports (device_id, format, capture_id, exported_at, export_batch)
                    SELECT device_id, $format, $capture, $at, $batch FROM devices WHERE tenant_id = $tenant AND device_key = $key
                    ON CONFLICT (device_id, format) DO UPDATE SET capture_id = excluded.capture_id, exported_at = excluded.exported_at, export_batch = excluded.export_batch
                    """).Bind("$format", format).Bind("$at", at).Bind("$batch", batch).Bind("$tenant", tenantId);
            foreach (var (key, captureId) in devices)
            {
                update.Bind("$capture", captureId.ToString("D")).Bind("$key", key).Execute();
            }

            transaction.Commit();
        });
    }
}
