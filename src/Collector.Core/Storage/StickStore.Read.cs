using Collector.Core.Captures;
using Collector.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>What <c>collect verify</c> reports.</summary>
public sealed record StickVerifyReport(string IntegrityCheck, int SchemaVersion, long Captures, long Devices, Guid StickId)
{
    public bool Ok => IntegrityCheck == "ok";
}

/// <summary>One row of a stick's captures: the capture, or (when null) why the row is not one.</summary>
public sealed record StickRow(long Sequence, Capture? Capture, string? Problem);

/// <summary>Reading the stick's captures (list, sync's merge) and checking the file (verify, sync's copy).</summary>
public sealed partial class StickStore
{
    /// <summary>Every capture in stick order, after <paramref name="afterSequence"/>; streamed.</summary>
    public IEnumerable<Capture> ReadCaptures(long afterSequence = 0) =>
        Query("read the captures", $"SELECT {CaptureRow.Names} FROM captures WHERE seq > $after ORDER BY seq", ("$after", afterSequence));

    /// <summary>
    /// Every row in stick order, after <paramref name="afterSequence"/>, each the capture it holds
    /// or why it cannot be read as one: sync refuses such a row and reads on. Streamed.
    /// </summary>
    public IEnumerable<StickRow> ReadRows(long afterSequence = 0)
    {
        const string doing = "read the captures";
        using var command = connection.Command(null, $"SELECT {CaptureRow.Names} FROM captures WHERE seq > $after ORDER BY seq", ("$after", afterSequence));
        using var reader = SqliteFailures.Try(Path, doing, command.ExecuteReader);
        var captures = new CaptureReader(reader);
        Func<bool> next = reader.Read;
        while (SqliteFailures.Try(Path, doing, next))
        {
            var capture = captures.TryRead(out var problem);
            yield return new StickRow(captures.Sequence, capture, problem);
        }
    }

    /// <summary>The newest capture of every device on the stick (by stick sequence), in device-key order.</summary>
    public IReadOnlyList<Capture> NewestPerDevice() =>
    [
        .. Query("list the devices", $"""
            SELECT {CaptureRow.Names} FROM captures c
            WHERE seq = (SELECT MAX(seq) FROM captures d WHERE d.tenant_id = c.tenant_id AND d.device_key = c.device_key)
            ORDER BY tenant_id, device_key
            """),
    ];

    /// <summary>How many captures the stick holds (every one, not per device).</summary>
    public long CaptureCount() =>
        SqliteFailures.Try(Path, "count the captures", () => connection.Scalar<long>(null, "SELECT COUNT(*) FROM captures"));

    /// <summary>
    /// PRAGMA integrity_check plus counts: what <c>collect verify</c> shows. The devices are
    /// counted afresh, and a stored device count that disagrees is reported as a fault.
    /// </summary>
    public StickVerifyReport Verify() => SqliteFailures.Try(Path, "verify the stick database", () =>
    {
        var integrity = string.Join("; ", connection.Lines("PRAGMA integrity_check"));
        var devices = connection.Scalar<long>(null, "SELECT COUNT(*) FROM (SELECT DISTINCT tenant_id, device_key FROM captures)");
        var counted = connection.Scalar<long>(null, "SELECT device_count FROM stick WHERE singleton = 1");
        if (integrity == "ok" && counted != devices)
        {
            integrity = $"the stick's device count says {counted}, its captures hold {devices} devices";
        }

        return new StickVerifyReport(
            integrity,
            (int)connection.Scalar<long>(null, "PRAGMA user_version"),
            connection.Scalar<long>(null, "SELECT COUNT(*) FROM captures"),
            devices,
            Info.StickId);
    });

    /// <summary>
    /// Refuses (exit 3) to go on with a database that fails quick_check: adding to it could make
    /// things worse, and its captures are safest read out by a sync, which salvages what a damaged
    /// page left readable. quick_check reads every page, which collect pays once per capture:
    /// bench/run.sh capture measures it on a stick of 10,000 captures.
    /// </summary>
    public void EnsureSound()
    {
        var check = QuickCheck();
        if (check != "ok")
        {
            throw new StorageException(
                $"the stick's database is damaged ({(check.Length <= 120 ? check : check[..120] + "…")}): nothing was saved. " +
                "Do not capture onto this stick: sync it at a desk, then run 'collector stick init --force' on it to put the damaged database aside and start a fresh one");
        }
    }

    /// <summary>PRAGMA quick_check: "ok" for a sound file (sync checks its copy with it).</summary>
    public string QuickCheck()
    {
        try
        {
            return string.Join("; ", connection.Lines("PRAGMA quick_check"));
        }
        catch (SqliteException e)
        {
            return $"damaged (SQLite error {e.SqliteErrorCode})"; // an answer, not a failure: sync reports the stick and goes on
        }
    }

    private IEnumerable<Capture> Query(string doing, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(null, sql, parameters);
        using var reader = SqliteFailures.Try(Path, doing, command.ExecuteReader);
        var captures = new CaptureReader(reader);
        Func<bool> next = reader.Read;
        while (SqliteFailures.Try(Path, doing, next))
        {
            yield return captures.Read();
        }
    }
}
