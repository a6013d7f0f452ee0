using Collector.Core.Storage;

namespace Collector.Workstation.Hub;

/// <summary>
/// The hub database's schema (design section 5): every capture from every stick, the sticks
/// seen, and per device what was last uploaded and exported.
/// </summary>
internal static class HubSchema
{
    /// <summary>'APHB' (Autopilot Hash hub): not a stick's id, so sync never mistakes a hub for a stick.</summary>
    public const int ApplicationId = 0x41504842;

    public const int Version = 1;

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

    public const string Create = """
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
            capture_id TEXT PRIMARY KEY,
            device_id INTEGER NOT NULL REFERENCES devices (device_id),
            seq INTEGER NOT NULL,
            tenant_id TEXT NOT NULL,
            serial TEXT NOT NULL,
            device_key TEXT NOT NULL,
            hardware_hash TEXT NOT NULL,
            smbios_uuid TEXT,
            manufacturer TEXT NOT NULL,
            model TEXT NOT NULL,
            tpm_present INTEGER NOT NULL,
            nic_count INTEGER NOT NULL,
            product_key_id TEXT NOT NULL,
            group_tag TEXT NOT NULL,
            assigned_user TEXT NOT NULL,
            captured_at TEXT NOT NULL,
            technician TEXT NOT NULL,
            site TEXT NOT NULL,
            stick_id TEXT NOT NULL,
            method TEXT NOT NULL,
            collector_version TEXT NOT NULL,
            flags TEXT NOT NULL,
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
        """;
}
