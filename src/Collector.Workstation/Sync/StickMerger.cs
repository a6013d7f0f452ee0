using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Storage;
using Collector.Workstation.Hub;
using Collector.Workstation.Sticks;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Sync;

/// <summary>
/// Merges one stick database into the hub without ever writing to the stick (design section 5):
/// the database and any journal are copied to a private folder — SQLite may need to roll a hot
/// journal back, which is a write — the copy is <c>integrity_check</c>ed and merged in one
/// transaction, each row checked on its way in (a row that fails is refused, the rest merge).
/// A copy that is damaged (it fails integrity_check, does not open, or its header is gone) is
/// salvaged: every row that can still be read is put in a fresh database and merged from there,
/// and what could not be read is said. A foreign or newer database is reported and skipped; a
/// failure of the hub itself stops the sync (exit 3).
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
            if (!TryCopy(database, copy, report))
            {
                return null;
            }

            var header = DatabaseFile.Inspect(copy, StickStore.ApplicationId);
            if (header.Kind == DatabaseFileKind.NotSqlite && StickStore.HasHotJournal(copy))
            {
                // A creation cut short before its first page reached the file: rolling the
                // journal back in the copy tells an unfinished database from a damaged one.
                try
                {
                    header = StickStore.RecoverCutShortCopy(copy);
                }
                catch (StorageException)
                {
                    // not SQLite's to roll back: salvaged below like any damaged header
                }

                if (header.Kind is DatabaseFileKind.Missing or DatabaseFileKind.Empty)
                {
                    return Skipped(report, database, Reason(new StorageException(StickStore.Unfinished(database)), copy, database));
                }
            }

            if (header.Kind == DatabaseFileKind.NotSqlite)
            {
                return Salvage(database, copy, "its header is damaged", report)
                    ?? Skipped(report, database, StickFinder.Problem(database) ?? "is not a stick database");
            }

            try
            {
                StickStore.Refuse(header, copy);
            }
            catch (StorageException e)
            {
                return Skipped(report, database, Reason(e, copy, database));
            }

            using var stick = OpenSound(copy, out var damage);
            if (stick is null)
            {
                return Salvage(database, copy, damage!, report)
                    ?? Skipped(report, database, $"is damaged ({damage}) and no capture could be read from it; keep it for rescue, it was not merged");
            }

            return MergeSound(stick, database, copy, report);
        }
        finally
        {
            TryDelete(folder);
        }
    }

    /// <summary>Merges a copy integrity_check found sound; a stick no capture may come from is skipped whole.</summary>
    private MergeResult? MergeSound(StickStore stick, string database, string copy, SyncReport report)
    {
        if (HubStore.StickIdProblem(stick.Info.StickId) is { } wrongStick)
        {
            return Skipped(report, database, $"the stick {wrongStick}");
        }

        MergeResult merged;
        try
        {
            merged = hub.Merge(stick, database);
        }
        catch (StorageException e) when (e.Message.Contains(copy, StringComparison.Ordinal))
        {
            // The copy failed while its rows were read (the hub's transaction is rolled back):
            // damage integrity_check did not see. Salvage what can be read.
            stick.Dispose();
            var readFailure = Shorten(e.Message.Replace(copy, "the copy", StringComparison.Ordinal));
            return Salvage(database, copy, readFailure, report)
                ?? Skipped(report, database, $"is damaged ({readFailure}) and no capture could be read from it; keep it for rescue, it was not merged");
        }

        Refused(report, database, merged);
        return merged;
    }

    /// <summary>The copy opened and found sound by integrity_check, or null with what is wrong with it.</summary>
    private static StickStore? OpenSound(string copy, out string? damage)
    {
        StickStore? stick = null;
        try
        {
            stick = StickStore.OpenExisting(copy);
            var check = stick.IntegrityCheck();
            damage = check == "ok" ? null : $"integrity_check: {Shorten(check)}";
        }
        catch (Exception e) when (e is StorageException or SqliteException or FormatException)
        {
            damage = e is SqliteException sqlite ? $"SQLite error {sqlite.SqliteErrorCode}" : Shorten(e.Message.Replace(copy, "the copy", StringComparison.Ordinal));
        }

        if (damage is null)
        {
            return stick;
        }

        stick?.Dispose();
        return null;
    }

    /// <summary>Merges what can still be read from a damaged copy; null when nothing could be.</summary>
    private MergeResult? Salvage(string database, string copy, string damage, SyncReport report)
    {
        var salvaged = StickSalvage.Read(copy);
        if (salvaged.Captures.Count == 0)
        {
            return null;
        }

        var recovered = Path.Combine(Path.GetDirectoryName(copy)!, "salvaged.db");
        using var stick = StickStore.CreateRecovered(recovered, StickSalvage.InferInfo(salvaged), salvaged.Captures, out _);
        var merged = hub.Merge(stick, database);
        // What the hub already holds of this stick (an earlier sync merged it; a stick clear took it
        // off the stick since) is not lost, whatever this copy lost.
        var read = stick.ReadRows().Select(r => r.Sequence).Concat(hub.SequencesOf(stick.Info.StickId)).ToHashSet();
        report.Damaged(new DamagedStick(database, merged.NewCaptures + merged.KnownCaptures, Missing(read), damage));
        Refused(report, database, merged);
        return merged;
    }

    /// <summary>The sequence numbers below the highest one known that were not read: "#5, #9–#16", or "" for none.</summary>
    private static string Missing(HashSet<long> read) =>
        SequenceRanges.Format(LongRange(1, read.Count == 0 ? 0 : read.Max()).Where(seq => !read.Contains(seq)));

    private static IEnumerable<long> LongRange(long from, long to)
    {
        for (var seq = from; seq <= to; seq++)
        {
            yield return seq;
        }
    }

    private static void Refused(SyncReport report, string database, MergeResult merged)
    {
        foreach (var refused in merged.Refused)
        {
            report.Refuse(new InvalidCapture(database, refused.Sequence, refused.Reason));
        }
    }

    private static bool TryCopy(string database, string copy, SyncReport report)
    {
        try
        {
            Copy(database, copy);
            foreach (var companion in StickFinder.Companions(database))
            {
                Copy(companion, copy + companion[database.Length..]);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report.Skip(database, $"cannot be read ({e.Message}); it was not merged");
            return false;
        }
    }

    private static MergeResult? Skipped(SyncReport report, string database, string reason)
    {
        report.Skip(database, reason);
        return null;
    }

    private static string Reason(Exception e, string copy, string database)
    {
        var why = e.Message.Replace(copy, database, StringComparison.Ordinal);
        return why.StartsWith(database, StringComparison.Ordinal) ? why[database.Length..].TrimStart(':', ' ') : why;
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

    private static string Shorten(string text) => DisplayText.Shorten(text, 160);
}
