using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>What a write cut short leaves beside the stick database (a hot journal), and rolling it back.</summary>
public sealed partial class StickStore
{
    private static readonly byte[] JournalMagic = [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7];

    /// <summary>
    /// Rolls back a hot journal beside <paramref name="path"/> (a write cut short: a pulled stick),
    /// as the next writer would. The desk's readers open the stick read-only, and a read-only
    /// connection cannot roll a journal back (SQLite refuses it), so stick clear calls this first.
    /// </summary>
    public static void RecoverJournal(string path)
    {
        if (HasHotJournal(path) && Inspect(path).Kind == DatabaseFileKind.Ours)
        {
            RollBack(path);
        }
    }

    /// <summary>
    /// Lets SQLite roll back a creation cut short (no header yet, its journal beside the file) and
    /// says what is left. A write: only for a private copy (sync's), never a file on a stick.
    /// </summary>
    public static DatabaseFile RecoverCutShortCopy(string path)
    {
        RollBack(path);
        return Inspect(path);
    }

    /// <summary>
    /// True when a rollback journal SQLite would play back sits beside <paramref name="path"/>
    /// (its header carries the magic SQLite writes once the journal is synced). With a file that is
    /// not a database yet, it is a creation or a first transaction cut short: only rolling the
    /// journal back (in a copy, for a reader) tells what the file holds.
    /// </summary>
    public static bool HasHotJournal(string path)
    {
        try
        {
            using var journal = new FileStream(path + "-journal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> head = stackalloc byte[8];
            return journal.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(JournalMagic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void RollBack(string path)
    {
        using var connection = Connect(path, SqliteOpenMode.ReadWrite);
        SqliteFailures.Try(path, "recover the stick database", () => connection.Scalar<long>(null, "PRAGMA page_count"), StickMedium.Explain);
    }
}
