using Collector.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>
/// When a write to the stick fails, says why in a technician's words: the stick is full, or it is
/// write-protected. SQLite and the OS report both in several ways (SQLITE_FULL, SQLITE_READONLY,
/// SQLITE_CANTOPEN or SQLITE_IOERR for a journal that cannot be made; ENOSPC, EROFS or access
/// denied for a folder), so the medium itself is asked: its free space, then whether a file can
/// be made beside the database.
/// </summary>
public static class StickMedium
{
    /// <summary>Less free space than this cannot take a capture: its page, the journal and the directory entry.</summary>
    public const long MinimumFreeBytes = 256 * 1024;

    /// <summary>The exception to throw for a failed write to <paramref name="databasePath"/>.</summary>
    public static StorageException Explain(Exception failure, string databasePath, string doing) =>
        Explain(failure, databasePath, doing, "nothing was saved");

    /// <summary>
    /// The same, saying <paramref name="outcome"/> of what the write left (collect saves, a
    /// clear removes: "nothing was removed").
    /// </summary>
    public static StorageException Explain(Exception failure, string databasePath, string doing, string outcome)
    {
        var problem = failure is SqliteException refused && !SqliteFailures.IsWriteRefusal(refused) ? Problem.None : Diagnose(databasePath);
        return problem switch
        {
            Problem.Full => new StorageException(
                $"the stick is full ({FreeSpace(databasePath)} free): could not {doing}; {outcome}. Sync it at the desk and make room, or use another stick", failure),
            Problem.WriteProtected => new StorageException(
                $"the stick is write-protected (read-only): could not {doing}; {outcome}. Slide its lock switch to unlocked, or use another stick", failure),
            _ when failure is SqliteException sqlite => SqliteFailures.Explain(sqlite, databasePath, doing),
            _ => new StorageException($"could not {doing} on {databasePath} ({failure.Message}); {outcome}", failure),
        };
    }

    private enum Problem
    {
        None,
        Full,
        WriteProtected,
    }

    private static Problem Diagnose(string databasePath)
    {
        var folder = NearestExistingFolder(databasePath);
        if (folder is null)
        {
            return Problem.None;
        }

        // An empty file needs only a directory entry, so a full stick usually still takes it and a
        // write-protected one never does; the error code settles the cases in between.
        var refused = TryCreateFile(folder);
        if (refused is not null && IsNoSpace(refused))
        {
            return Problem.Full;
        }

        if (refused is UnauthorizedAccessException || (refused is not null && IsReadOnly(refused)))
        {
            return Problem.WriteProtected;
        }

        if (Free(folder) is { } free && free < MinimumFreeBytes)
        {
            return Problem.Full;
        }

        return refused is null ? Problem.None : Problem.WriteProtected;
    }

    private static Exception? TryCreateFile(string folder)
    {
        try
        {
            var probe = Path.Combine(folder, $".collect-write-test-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e;
        }
    }

    // Unix: the errno (ENOSPC 28, EROFS 30). Windows: HRESULT_FROM_WIN32 of ERROR_DISK_FULL (112),
    // ERROR_HANDLE_DISK_FULL (39), ERROR_WRITE_PROTECT (19).
    private static bool IsNoSpace(Exception e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 112 or 39 : e.HResult == 28;

    private static bool IsReadOnly(Exception e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) == 19 : e.HResult == 30;

    private static string? NearestExistingFolder(string databasePath)
    {
        for (var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath)); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (Directory.Exists(folder))
            {
                return folder;
            }
        }

        return null;
    }

    private static long? Free(string folder)
    {
        try
        {
            // Windows wants the drive (E:\); elsewhere statvfs answers for any path on the mount.
            var drive = new DriveInfo(OperatingSystem.IsWindows() ? Path.GetPathRoot(folder)! : folder);
            return drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // a network share or an odd path: no answer, so no claim
        }
    }

    private static string FreeSpace(string databasePath) =>
        NearestExistingFolder(databasePath) is { } folder && Free(folder) is { } free
            ? free < 1024 * 1024 ? $"{free / 1024} KB" : $"{free / (1024.0 * 1024.0):N1} MB"
            : "no space";
}
