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
