namespace Collector.Core.Storage;

/// <summary>
/// The stick database's schema and its history (design section 4). Version 1 lacked the product
/// key id and site columns; version 2 lacked the stick's device count (kept so that a capture
/// on a stick holding thousands need not count them all). <see cref="StickStore"/> migrates an
/// older file in one transaction.
/// </summary>
internal static class StickSchema
{
    /// <summary>'APHC' (Autopilot Hash Capture): how sync recognises a stick database by content, not name.</summary>
    public const int ApplicationId = 0x41504843;

    public const int Version = 3;

    public const string Create = """
        CREATE TABLE stick (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            stick_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            device_count INTEGER NOT NULL DEFAULT 0
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
            product_key_id TEXT NOT NULL DEFAULT '',
            group_tag TEXT NOT NULL,
            assigned_user TEXT NOT NULL,
            captured_at TEXT NOT NULL,
            technician TEXT NOT NULL,
            site TEXT NOT NULL DEFAULT '',
            stick_id TEXT NOT NULL,
            method TEXT NOT NULL,
            collector_version TEXT NOT NULL,
            flags TEXT NOT NULL
        ) STRICT;

        CREATE INDEX captures_device ON captures (tenant_id, device_key);
        """;

    /// <summary>Steps from version N to N+1, by N.</summary>
    public static readonly IReadOnlyDictionary<int, string> Migrations = new Dictionary<int, string>
    {
        [1] = """
            ALTER TABLE captures ADD COLUMN product_key_id TEXT NOT NULL DEFAULT '';
            ALTER TABLE captures ADD COLUMN site TEXT NOT NULL DEFAULT '';
            """,
        [2] = """
            ALTER TABLE stick ADD COLUMN device_count INTEGER NOT NULL DEFAULT 0;
            UPDATE stick SET device_count = (SELECT COUNT(*) FROM (SELECT DISTINCT tenant_id, device_key FROM captures));
            """,
    };
}
