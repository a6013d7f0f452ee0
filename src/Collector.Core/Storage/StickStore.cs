using Collector.Core.Captures;
using Collector.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>The stick's own row: who it is and when its database was made.</summary>
public sealed record StickInfo(Guid StickId, DateTimeOffset CreatedAt);

/// <summary>
/// <c>collector\data\captures.db</c> on the stick (design section 4): an append-only table of
/// captures and a one-row stick table. Rollback journal (never WAL on a stick), synchronous=EXTRA,
/// no connection pooling, one short <c>BEGIN IMMEDIATE … COMMIT</c> per capture, and a read-back
/// on a fresh connection before anyone is told "saved". A file that is not ours, or from a newer
/// schema, is refused before SQLite opens it, so it stays byte-for-byte as it was. This file opens,
/// recovers, creates and migrates; appending and reading live in the other <c>StickStore.*.cs</c>.
/// </summary>
public sealed partial class StickStore : IDisposable
{
    public const int ApplicationId = StickSchema.ApplicationId;
    public const int SchemaVersion = StickSchema.Version;

    private readonly SqliteConnection connection;
    private string? privateCopyFolder;

    private StickStore(string path, SqliteConnection connection, StickInfo info)
    {
        Path = path;
        this.connection = connection;
        Info = info;
    }

    public string Path { get; }

    public StickInfo Info { get; }

    /// <summary>
    /// Opens the stick database at <paramref name="path"/> to write it (collect, stick init),
    /// creating it with <paramref name="newStickId"/> when there is none, and migrating an older
    /// schema. A database whose stick id is all zeros (an older <c>collect list</c> or
    /// <c>verify</c> made one from a creation cut short) gets <paramref name="newStickId"/>, its
    /// captures too, so the hub, which refuses an all-zero stick id, takes them.
    /// </summary>
    public static StickStore Open(string path, Guid newStickId, TimeProvider clock)
    {
        if (newStickId == Guid.Empty)
        {
            throw new ArgumentException("a stick id is never all zeros", nameof(newStickId));
        }

        return OpenOrNull(path, newStickId, clock)!;
    }

    /// <summary>
    /// Opens an existing stick database without creating one. A database of an older schema is
    /// migrated and a hot journal rolled back, so the file must be writable and must not be the
    /// stick's own: sync opens its private copy this way. A database whose creation was cut short
    /// (a journal beside a file that is not a database yet) holds no captures: that is refused.
    /// </summary>
    public static StickStore OpenExisting(string path) =>
        Exists(path)
            ? OpenOrNull(path, null, TimeProvider.System) ?? throw new StorageException(Unfinished(path))
            : throw new StorageException($"{path}: no stick database here (nothing has been captured yet)");

    /// <summary>
    /// Who an existing stick database belongs to and how many captures it holds, read through a
    /// read-only connection: nothing is migrated or written (stick init decides with it).
    /// </summary>
    public static (StickInfo Info, long Captures) Peek(string path)
    {
        EnsureUsable(path);
        using var connection = Connect(path, SqliteOpenMode.ReadOnly);
        return SqliteFailures.Try(path, "read the stick database",
            () => (ReadInfo(connection, path), connection.Scalar<long>(null, "SELECT COUNT(*) FROM captures")));
    }

    /// <summary>
    /// What is wrong with an existing stick database, by quick_check through a read-only
    /// connection (nothing is written); null when it is sound. Stick init decides with it whether
    /// the database must be put aside.
    /// </summary>
    public static string? Damage(string path)
    {
        EnsureUsable(path);
        try
        {
            using var connection = Connect(path, SqliteOpenMode.ReadOnly);
            var check = string.Join("; ", connection.Lines("PRAGMA quick_check"));
            return check == "ok" ? null : DisplayText.Shorten(check, 120);
        }
        catch (StorageException e) when (e.InnerException is SqliteException sqlite)
        {
            return $"SQLite error {sqlite.SqliteErrorCode}";
        }
        catch (SqliteException e)
        {
            return $"SQLite error {e.SqliteErrorCode}";
        }
    }

    /// <summary>True when <paramref name="path"/> holds something (ours or not) beyond an empty file.</summary>
    public static bool Exists(string path) =>
        Inspect(path).Kind is not (DatabaseFileKind.Missing or DatabaseFileKind.Empty);

    /// <summary>
    /// Refuses (exit 3) a file we must not touch, reading only its header: called before a
    /// capture reads the hash, so a technician learns of a foreign or newer file at once.
    /// </summary>
    public static void EnsureUsable(string path)
    {
        var file = Inspect(path);
        if (file.Kind == DatabaseFileKind.NotSqlite && HasHotJournal(path))
        {
            return; // a creation cut short: Open rolls it back (see there)
        }

        Refuse(file, path);
    }

    /// <summary>Throws exit 3 for a file that is not a stick database of a schema we know.</summary>
    public static void Refuse(DatabaseFile file, string path)
    {
        switch (file.Kind)
        {
            case DatabaseFileKind.NotSqlite:
                throw new StorageException($"{path} is not a SQLite database: refusing to touch it (move it away, or use another stick)");
            case DatabaseFileKind.Foreign:
                throw new StorageException($"{path} is a SQLite database of another application (id 0x{file.ApplicationId:X8}): refusing to touch it");
            case DatabaseFileKind.Ours when file.UserVersion < 1:
                throw new StorageException($"{path} carries Collector's stick id but no schema version: refusing to touch it (keep a copy for rescue, use a fresh database)");
            case DatabaseFileKind.Ours when file.UserVersion > SchemaVersion:
                throw new StorageException($"{path} was written by a newer Collector (schema {file.UserVersion}, this one knows {SchemaVersion}): update collect on this stick");
        }
    }

