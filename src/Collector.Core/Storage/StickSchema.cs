namespace Collector.Core.Storage;

/// <summary>
/// The stick database's schema and its history (design section 4). Version 1 lacked the product
/// key id and site columns; version 2 lacked the stick's device count (kept so that a capture
/// on a stick holding thousands need not count them all); version 3 lacked how collect ran
/// (<c>collect_architecture</c>; older captures get '', not known); version 4 lacked the last
/// sequence number given out (see <see cref="LastSequence"/>). <see cref="StickStore"/> migrates
/// an older file in one transaction.
/// </summary>
internal static class StickSchema
{
    /// <summary>'APHC' (Autopilot Hash Capture): how sync recognises a stick database by content, not name.</summary>
    public const int ApplicationId = 0x41504843;

    public const int Version = 5;

    /// <summary>
    /// Version 5: the highest sequence number this stick ever gave out. Until then the next one was
    /// <c>MAX(seq) + 1</c>, which after <c>collector stick clear</c> removed the highest rows would
    /// give their numbers again: the hub orders a stick's captures of a device by sequence, and
    /// two captures under one number would make "newest" a coin toss. Self-contained: it adds the
    /// column and sets it from the captures the stick holds.
    /// </summary>
    private const string LastSequence = """
        ALTER TABLE stick ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
        UPDATE stick SET last_seq = (SELECT COALESCE(MAX(seq), 0) FROM captures);
        """;

    /// <summary>
    /// A new stick database's tables. The capture columns come from <see cref="CaptureRow"/>;
    /// their sequence is unique on a stick (one counter per stick), so it is declared here.
    /// </summary>
    public static readonly string Create = $"""
        CREATE TABLE stick (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            stick_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            device_count INTEGER NOT NULL DEFAULT 0,
            last_seq INTEGER NOT NULL DEFAULT 0
        ) STRICT;

        CREATE TABLE captures (
            {CaptureRow.Definitions},
            UNIQUE ({CaptureRow.Seq})
        ) STRICT;

        CREATE INDEX captures_device ON captures (tenant_id, device_key);
        """;

    /// <summary>Steps from version N to N+1, by N: literal SQL, as each older schema was.</summary>
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
        [3] = """
            ALTER TABLE captures ADD COLUMN collect_architecture TEXT NOT NULL DEFAULT '';
            """,
        [4] = LastSequence,
    };
}
