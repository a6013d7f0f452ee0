-- A stick database as Collector's schema 1 wrote it: no product_key_id, no site.
-- {{HASH1}}, {{HASH2}} and {{STICK}} are filled in by the test (hashes from the builder).
PRAGMA application_id = 1095780419;
PRAGMA user_version = 1;
CREATE TABLE stick (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    stick_id TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE TABLE captures (
    capture_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    serial TEXT NOT NULL,
    device_key TEXT NOT NULL,
    hardware_hash TEXT NOT NULL,
    smbios_uuid TEXT,
    manufacturer TEXT NOT NULL,
    model TEXT NOT NULL,
    tpm_present INTEGER NOT NULL,
    nic_count INTEGER NOT NULL,
    group_tag TEXT NOT NULL,
    assigned_user TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    technician TEXT NOT NULL,
    stick_id TEXT NOT NULL,
    method TEXT NOT NULL,
    collector_version TEXT NOT NULL,
    flags TEXT NOT NULL
) STRICT;
CREATE INDEX captures_device ON captures (tenant_id, device_key);
INSERT INTO stick VALUES (1, '{{STICK}}', '2026-01-05T08:00:00.0000000Z');
INSERT INTO captures VALUES ('01940000-0000-7000-8000-000000000001', 1, '5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01',
    'CLT-0000001', 'CLT-0000001', '{{HASH1}}', NULL, 'Contoso', 'Contoso Book 14', 1, 2, 'Sales', '',
    '2026-01-05T09:00:00.0000000Z', 'ana', '{{STICK}}', 'oa3-report', '0.0.9', '');
INSERT INTO captures VALUES ('01940000-0000-7000-8000-000000000002', 2, '5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01',
    'CLT-0000002', 'CLT-0000002', '{{HASH2}}', NULL, 'Fabrikam', 'Fabrikam Pro 13', 1, 1, 'Sales', '',
    '2026-01-05T09:05:00.0000000Z', 'ana', '{{STICK}}', 'oa3-report', '0.0.9', '');
