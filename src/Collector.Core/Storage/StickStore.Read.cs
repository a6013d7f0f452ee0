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

/// <summary>
/// Reading the stick's captures (list, sync's merge) and checking the file (verify, sync's copy);
/// and opening it for a reader, which never changes a file on the stick.
/// </summary>
public sealed partial class StickStore
{
    /// <summary>
    /// Opens the stick database to read it (<c>collect list</c>, <c>collect verify</c>) without
    /// ever creating or changing a file on the stick: a database with a journal beside it (which
    /// SQLite would roll back, a write) or of an older schema (which would be migrated) is read
    /// from a private copy; any other is opened read-only. Null when the database's creation was
    /// cut short, so it holds no captures (<see cref="Unfinished"/>): the next capture finishes it.
    /// </summary>
    public static StickStore? OpenForReading(string path)
    {
        var file = Inspect(path);
        if (!File.Exists(path + "-journal") && !(file.Kind == DatabaseFileKind.Ours && file.UserVersion < SchemaVersion))
        {
            Refuse(file, path);
            var connection = Connect(path, SqliteOpenMode.ReadOnly);
            try
            {
                return new StickStore(path, connection, SqliteFailures.Try(path, "read the stick database", () => ReadInfo(connection, path), StickMedium.Explain));
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        var folder = Directory.CreateTempSubdirectory("collector-stick-").FullName;
        try
        {
            var copy = System.IO.Path.Combine(folder, System.IO.Path.GetFileName(path));
            File.Copy(path, copy);
            if (File.Exists(path + "-journal"))
            {
                File.Copy(path + "-journal", copy + "-journal");
            }

            var store = OpenOrNull(copy, null, TimeProvider.System);
            if (store is null)
            {
                Directory.Delete(folder, recursive: true);
                return null;
            }

            store.privateCopyFolder = folder;
            return store;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Directory.Delete(folder, recursive: true);
            throw new StorageException($"cannot read {path} ({e.Message}): is the stick still plugged in?", e);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>What a reader says of a database whose creation was cut short.</summary>
    public static string Unfinished(string path) =>
        $"{path} was cut short while it was being created, before its first capture: it holds no captures (the next capture on that stick finishes it)";

    /// <summary>Every capture in stick order, after <paramref name="afterSequence"/>; streamed.</summary>
    public IEnumerable<Capture> ReadCaptures(long afterSequence = 0) =>
        Query("read the captures", $"SELECT {CaptureRow.Names} FROM captures WHERE seq > $after ORDER BY seq", captures => captures.Read(), ("$after", afterSequence));

    /// <summary>
    /// Every row in stick order, after <paramref name="afterSequence"/>, each the capture it holds
    /// or why it cannot be read as one: sync refuses such a row and reads on. Streamed.
    /// </summary>
    public IEnumerable<StickRow> ReadRows(long afterSequence = 0) =>
        Query("read the captures", $"SELECT {CaptureRow.Names} FROM captures WHERE seq > $after ORDER BY seq", captures =>
        {
            var capture = captures.TryRead(out var problem);
            return new StickRow(captures.Sequence, capture, problem);
        }, ("$after", afterSequence));

    /// <summary>The newest capture of every device on the stick (by stick sequence), in device-key order.</summary>
    public IReadOnlyList<Capture> NewestPerDevice() =>
    [
        .. Query("list the devices", $"""
            SELECT {CaptureRow.Names} FROM captures c
            WHERE seq = (SELECT MAX(seq) FROM captures d WHERE d.tenant_id = c.tenant_id AND d.device_key = c.device_key)
            ORDER BY tenant_id, device_key
            """, captures => captures.Read()),
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
                $"the stick's database is damaged ({DisplayText.Shorten(check, 120)}): nothing was saved. " +
                "Do not capture onto this stick: sync it at a desk, then run 'collector stick init --force' on it to put the damaged database aside and start a fresh one");
        }
    }

    /// <summary>PRAGMA quick_check: "ok" for a sound file (collect's check before it adds a capture).</summary>
    public string QuickCheck() => Check("quick_check");

    /// <summary>
    /// PRAGMA integrity_check: quick_check's reading of every page, and also that each row's
    /// index entries match it — a bit flipped in a capture id on its table page leaves the row
    /// readable and well formed, and only its index entry still holds the id collect wrote.
    /// Sync checks its copy with it.
    /// </summary>
    public string IntegrityCheck() => Check("integrity_check");

    private string Check(string pragma)
    {
        try
        {
            return string.Join("; ", connection.Lines($"PRAGMA {pragma}"));
        }
        catch (SqliteException e)
        {
            return $"damaged (SQLite error {e.SqliteErrorCode})"; // an answer, not a failure: sync reports the stick and goes on
        }
    }

    private IEnumerable<T> Query<T>(string doing, string sql, Func<CaptureReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(null, sql, parameters);
        using var reader = SqliteFailures.Try(Path, doing, command.ExecuteReader);
        var captures = new CaptureReader(reader);
        Func<bool> next = reader.Read;
        while (SqliteFailures.Try(Path, doing, next))
        {
            yield return read(captures);
        }
    }
}
