using Collector.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>
/// Turns SQLite's error codes into one line that says what happened to the stick or hub and what
/// to do. Codes, never message text (https://www.sqlite.org/rescode.html).
/// </summary>
public static class SqliteFailures
{
    private const int Readonly = 8, IoError = 10, Corrupt = 11, Full = 13, CantOpen = 14, NotADb = 26, Busy = 5, Locked = 6;

    /// <summary>
    /// Runs <paramref name="work"/> on the database at <paramref name="path"/>: a
    /// <see cref="SqliteException"/> from it becomes the <see cref="StorageException"/> that says
    /// what could not be done (<paramref name="doing"/>, "save the capture") and why, made by
    /// <paramref name="explain"/> (default <see cref="Explain"/>).
    /// </summary>
    public static T Try<T>(string path, string doing, Func<T> work, Func<SqliteException, string, string, StorageException>? explain = null)
    {
        try
        {
            return work();
        }
        catch (SqliteException e)
        {
            throw (explain ?? Explain)(e, path, doing);
        }
    }

    /// <inheritdoc cref="Try{T}"/>
    public static void Try(string path, string doing, Action work, Func<SqliteException, string, string, StorageException>? explain = null) =>
        Try(path, doing, () =>
        {
            work();
            return true;
        }, explain);

    public static StorageException Explain(SqliteException e, string path, string doing) => new(
        (e.SqliteErrorCode switch
        {
            Readonly => $"{path} is read-only (write-protected stick or folder?): could not {doing}",
            Full => $"the disk holding {path} is full: could not {doing}; nothing was saved",
            IoError => $"I/O error on {path} while trying to {doing} (was the stick pulled out?); nothing half-written is kept",
            Corrupt or NotADb => $"{path} is damaged (SQLite: {e.SqliteErrorCode}); keep a copy for rescue and use a fresh database",
            CantOpen => $"cannot open {path} (missing folder, or no permission): could not {doing}",
            Busy or Locked => $"{path} is in use by another program: could not {doing}; try again when it has finished",
            _ => $"SQLite error {e.SqliteErrorCode} on {path}: could not {doing}",
        }), e);

    /// <summary>True for the codes that mean the medium refused the write.</summary>
    public static bool IsWriteRefusal(SqliteException e) => e.SqliteErrorCode is Readonly or Full or IoError or CantOpen;
}