    public void Dispose()
    {
        connection.Dispose();
        if (privateCopyFolder is not null)
        {
            Directory.Delete(privateCopyFolder, recursive: true);
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/>: recovers a creation cut short, refuses what is not ours,
    /// migrates an older schema. With <paramref name="newStickId"/> (a writer) a missing or empty
    /// database is created and an all-zero stick id replaced; without it nothing is created, and
    /// null says the file holds no database (its creation was cut short).
    /// </summary>
    private static StickStore? OpenOrNull(string path, Guid? newStickId, TimeProvider clock)
    {
        var file = Inspect(path);
        if (file.Kind == DatabaseFileKind.NotSqlite && HasHotJournal(path))
        {
            // Not a database yet, but SQLite's journal beside it: a creation cut short before its
            // first page reached the file. Let SQLite roll it back, then judge what is left.
            RollBack(path);
            file = Inspect(path);
        }

        Refuse(file, path);
        var create = file.Kind is DatabaseFileKind.Missing or DatabaseFileKind.Empty;
        if (create && newStickId is null)
        {
            return null;
        }

        if (create)
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StickMedium.Explain(e, path, $"create {folder}");
            }
        }

        var connection = Connect(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            // Decided on the open connection, after SQLite has rolled back any hot journal: a
            // capture killed while it created the database leaves a full header on disk and a
            // journal that turns it back into an empty file.
            var version = SqliteFailures.Try(path, Doing(create), () =>
                connection.Scalar<long>(null, "PRAGMA page_count") == 0 ? -1 : (int)connection.Scalar<long>(null, "PRAGMA user_version"), StickMedium.Explain);
            create = version < 0;
            if (create && newStickId is not { } id)
            {
                connection.Dispose();
                return null;
            }

            return SqliteFailures.Try(path, Doing(create), () =>
            {
                if (create)
                {
                    Initialise(connection, newStickId!.Value, clock.GetUtcNow());
                }
                else if (version < SchemaVersion)
                {
                    Migrate(connection, version);
                }

                var info = ReadInfo(connection, path);
                if (info.StickId == Guid.Empty && newStickId is { } replacement)
                {
                    info = GiveStickId(connection, replacement, info);
                }

                return new StickStore(path, connection, info);
            }, StickMedium.Explain);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Replaces an all-zero stick id, in the stick row and every capture, in one transaction.</summary>
    private static StickInfo GiveStickId(SqliteConnection connection, Guid stickId, StickInfo info)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        connection.Execute(transaction, "UPDATE stick SET stick_id = $id WHERE singleton = 1", ("$id", stickId.ToString("D")));
        connection.Execute(transaction, "UPDATE captures SET stick_id = $id WHERE stick_id = $zero",
            ("$id", stickId.ToString("D")), ("$zero", Guid.Empty.ToString("D")));
        transaction.Commit();
        return info with { StickId = stickId };
    }

    private static string Doing(bool create) => create ? "create the stick database" : "open the stick database";

    private static DatabaseFile Inspect(string path)
    {
        try
        {
            return DatabaseFile.Inspect(path, ApplicationId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot read {path} ({e.Message}): is the stick still plugged in?", e);
        }
    }

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            // Pooled handles keep the file open after Dispose (on Windows: locked) until the
            // process ends; a stick must be free the moment we say "saved".
            Pooling = false,
            DefaultTimeout = 5,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            // DELETE: no -wal/-shm beside the file. EXTRA: FULL plus a directory sync after the
            // journal is deleted, for a commit closely followed by a pulled stick.
            SqliteFailures.Try(path, "open the stick database", () =>
            {
                connection.Open();
                connection.Execute(null, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = EXTRA; PRAGMA foreign_keys = ON;");
            }, StickMedium.Explain);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Initialise(SqliteConnection connection, Guid stickId, DateTimeOffset now)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        connection.Execute(transaction, $"""
            PRAGMA application_id = {ApplicationId};
            PRAGMA user_version = {SchemaVersion};
            {StickSchema.Create}
            INSERT INTO stick (singleton, stick_id, created_at) VALUES (1, $stick, $created);
            """, ("$stick", stickId.ToString("D")), ("$created", DbTime.Write(now)));
        transaction.Commit();
    }

    private static void Migrate(SqliteConnection connection, int from)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        for (var version = from; version < SchemaVersion; version++)
        {
            connection.Execute(transaction, StickSchema.Migrations[version] + $"\nPRAGMA user_version = {version + 1};");
        }

        transaction.Commit();
    }

    private static StickInfo ReadInfo(SqliteConnection connection, string path)
    {
        using var command = connection.Command(null, "SELECT stick_id, created_at FROM stick WHERE singleton = 1");
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new StickInfo(Guid.Parse(reader.GetString(0)), DbTime.Read(reader.GetString(1)))
            : throw new StorageException($"{path} has no stick row: it is damaged; keep a copy for rescue");
    }
}
