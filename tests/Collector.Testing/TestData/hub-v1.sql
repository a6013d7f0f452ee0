-- A hub as Collector's hub schema 1 wrote it: no upload_target table (sync made it on first use).
-- {{HASH1}} and {{STICK}} are filled in by the test (the hash from the builder). One stick, one
-- device of the test tenant with one capture, merged, not uploaded or exported.
PRAGMA page_size = 16384;
PRAGMA application_id = 1095780418;
PRAGMA user_version = 1;
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
PRAGMA journal_mode = WAL;
INSERT INTO sticks VALUES ('{{STICK}}', '2026-01-05T08:00:00.0000000Z', '2026-01-06T08:00:00.0000000Z',
    '2026-01-06T08:00:00.0000000Z', '/media/stick', 1);
INSERT INTO devices (device_id, tenant_id, device_key, serial, smbios_uuid, newest_capture_id)
VALUES (1, '5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01', 'CLT-0000001', 'CLT-0000001', NULL, '01940000-0000-7000-8000-000000000001');
INSERT INTO captures VALUES ('01940000-0000-7000-8000-000000000001', 1, 1, '5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01',
    'CLT-0000001', 'CLT-0000001', '{{HASH1}}', NULL, 'Contoso', 'Contoso Book 14', 1, 2, '', 'Sales', '',
    '2026-01-05T09:00:00.0000000Z', 'ana', 'site-1', '{{STICK}}', 'oa3-report', '0.1.0', '',
    '2026-01-05T09:00:00.0000000Z', '2026-01-06T08:00:00.0000000Z');
