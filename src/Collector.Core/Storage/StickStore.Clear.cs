using Collector.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>A capture to take off the stick: only while it still holds exactly this hash.</summary>
public sealed record StickRemoval(Guid CaptureId, string HardwareHash);

/// <summary>What a clear did: captures removed, and what the stick holds after it.</summary>
/// <param name="NotRemoved">The captures asked for that the stick still holds with another hash (changed meanwhile): kept.</param>
public sealed record RemoveResult(int Removed, long CapturesLeft, int DevicesLeft, long LastSequence, IReadOnlySet<Guid> NotRemoved);

/// <summary>
/// Taking captures off the stick (<c>collector stick clear</c>), through the same durable path as
/// a capture: rollback journal, synchronous=EXTRA, no pooling, one <c>BEGIN IMMEDIATE … COMMIT</c>,
/// then a read-back on a fresh connection. A stick pulled at any moment keeps either every
/// capture or loses exactly the ones the caller named, never half a change.
/// </summary>
public sealed partial class StickStore
{
    /// <summary>
    /// Removes <paramref name="captures"/> in one transaction, each only while its row still holds
    /// the same capture id and, byte for byte, the same hash (a row changed since the caller
    /// compared it stays). Keeps the stick row (its id), remembers the highest sequence number
    /// given out so none is given again, and counts the devices left afresh.
    /// </summary>
    public RemoveResult Remove(IReadOnlyCollection<StickRemoval> captures)
    {
        const string doing = "remove the captures";
        var notRemoved = new HashSet<Guid>();
        var (removed, expected) = SqliteFailures.Try(Path, doing, () =>
        {
            // Freed pages are overwritten with zeros: a cleared stick that is lost later carries
            // no trace of the hashes it gave up (the journal is deleted at commit, as ever).
            connection.Execute(null, "PRAGMA secure_delete = ON");
            using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE
            connection.Execute(transaction, """
                UPDATE stick SET last_seq = MAX(last_seq, (SELECT COALESCE(MAX(seq), 0) FROM captures)) WHERE singleton = 1
                """);
            var removed = 0;
            notRemoved.Clear();
            using (var delete = connection.Command(transaction, "DELETE FROM captures WHERE capture_id = $id AND hardware_hash = $hash",
                       ("$id", ""), ("$hash", "")))
            {
                foreach (var capture in captures)
                {
                    delete.Parameters["$id"].Value = capture.CaptureId.ToString("D");
                    delete.Parameters["$hash"].Value = capture.HardwareHash;
                    if (delete.ExecuteNonQuery() == 1)
                    {
                        removed++;
                    }
                    else if (connection.Scalar<long>(transaction, "SELECT EXISTS (SELECT 1 FROM captures WHERE capture_id = $id)", ("$id", capture.CaptureId.ToString("D"))) == 1)
                    {
                        notRemoved.Add(capture.CaptureId); // still there with another hash: it stays
                    }
                }
            }

            connection.Execute(transaction, """
                UPDATE stick SET device_count = (SELECT COUNT(*) FROM (SELECT DISTINCT tenant_id, device_key FROM captures)) WHERE singleton = 1
                """);
            var left = connection.Scalar<long>(transaction, "SELECT COUNT(*) FROM captures");
            transaction.Commit();
            return (removed, left);
        }, (e, path, what) => StickMedium.Explain(e, path, what, "nothing was removed"));

        return ReadBackAfterRemove(removed, expected) with { NotRemoved = notRemoved };
    }

    /// <summary>
    /// Every sequence number ever given out on this stick: the next capture gets a higher one.
    /// </summary>
    public long LastSequence() => SqliteFailures.Try(Path, "read the stick", () =>
        connection.Scalar<long>(null, "SELECT MAX((SELECT COALESCE(MAX(seq), 0) FROM captures), (SELECT last_seq FROM stick WHERE singleton = 1))"));

    /// <summary>The devices on the stick, as its stored count says (what collect shows after "SAVED").</summary>
    public int DeviceCount() => (int)SqliteFailures.Try(Path, "read the stick", () =>
        connection.Scalar<long>(null, "SELECT device_count FROM stick WHERE singleton = 1"));

    /// <summary>
    /// The tenants of an existing stick database's captures, read through a read-only connection
    /// (stick init refuses to move a stick that still holds another tenant's captures).
    /// </summary>
    public static IReadOnlyList<Guid> PeekTenants(string path)
    {
        EnsureUsable(path);
        using var connection = Connect(path, SqliteOpenMode.ReadOnly);
        return SqliteFailures.Try(path, "read the stick database", () =>
            connection.Lines("SELECT DISTINCT tenant_id FROM captures ORDER BY tenant_id")
                .Select(t => Guid.TryParse(t, out var tenant) ? tenant : Guid.Empty).ToList());
    }

    /// <summary>What the file holds now, on a new connection: the captures and devices the clear left.</summary>
    private RemoveResult ReadBackAfterRemove(int removed, long expected)
    {
        using var fresh = Connect(Path, SqliteOpenMode.ReadOnly);
        var (left, devices, counted, last) = SqliteFailures.Try(Path, "read the stick back", () => (
            fresh.Scalar<long>(null, "SELECT COUNT(*) FROM captures"),
            fresh.Scalar<long>(null, "SELECT device_count FROM stick WHERE singleton = 1"),
            fresh.Scalar<long>(null, "SELECT COUNT(*) FROM (SELECT DISTINCT tenant_id, device_key FROM captures)"),
            fresh.Scalar<long>(null, "SELECT last_seq FROM stick WHERE singleton = 1")));
        if (left != expected || devices != counted)
        {
            throw new StorageException($"{Path}: the stick did not read back as written after the clear; the stick may be failing, use another");
        }

        return new RemoveResult(removed, left, (int)devices, last, new HashSet<Guid>());
    }
}
