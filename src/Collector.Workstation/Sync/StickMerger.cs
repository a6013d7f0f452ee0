using Collector.Core.Errors;
using Collector.Core.Storage;
using Collector.Workstation.Hub;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Sync;

/// <summary>
/// Merges one stick database into the hub without ever writing to the stick (design section 5):
/// the database and any journal are copied to a private folder — SQLite may need to roll a hot
/// journal back, which is a write — the copy is <c>quick_check</c>ed, and merged in one
/// transaction, rolled back if one of its rows does not parse. A stick that fails any step is
/// reported and skipped; a failure of the hub itself stops the sync (exit 3).
/// </summary>
public sealed class StickMerger(HubStore hub, string scratchFolder)
{
    private int copies;

    /// <summary>The merge result, or null when the stick was skipped (with its reason in <paramref name="report"/>).</summary>
    public MergeResult? Merge(string database, SyncReport report)
    {
        var folder = Path.Combine(scratchFolder, (++copies).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var copy = Path.Combine(folder, Path.GetFileName(database));
        try
        {
            using var stick = OpenCheckedCopy(database, copy, report);
            if (stick is null)
            {
                return null;
            }

            try
            {
                return hub.Merge(stick, database);
            }
            catch (StorageException e) when (e.InnerException is FormatException)
            {
                // A stick row that does not parse (read as the merge goes; the transaction is
                // rolled back): the stick's fault, so it is skipped. Any other failure is the hub's.
                Skip(report, database, copy, e);
                return null;
            }
        }
        finally
        {
            TryDelete(folder);
        }
    }

    private static StickStore? OpenCheckedCopy(string database, string copy, SyncReport report)
    {
        StickStore? stick = null;
        try
        {
            Copy(database, copy);
            foreach (var companion in StickFinder.Companions(database))
            {
                Copy(companion, copy + companion[database.Length..]);
            }

            stick = StickStore.OpenExisting(copy);
            var check = stick.QuickCheck();
            if (check != "ok")
            {
                report.Skip(database, $"is damaged (quick_check: {Shorten(check)}); keep it for rescue, it was not merged");
                stick.Dispose();
                return null;
            }

            return stick;
        }
        catch (Exception e) when (e is StorageException or SqliteException or IOException or UnauthorizedAccessException or FormatException)
        {
            stick?.Dispose();
            Skip(report, database, copy, e);
            return null;
        }
    }

    private static void Skip(SyncReport report, string database, string copy, Exception e)
    {
        var why = e is SqliteException sqlite ? $"is damaged or unreadable (SQLite error {sqlite.SqliteErrorCode})" : e.Message.Replace(copy, database, StringComparison.Ordinal);
        report.Skip(database, why.StartsWith(database, StringComparison.Ordinal) ? why[database.Length..].TrimStart(':', ' ') : why);
    }

    /// <summary>Copies through a read-only handle that lets collect keep writing: the stick is only read.</summary>
    private static void Copy(string from, string to)
    {
        using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var target = new FileStream(to, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        source.CopyTo(target);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the scratch root is removed at the end of the sync anyway
        }
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
