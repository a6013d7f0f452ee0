using Collector.Core.Storage;
using Collector.Workstation.Register;

namespace Collector.Workstation.Hub;

/// <summary>One device and capture as <c>collector register</c> recorded it (a <c>registrations</c> row).</summary>
public sealed record Registration(
    Guid TenantId, string DeviceKey, Guid CaptureId, string Serial, string State, string ImportId, string? GraphId,
    string? RegistrationId, int? ErrorCode, string? ErrorName, bool RecordDeleted, bool TableWritten,
    DateTimeOffset SubmittedAt, DateTimeOffset? DecidedAt)
{
    public ImportOutcome Outcome => new(State, RegistrationId, ErrorCode, ErrorName);
}

/// <summary>A device and capture register speaks of.</summary>
public readonly record struct RegistrationKey(string DeviceKey, Guid CaptureId);

/// <summary>Per tenant: devices registered (or already), still pending, and refused (808, 802, other codes).</summary>
public sealed record RegistrationCounts(Guid TenantId, long Registered, long Pending, long Refused);

/// <summary>
/// Registration state (hub schema 3): what <c>collector register</c> sent to Autopilot and what it
/// answered, per device and capture. Rows are written before the import is sent, given their
/// import record's id when Graph answers, decided when Autopilot does, and marked when the
/// import record is deleted; each step in a transaction of its own, so a run killed at any point
/// resumes from the hub without importing a device twice.
/// </summary>
public sealed partial class HubStore
{
    /// <summary>Every registration row of <paramref name="tenant"/>.</summary>
    public IReadOnlyList<Registration> Registrations(Guid tenant)
    {
        using var command = connection.Command(null, """
            SELECT tenant_id, device_key, capture_id, serial, state, import_id, graph_id, registration_id, error_code, error_name,
                   record_deleted, table_written, submitted_at, decided_at
            FROM registrations WHERE tenant_id = $tenant ORDER BY device_key, submitted_at
            """, ("$tenant", tenant.ToString("D")));
        using var reader = command.ExecuteReader();
        var rows = new List<Registration>();
        while (reader.Read())
        {
            rows.Add(new Registration(
                Guid.Parse(reader.GetString(0)), reader.GetString(1), Guid.Parse(reader.GetString(2)), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetInt64(10) == 1, reader.GetInt64(11) == 1, DbTime.Read(reader.GetString(12)),
                reader.IsDBNull(13) ? null : DbTime.Read(reader.GetString(13))));
        }

        return rows;
    }

    /// <summary>The newest capture of every device of <paramref name="tenant"/> (all tenants when null), in tenant and key order.</summary>
    public IReadOnlyList<RegisterCandidate> RegistrationCandidates(Guid? tenant)
    {
        using var command = connection.Command(null, """
            SELECT d.tenant_id, d.device_key, c.capture_id, c.serial, c.hardware_hash, c.group_tag, c.assigned_user
            FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
            WHERE $tenant IS NULL OR d.tenant_id = $tenant
            ORDER BY d.tenant_id, d.device_key
            """, ("$tenant", tenant?.ToString("D")));
        using var reader = command.ExecuteReader();
        var list = new List<RegisterCandidate>();
        while (reader.Read())
        {
            list.Add(new RegisterCandidate(Guid.Parse(reader.GetString(0)), reader.GetString(1), Guid.Parse(reader.GetString(2)),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6)));
        }

