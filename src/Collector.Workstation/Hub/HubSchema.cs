using Collector.Core.Storage;

namespace Collector.Workstation.Hub;

/// <summary>
/// The hub database's schema (design section 5): every capture from every stick, the sticks
/// seen, per device what was last uploaded and exported, the table the upload state is for, and
/// what Autopilot said of each device registered through Graph. Version 1 lacked
/// <c>upload_target</c> (sync created it on first use); version 2 lacked <c>registrations</c>;
/// version 3 lacked how collect ran (<c>collect_architecture</c>, '' for older captures) and gave
/// CSV imports the all-zero stick id, which no capture carries now; version 4 tracked export for
/// the Autopilot CSV only (<see cref="FormatExports"/>). A writer migrates an
/// older hub in one transaction when it opens it (<see cref="HubStore.Open"/>); a reader leaves it
/// as it is, so what a reader queries must be in every version it accepts.
/// </summary>
internal static class HubSchema
{
    /// <summary>'APHB' (Autopilot Hash hub): not a stick's id, so sync never mistakes a hub for a stick.</summary>
    public const int ApplicationId = 0x41504842;

    public const int Version = 5;

    /// <summary>The first version with <c>registrations</c>: a reader of an older hub has no registration counts.</summary>
    public const int RegistrationsSince = 3;

    /// <summary>
    /// Set on a new hub before its first table (SQLite cannot change it afterwards in WAL mode).
    /// A capture row is about 4.3 KB, nearly all of it the hash: on 4 KB pages each row spills
    /// into an overflow page, and every page is a WAL frame, a write and a checkpoint copy of its
    /// own. Measured on 50,000 rows (import, then export --all), 16 KB against 4 KB pages: import
    /// 3.75 s against 4.06 s CPU, export 1.43 s against 1.63 s; the file is 290 MB against 247 MB
    /// (three 4.3 KB rows fill 79% of a page). 8 KB pages were worse than either (one row each).
    /// Hubs made with another page size keep it and work the same.
    /// </summary>
    public const int PageSize = 16384;

    /// <summary>
    /// Version 3: one row per device and capture sent to Autopilot by <c>collector register</c>
    /// (design section 6b). Keyed by tenant and device key, not device_id, because register also
    /// works from a table whose devices this hub may never have merged. A row is written before
    /// its import request is sent (state pending, no graph_id), so a run killed mid-request finds
    /// it and looks for its import record by import_id instead of importing the device again.
    /// </summary>
    private const string Registrations = """
        CREATE TABLE registrations (
            tenant_id TEXT NOT NULL,
            device_key TEXT NOT NULL,
            capture_id TEXT NOT NULL,
            serial TEXT NOT NULL,
            -- pending, registered, alreadyRegistered (806), otherTenant (808), refused (802 and any other code)
            state TEXT NOT NULL,
            -- the importId sent with the device (one per import request) and the import record Graph made
            import_id TEXT NOT NULL,
            graph_id TEXT,
            -- deviceRegistrationId, when registered
            registration_id TEXT,
            error_code INTEGER,
            error_name TEXT,
            -- 1 once the import record is deleted from Graph (every record is, whatever its outcome)
            record_deleted INTEGER NOT NULL DEFAULT 0,
            -- 1 once the outcome is merged into the device's table row (register --table)
            table_written INTEGER NOT NULL DEFAULT 0,
            submitted_at TEXT NOT NULL,
            decided_at TEXT,
            PRIMARY KEY (tenant_id, device_key, capture_id)
        ) STRICT;

        CREATE INDEX registrations_open ON registrations (tenant_id, state, record_deleted);
        """;

