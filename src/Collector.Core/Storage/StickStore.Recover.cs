using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>
/// A fresh stick database made from rows salvaged out of a damaged one (sync's private copy),
/// so that they are read, checked and merged exactly as any stick's captures are.
/// </summary>
public sealed partial class StickStore
{
    /// <summary>
    /// Creates a stick database at <paramref name="path"/> (a scratch file) for stick
    /// <paramref name="info"/> holding <paramref name="rows"/>, each a capture row's values by
    /// column name (columns a row lacks take their defaults). A row the table refuses — a value
    /// of the wrong type, a capture id or sequence number already taken — is left out and counted
    /// in <paramref name="refused"/>.
    /// </summary>
    public static StickStore CreateRecovered(string path, StickInfo info, IEnumerable<IReadOnlyDictionary<string, object?>> rows, out int refused)
    {
        var store = Open(path, info.StickId, new FixedClock(info.CreatedAt));
        try
        {
            refused = store.Insert(rows);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private int Insert(IEnumerable<IReadOnlyDictionary<string, object?>> rows)
    {
        var known = CaptureRow.ColumnNames.ToHashSet(StringComparer.Ordinal);
        var refused = 0;
        SqliteFailures.Try(Path, "write the salvaged captures", () =>
        {
            connection.Execute(null, "PRAGMA synchronous = OFF"); // a scratch file: nothing to keep if this process dies
            using var transaction = connection.BeginTransaction();
            foreach (var row in rows)
            {
                // Column names come from the damaged file: only ours go into the SQL text.
                var columns = row.Keys.Where(known.Contains).ToList();
                using var insert = connection.Command(transaction,
                    $"INSERT INTO captures ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$v{i}"))})",
                    [.. columns.Select((c, i) => ($"$v{i}", row[c]))]);
                try
                {
                    insert.ExecuteNonQuery();
                }
                catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: a type, NOT NULL or uniqueness the table refuses
                {
                    refused++;
                }
            }

            connection.Execute(transaction, """
                UPDATE stick SET device_count = (SELECT COUNT(*) FROM (SELECT DISTINCT tenant_id, device_key FROM captures)),
                                 last_seq = (SELECT COALESCE(MAX(seq), 0) FROM captures)
                """);
            transaction.Commit();
        });
        return refused;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