        return list;
    }

    /// <summary>Tenants with work left from an earlier run: devices pending, or import records not yet deleted.</summary>
    public IReadOnlyList<Guid> TenantsWithOpenRegistrations()
    {
        using var command = connection.Command(null,
            "SELECT DISTINCT tenant_id FROM registrations WHERE state = $pending OR (graph_id IS NOT NULL AND record_deleted = 0) ORDER BY tenant_id",
            ("$pending", RegistrationStates.Pending));
        using var reader = command.ExecuteReader();
        var tenants = new List<Guid>();
        while (reader.Read())
        {
            tenants.Add(Guid.Parse(reader.GetString(0)));
        }

        return tenants;
    }

    /// <summary>
    /// Records, before the import request is sent, that these devices go in it under
    /// <paramref name="importId"/>: pending, with no import record yet. An earlier row of the same
    /// capture (refused, say, and sent again with --all) is replaced.
    /// </summary>
    public void RecordSubmitted(Guid tenant, string importId, IReadOnlyList<(RegistrationKey Key, string Serial)> devices) =>
        Write("record the devices being imported", statement =>
        {
            var insert = statement("""
                INSERT OR REPLACE INTO registrations (tenant_id, device_key, capture_id, serial, state, import_id, submitted_at)
                VALUES ($tenant, $key, $capture, $serial, $state, $import, $now)
                """).Bind("$tenant", tenant.ToString("D")).Bind("$state", RegistrationStates.Pending).Bind("$import", importId).Bind("$now", Now());
            foreach (var (key, serial) in devices)
            {
                insert.Bind("$key", key.DeviceKey).Bind("$capture", key.CaptureId.ToString("D")).Bind("$serial", serial).Execute();
            }
        });

    /// <summary>Records the import record Graph made for each device.</summary>
    public void RecordGraphIds(Guid tenant, IReadOnlyList<(RegistrationKey Key, string GraphId)> records) =>
        Write("record the import records", statement =>
        {
            var update = statement("UPDATE registrations SET graph_id = $graph WHERE tenant_id = $tenant AND device_key = $key AND capture_id = $capture")
                .Bind("$tenant", tenant.ToString("D"));
            foreach (var (key, graphId) in records)
            {
                update.Bind("$key", key.DeviceKey).Bind("$capture", key.CaptureId.ToString("D")).Bind("$graph", graphId).Execute();
            }
        });

    /// <summary>Records Autopilot's answer for each device.</summary>
    public void RecordOutcomes(Guid tenant, IReadOnlyList<(RegistrationKey Key, ImportOutcome Outcome)> outcomes) =>
        Write("record Autopilot's answers", statement =>
        {
            var update = statement("""
                UPDATE registrations SET state = $state, registration_id = $registration, error_code = $code, error_name = $name,
                    decided_at = $now, table_written = 0
                WHERE tenant_id = $tenant AND device_key = $key AND capture_id = $capture
                """).Bind("$tenant", tenant.ToString("D")).Bind("$now", Now());
            foreach (var (key, outcome) in outcomes)
            {
                update.Bind("$key", key.DeviceKey).Bind("$capture", key.CaptureId.ToString("D")).Bind("$state", outcome.State)
                    .Bind("$registration", outcome.RegistrationId).Bind("$code", outcome.ErrorCode).Bind("$name", outcome.ErrorName).Execute();
            }
        });

    /// <summary>Records that these import records are gone from Graph.</summary>
    public void RecordDeleted(Guid tenant, IReadOnlyList<string> graphIds) =>
        Write("record the deleted import records", statement =>
        {
            var update = statement("UPDATE registrations SET record_deleted = 1 WHERE tenant_id = $tenant AND graph_id = $graph")
                .Bind("$tenant", tenant.ToString("D"));
            foreach (var id in graphIds)
            {
                update.Bind("$graph", id).Execute();
            }
        });

    /// <summary>Records that these outcomes are in the devices' table rows (or that a newer capture is there instead).</summary>
    public void RecordTableWritten(Guid tenant, IReadOnlyList<RegistrationKey> keys) =>
        Write("record what the table holds", statement =>
        {
            var update = statement("UPDATE registrations SET table_written = 1 WHERE tenant_id = $tenant AND device_key = $key AND capture_id = $capture")
                .Bind("$tenant", tenant.ToString("D"));
            foreach (var key in keys)
            {
                update.Bind("$key", key.DeviceKey).Bind("$capture", key.CaptureId.ToString("D")).Execute();
            }
        });

    /// <summary>
    /// Forgets rows whose import never reached Graph (refused before it did anything, or not
    /// found by its import id): the devices count as never sent and are imported next time.
    /// </summary>
    public void ForgetSubmitted(Guid tenant, IReadOnlyList<RegistrationKey> keys) =>
        Write("forget imports that did not happen", statement =>
        {
            var delete = statement("DELETE FROM registrations WHERE tenant_id = $tenant AND device_key = $key AND capture_id = $capture AND state = $pending")
                .Bind("$tenant", tenant.ToString("D")).Bind("$pending", RegistrationStates.Pending);
            foreach (var key in keys)
            {
                delete.Bind("$key", key.DeviceKey).Bind("$capture", key.CaptureId.ToString("D")).Execute();
            }
        });

    /// <summary>
    /// Per tenant, devices by their registration: registered (any capture registered or already
    /// there), else pending, else refused. Empty for a hub older than schema 3 (read as it is).
    /// </summary>
    public IReadOnlyList<RegistrationCounts> RegistrationCountsByTenant()
    {
        if (OpenedVersion < HubSchema.RegistrationsSince)
        {
            return [];
        }

        using var command = connection.Command(null, """
            SELECT tenant_id, SUM(registered), SUM(NOT registered AND pending), SUM(NOT registered AND NOT pending AND refused)
            FROM (SELECT tenant_id, device_key,
                         MAX(state IN ($registered, $already)) AS registered, MAX(state = $pending) AS pending,
                         MAX(state IN ($other, $refused)) AS refused
                  FROM registrations GROUP BY tenant_id, device_key)
            GROUP BY tenant_id ORDER BY tenant_id
            """, ("$registered", RegistrationStates.Registered), ("$already", RegistrationStates.AlreadyRegistered),
            ("$pending", RegistrationStates.Pending), ("$other", RegistrationStates.OtherTenant), ("$refused", RegistrationStates.Refused));
        using var reader = command.ExecuteReader();
        var list = new List<RegistrationCounts>();
        while (reader.Read())
        {
            list.Add(new RegistrationCounts(Guid.Parse(reader.GetString(0)), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return list;
    }

    private string Now() => DbTime.Write(clock.GetUtcNow());

    private void Write(string what, Action<Func<string, RawStatement>> work) => SqliteFailures.Try(Path, what, () =>
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        work(statements.Get);
        transaction.Commit();
    });
}
