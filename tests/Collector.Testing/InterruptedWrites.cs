using Microsoft.Data.Sqlite;

namespace Collector.Testing;

/// <summary>What a process killed in the middle of a SQLite transaction leaves on the disk.</summary>
public static class InterruptedWrites
{
    /// <summary>
    /// The first bytes of a journal SQLite will roll back (a hot journal). SQLite writes them when
    /// it syncs the journal, before it overwrites a page of the database in place; a journal whose
    /// header is still zero is ignored.
    /// </summary>
    public static readonly byte[] JournalMagic = [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7];

    /// <summary>
    /// What a capture killed while it created the stick database leaves: a file that may not be a
    /// database yet, and a hot journal that turns it back into an empty file.
    /// </summary>
    public static void CreationCutShort(string path) => CopyMidTransaction(path, $"""
        PRAGMA application_id = {Collector.Core.Storage.StickStore.ApplicationId};
        PRAGMA user_version = {Collector.Core.Storage.StickStore.SchemaVersion};
        CREATE TABLE stick (singleton INTEGER PRIMARY KEY, stick_id TEXT, created_at TEXT);
        CREATE TABLE filler (x BLOB);
        INSERT INTO filler SELECT randomblob(4000) FROM generate_series(1, 50);
        """);

    /// <summary>
    /// Runs <paramref name="sql"/> in a transaction with a one-page cache, so pages spill into the
    /// file before commit, and copies the file and its hot journal to <paramref name="path"/> while
    /// the transaction is still open. It starts from a copy of <paramref name="startFrom"/> when
    /// given (a stick holding captures), else from a new database (a creation cut short).
    /// </summary>
    public static void CopyMidTransaction(string path, string sql, string? startFrom = null)
    {
        var scratch = path + ".scratch";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (startFrom is not null)
        {
            File.Copy(startFrom, scratch);
        }

        using (var connection = new SqliteConnection($"Data Source={scratch};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = DELETE; PRAGMA cache_size = 1; BEGIN IMMEDIATE;" + sql;
            command.ExecuteNonQuery();
            File.Copy(scratch, path, overwrite: true);
            File.Copy(scratch + "-journal", path + "-journal", overwrite: true);
            command.CommandText = "ROLLBACK";
            command.ExecuteNonQuery();
        }

        File.Delete(scratch);
    }
}