    /// <summary>
    /// Version 5: export tracked per format (<c>collector export --format</c>). The Autopilot CSV
    /// keeps the columns it always had (<c>devices.exported_capture_id</c>, <c>exported_at</c>,
    /// <c>export_batch</c>: status's "waiting for export" and older readers go on meaning what
    /// they meant); every other format (corporate identifiers, Partner Center's CSV) records, per
    /// device, the capture it last wrote in <c>device_exports</c>, so a device exported one way
    /// still waits for the other. Each batch in <c>exports</c> says its format. Self-contained:
    /// it adds the table and the column, and existing batches read as the Autopilot CSV's, which
    /// is all there was.
    /// </summary>
    private const string FormatExports = """
        CREATE TABLE device_exports (
            device_id INTEGER NOT NULL REFERENCES devices (device_id),
            -- identifiers, partner (autopilot stays in devices.exported_*)
            format TEXT NOT NULL,
            capture_id TEXT NOT NULL,
            exported_at TEXT NOT NULL,
            export_batch TEXT NOT NULL,
            PRIMARY KEY (device_id, format)
        ) STRICT;

        ALTER TABLE exports ADD COLUMN format TEXT NOT NULL DEFAULT 'autopilot';
        """;

    /// <summary>A new hub's tables. The capture columns come from <see cref="CaptureRow"/>; the hub adds its own around them.</summary>
    public static readonly string Create = $"""
        CREATE TABLE sticks (
            stick_id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            first_merged_at TEXT NOT NULL,
            last_merged_at TEXT NOT NULL,
            last_path TEXT NOT NULL,
            captures INTEGER NOT NULL
        ) STRICT;

        -- One row per device and tenant. newest_capture_id is kept by every merge and import, so
        -- "what is waiting" is an indexed comparison, not a scan of all captures.
        CREATE TABLE devices (
            device_id INTEGER PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            device_key TEXT NOT NULL,
            serial TEXT NOT NULL,
            smbios_uuid TEXT,
            newest_capture_id TEXT NOT NULL,
            uploaded_capture_id TEXT,
            uploaded_etag TEXT,
            uploaded_at TEXT,
            exported_capture_id TEXT,
            exported_at TEXT,
            export_batch TEXT,
            UNIQUE (tenant_id, device_key)
        ) STRICT;

        -- device_key is the final key (after serial collisions); flags include the hub's own
        -- (serial-collision, clock-suspect); effective_at is the time "newest" is decided by.
        CREATE TABLE captures (
            device_id INTEGER NOT NULL REFERENCES devices (device_id),
            {CaptureRow.Definitions},
            effective_at TEXT NOT NULL,
            merged_at TEXT NOT NULL
        ) STRICT;

        CREATE INDEX captures_device ON captures (device_id);
        CREATE INDEX captures_stick ON captures (stick_id, seq);

        CREATE TABLE exports (
            batch TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            file TEXT NOT NULL,
            devices INTEGER NOT NULL,
            written_at TEXT NOT NULL
        ) STRICT;

        -- The table the upload state refers to (its address, no secret): pointing sync at another
        -- table clears every device's upload state, so the new table receives every device.
        CREATE TABLE upload_target (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            target TEXT NOT NULL,
            since TEXT NOT NULL
        ) STRICT;

        {Registrations}
        {FormatExports}
        """;

    /// <summary>Steps from version N to N+1, by N: literal SQL, as each older schema was.</summary>
    public static readonly IReadOnlyDictionary<int, string> Migrations = new Dictionary<int, string>
    {
        // IF NOT EXISTS: a version-1 hub that has synced to a table already has it.
        [1] = """
            CREATE TABLE IF NOT EXISTS upload_target (
                singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                target TEXT NOT NULL,
                since TEXT NOT NULL
            ) STRICT;
            """,
        [2] = Registrations,
        // CSV imports move from the all-zero stick id to CsvImport.ImportStickId.
        [3] = """
            ALTER TABLE captures ADD COLUMN collect_architecture TEXT NOT NULL DEFAULT '';
            UPDATE captures SET stick_id = 'a534f5de-8288-814e-81ab-ab87976b6934'
            WHERE method = 'csv-import' AND stick_id = '00000000-0000-0000-0000-000000000000';
            """,
        [4] = FormatExports,
    };
}
