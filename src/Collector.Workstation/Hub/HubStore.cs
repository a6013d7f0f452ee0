using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Hub;

/// <summary>A capture as the hub holds it: with the time "newest" is decided by.</summary>
public sealed record HubCapture(Capture Capture, DateTimeOffset EffectiveAt);

/// <summary>
/// The workstation's hub: a SQLite file in WAL mode holding every capture from every stick (by
/// capture id, so merging a stick twice changes nothing), the sticks seen, and per device what was
/// last uploaded and exported. This file opens, creates and migrates the hub; merging, upload,
/// export, import and status live in the other <c>HubStore.*.cs</c> files of this partial class.
/// </summary>
public sealed partial class HubStore : IDisposable
{
    public const int ApplicationId = HubSchema.ApplicationId;
    public const int SchemaVersion = HubSchema.Version;

    /// <summary>How long a writer waits for another one to finish before saying so.</summary>
    public static readonly TimeSpan DefaultLockWait = TimeSpan.FromSeconds(10);

    private readonly SqliteConnection connection;
    private readonly TimeProvider clock;
    private readonly HubLock? writerLock;
    private readonly PreparedStatements statements;

    private HubStore(string path, SqliteConnection connection, int schemaVersion, TimeProvider clock, HubLock? writerLock)
    {
        Path = path;
        OpenedVersion = schemaVersion;
        this.connection = connection;
        this.clock = clock;
        this.writerLock = writerLock;
        statements = new PreparedStatements(connection);
    }

    public string Path { get; }

    /// <summary>The schema of the hub as opened: <see cref="SchemaVersion"/> for a writer, perhaps older for a reader.</summary>
    public int OpenedVersion { get; }

    /// <summary>
    /// The default hub: under the user's local application data (COLLECTOR_HUB or --hub move it).
    /// Only a path: a writer creates its folder when it opens the hub.
    /// </summary>
    public static string DefaultPath =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "Collector", "hub.db");

    /// <summary>
    /// Opens the hub at <paramref name="path"/>, creating it (and its folder) when missing, and
    /// migrating an older schema. A writer (sync, export, import) holds the <see cref="HubLock"/>
    /// until Dispose, waiting at most <paramref name="lockWait"/> (default <see cref="DefaultLockWait"/>)
    /// for another to finish; <paramref name="readOnly"/> readers (status) take no lock, WAL lets
    /// them read alongside, and leave an older schema as it is.
    /// </summary>
    public static HubStore Open(string path, TimeProvider clock, bool readOnly = false, TimeSpan? lockWait = null)
    {
        if (Directory.Exists(path))
        {
            throw new StorageException($"the hub {path} is a folder, not a file: give the hub database's file (--hub {System.IO.Path.Combine(path, "hub.db")}, say)");
        }

        if (!readOnly)
        {
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StorageException($"cannot create the folder of the hub {path} ({e.Message})", e);
            }
        }

        var writerLock = readOnly ? null : HubLock.Acquire(path, lockWait ?? DefaultLockWait);
        try
        {
            var file = DatabaseFile.Inspect(path, ApplicationId);
            if (readOnly && file.Kind is DatabaseFileKind.Missing)
            {
                // A reader never creates a hub: a mistyped --hub would otherwise look like an empty one.
                throw new StorageException($"no hub at {path}: nothing has been synced there yet ('collector sync PATH' creates it)");
            }

            Refuse(file, path);
            var (connection, version) = Connect(path, file, migrate: !readOnly);
            return new HubStore(path, connection, version, clock, writerLock);
        }
        catch
        {
            writerLock?.Dispose();
            throw;
        }
    }

    /// <summary>Captures in the hub (all sticks and imports).</summary>
    public long CountCaptures() => connection.Scalar<long>(null, "SELECT COUNT(*) FROM captures");

    /// <summary>Devices in the hub (all tenants).</summary>
    public long CountDevices() => connection.Scalar<long>(null, "SELECT COUNT(*) FROM devices");

    public void Dispose()
    {
        statements.Dispose();
        connection.Dispose();
        writerLock?.Dispose();
    }

    private static void Refuse(DatabaseFile file, string path)
    {
        switch (file.Kind)
        {
            case DatabaseFileKind.NotSqlite:
                throw new StorageException($"{path} is not a SQLite database; is --hub pointing at the right file?");
            case DatabaseFileKind.Foreign when file.ApplicationId == StickStore.ApplicationId:
                throw new StorageException($"{path} is a stick database, not a hub; give it to 'collector sync' as a PATH instead");
            case DatabaseFileKind.Foreign:
                throw new StorageException($"{path} is a SQLite database of another application (id 0x{file.ApplicationId:X8}), not a Collector hub");
            case DatabaseFileKind.Ours when file.UserVersion > SchemaVersion:
                throw new StorageException($"{path} was written by a newer Collector (hub schema {file.UserVersion}, this one knows {SchemaVersion}): update collector");
        }
    }

    private static (SqliteConnection Connection, int Version) Connect(string path, DatabaseFile file, bool migrate)
    {
        var create = file.Kind is DatabaseFileKind.Missing or DatabaseFileKind.Empty;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            SqliteFailures.Try(path, create ? "create the hub" : "open the hub", () =>
            {
                connection.Open();
                if (create)
                {
                    // Schema first, in rollback mode, so that the header (application id, version)
                    // is in the main file at once, where DatabaseFile.Inspect reads it; then WAL.
                    connection.Execute(null, $"PRAGMA page_size = {HubSchema.PageSize}");
                    using var transaction = connection.BeginTransaction(deferred: false);
                    connection.Execute(transaction, $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {SchemaVersion};\n{HubSchema.Create}");
                    transaction.Commit();
                }

                connection.Execute(null, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
            });

            // The version on the connection, not the header read before: in WAL mode a change to
            // it may still be in the -wal file beside the hub.
            var version = (int)SqliteFailures.Try(path, "open the hub", () => connection.Scalar<long>(null, "PRAGMA user_version"));
            Refuse(file with { UserVersion = version }, path);
            if (migrate && version < SchemaVersion)
            {
                SqliteFailures.Try(path, $"update the hub to schema {SchemaVersion}", () => Migrate(connection, version));
                version = SchemaVersion;
            }

            return (connection, version);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Every step from <paramref name="from"/> to <see cref="SchemaVersion"/>, in one transaction.</summary>
    private static void Migrate(SqliteConnection connection, int from)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        for (var version = from; version < SchemaVersion; version++)
        {
            connection.Execute(transaction, HubSchema.Migrations[version] + $"\nPRAGMA user_version = {version + 1};");
        }

        transaction.Commit();
    }
}
