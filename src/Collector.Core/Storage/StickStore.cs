using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>A capture about to be saved: everything but the ids and sequence the store assigns.</summary>
public sealed record CaptureDraft(
    Guid TenantId, HardwareHash Hash, string GroupTag, string AssignedUser, DateTimeOffset CapturedAt,
    string Technician, string Site, string Method, string CollectorVersion);

/// <summary>What saving one capture did.</summary>
public sealed record AppendResult(Capture Capture, bool AlreadyOnStick, int DevicesOnStick);

/// <summary>The stick's own row: who it is and when its database was made.</summary>
public sealed record StickInfo(Guid StickId, DateTimeOffset CreatedAt);

/// <summary>What <c>collect verify</c> reports.</summary>
public sealed record StickVerifyReport(string IntegrityCheck, int SchemaVersion, long Captures, long Devices, Guid StickId)
{
    public bool Ok => IntegrityCheck == "ok";
}

/// <summary>
/// <c>collector\data\captures.db</c> on the stick (design section 4): an append-only table of
/// captures and a one-row stick table. Rollback journal (never WAL on a stick), synchronous=EXTRA,
/// no connection pooling, one short <c>BEGIN IMMEDIATE … COMMIT</c> per capture, and a read-back
/// on a fresh connection before anyone is told "saved". A file that is not ours, or from a newer
/// schema, is refused before SQLite opens it, so it stays byte-for-byte as it was.
/// </summary>
public sealed class StickStore : IDisposable
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
    /// Opens the stick database at <paramref name="path"/>, creating it with
    /// <paramref name="newStickId"/> when there is none, and migrating an older schema.
    /// </summary>
    public static StickStore Open(string path, Guid newStickId, TimeProvider clock)
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
            var version = connection.Scalar<long>(null, "PRAGMA page_count") == 0 ? -1 : (int)connection.Scalar<long>(null, "PRAGMA user_version");
            create = version < 0;
            if (create)
            {
                Initialise(connection, newStickId, clock.GetUtcNow());
            }
            else if (version < SchemaVersion)
            {
                Migrate(connection, version);
            }

            return new StickStore(path, connection, ReadInfo(connection, path));
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw StickMedium.Explain(e, path, create ? "create the stick database" : "open the stick database");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing stick database without creating one. A database of an older schema is
    /// migrated, so the file must be writable (sync opens its private copy this way).
    /// </summary>
    public static StickStore OpenExisting(string path) =>
        Exists(path)
            ? Open(path, Guid.Empty, TimeProvider.System)
            : throw new StorageException($"{path}: no stick database here (nothing has been captured yet)");

    /// <summary>
    /// Opens an existing stick database to read it (<c>collect list</c>, <c>collect verify</c>)
    /// without ever changing the file: a database of an older schema is migrated in a private copy
    /// instead, so that an older collect on the stick still takes it in the field.
    /// </summary>
    public static StickStore OpenForReading(string path)
    {
        var file = Inspect(path);
        if (file.Kind != DatabaseFileKind.Ours || file.UserVersion >= SchemaVersion)
        {
            return OpenExisting(path);
        }

        var folder = Directory.CreateTempSubdirectory("collector-stick-").FullName;
        try
        {
            var copy = System.IO.Path.Combine(folder, System.IO.Path.GetFileName(path));
            File.Copy(path, copy);
            if (File.Exists(path + "-journal"))
            {
                File.Copy(path + "-journal", copy + "-journal");
            }

            var store = OpenExisting(copy);
            store.privateCopyFolder = folder;
            return store;
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Who an existing stick database belongs to and how many captures it holds, read through a
    /// read-only connection: nothing is migrated or written (stick init decides with it).
    /// </summary>
    public static (StickInfo Info, long Captures) Peek(string path)
    {
        EnsureUsable(path);
        using var connection = Connect(path, SqliteOpenMode.ReadOnly);
        try
        {
            return (ReadInfo(connection, path), connection.Scalar<long>(null, "SELECT COUNT(*) FROM captures"));
        }
        catch (SqliteException e)
        {
            throw SqliteFailures.Explain(e, path, "read the stick database");
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

    private static readonly byte[] JournalMagic = [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7];

    private static bool HasHotJournal(string path)
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
        try
        {
            connection.Scalar<long>(null, "PRAGMA page_count");
        }
        catch (SqliteException e)
        {
            throw StickMedium.Explain(e, path, "recover the stick database");
        }
    }

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

    /// <summary>
    /// Saves one capture in one transaction and reads it back on a fresh connection. A serial
    /// another device on this stick already holds (other UUID) gets the collision key and flag.
    /// </summary>
    public AppendResult Append(CaptureDraft draft)
    {
        Capture capture;
        bool already;
        int devices;
        try
        {
            using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE
            var seq = connection.Scalar<long>(transaction, "SELECT COALESCE(MAX(seq), 0) + 1 FROM captures");
            var tenant = draft.TenantId.ToString("D");
            var (key, flags) = ResolveKey(draft, tenant, transaction);
            already = connection.Scalar<long>(transaction,
                "SELECT EXISTS (SELECT 1 FROM captures WHERE tenant_id = $tenant AND device_key = $key)",
                ("$tenant", tenant), ("$key", key)) == 1;

            capture = new Capture
            {
                CaptureId = Guid.CreateVersion7(draft.CapturedAt),
                StickSequence = seq,
                TenantId = draft.TenantId,
                Serial = draft.Hash.Serial,
                DeviceKey = key,
                HardwareHash = draft.Hash.Base64,
                SmbiosUuid = draft.Hash.SmbiosUuid,
                Manufacturer = draft.Hash.Manufacturer,
                Model = draft.Hash.Model,
                TpmPresent = draft.Hash.TpmPresent,
                NicCount = draft.Hash.NicCount,
                ProductKeyId = draft.Hash.ProductKeyId,
                GroupTag = draft.GroupTag,
                AssignedUser = draft.AssignedUser,
                CapturedAt = draft.CapturedAt,
                Technician = draft.Technician,
                Site = draft.Site,
                StickId = Info.StickId,
                Method = draft.Method,
                CollectorVersion = draft.CollectorVersion,
                Flags = flags,
            };
            Insert(capture, transaction);
            // A counter, not a COUNT(DISTINCT …) over every capture: O(1) on a stick holding thousands.
            devices = (int)connection.Scalar<long>(transaction,
                "UPDATE stick SET device_count = device_count + $new WHERE singleton = 1 RETURNING device_count", ("$new", already ? 0 : 1));
            transaction.Commit();
        }
        catch (SqliteException e)
        {
            throw StickMedium.Explain(e, Path, "save the capture");
        }

        ReadBack(capture);
        return new AppendResult(capture, already, devices);
    }

    /// <summary>Every capture in stick order, after <paramref name="afterSequence"/>; streamed.</summary>
    public IEnumerable<Capture> ReadCaptures(long afterSequence = 0)
    {
        using var command = connection.Command(null, $"SELECT {CaptureColumns} FROM captures WHERE seq > $after ORDER BY seq", ("$after", afterSequence));
        using var reader = Run(command, "read the captures");
        while (Read(reader, "read the captures"))
        {
            yield return ReadCapture(reader);
        }
    }

    /// <summary>The newest capture of every device on the stick (by stick sequence), in device-key order.</summary>
    public IReadOnlyList<Capture> NewestPerDevice()
    {
        using var command = connection.Command(null, $"""
            SELECT {CaptureColumns} FROM captures c
            WHERE seq = (SELECT MAX(seq) FROM captures d WHERE d.tenant_id = c.tenant_id AND d.device_key = c.device_key)
            ORDER BY tenant_id, device_key
            """);
        using var reader = Run(command, "list the devices");
        var list = new List<Capture>();
        while (Read(reader, "list the devices"))
        {
            list.Add(ReadCapture(reader));
        }

        return list;
    }

    /// <summary>How many captures the stick holds (every one, not per device).</summary>
    public long CaptureCount()
    {
        try
        {
            return connection.Scalar<long>(null, "SELECT COUNT(*) FROM captures");
        }
        catch (SqliteException e)
        {
            throw SqliteFailures.Explain(e, Path, "count the captures");
        }
    }

    /// <summary>
    /// PRAGMA integrity_check plus counts: what <c>collect verify</c> shows. The devices are
    /// counted afresh, and a stored device count that disagrees is reported as a fault.
    /// </summary>
    public StickVerifyReport Verify()
    {
        try
        {
            var integrity = string.Join("; ", connection.Lines("PRAGMA integrity_check"));
            var devices = connection.Scalar<long>(null, "SELECT COUNT(*) FROM (SELECT DISTINCT tenant_id, device_key FROM captures)");
            var counted = connection.Scalar<long>(null, "SELECT device_count FROM stick WHERE singleton = 1");
            if (integrity == "ok" && counted != devices)
            {
                integrity = $"the stick's device count says {counted}, its captures hold {devices} devices";
            }

            return new StickVerifyReport(
                integrity,
                (int)connection.Scalar<long>(null, "PRAGMA user_version"),
                connection.Scalar<long>(null, "SELECT COUNT(*) FROM captures"),
                devices,
                Info.StickId);
        }
        catch (SqliteException e)
        {
            throw SqliteFailures.Explain(e, Path, "verify the stick database");
        }
    }

    /// <summary>PRAGMA quick_check: "ok" for a sound file (sync checks its copy with it).</summary>
    public string QuickCheck()
    {
        try
        {
            return string.Join("; ", connection.Lines("PRAGMA quick_check"));
        }
        catch (SqliteException e)
        {
            return $"damaged (SQLite error {e.SqliteErrorCode})";
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
            connection.Open();
            using var pragmas = connection.CreateCommand();
            // DELETE: no -wal/-shm beside the file. EXTRA: FULL plus a directory sync after the
            // journal is deleted, for a commit closely followed by a pulled stick.
            pragmas.CommandText = "PRAGMA journal_mode = DELETE; PRAGMA synchronous = EXTRA; PRAGMA foreign_keys = ON;";
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw StickMedium.Explain(e, path, "open the stick database");
        }
    }

    private static void Initialise(SqliteConnection connection, Guid stickId, DateTimeOffset now)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            PRAGMA application_id = {ApplicationId};
            PRAGMA user_version = {SchemaVersion};
            {StickSchema.Create}
            INSERT INTO stick (singleton, stick_id, created_at) VALUES (1, $stick, $created);
            """;
        command.Parameters.AddWithValue("$stick", stickId.ToString("D"));
        command.Parameters.AddWithValue("$created", DbTime.Write(now));
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private static void Migrate(SqliteConnection connection, int from)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        for (var version = from; version < SchemaVersion; version++)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = StickSchema.Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static StickInfo ReadInfo(SqliteConnection connection, string path)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT stick_id, created_at FROM stick WHERE singleton = 1";
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new StickInfo(Guid.Parse(reader.GetString(0)), DbTime.Read(reader.GetString(1)))
            : throw new StorageException($"{path} has no stick row: it is damaged; keep a copy for rescue");
    }

    private (string Key, IReadOnlyList<string> Flags) ResolveKey(CaptureDraft draft, string tenant, SqliteTransaction transaction)
    {
        var key = draft.Hash.DeviceKey;
        var flags = draft.Hash.Flags;
        if (draft.Hash.SmbiosUuid is not { } uuid || key.StartsWith(DeviceIdentity.UuidKeyPrefix, StringComparison.Ordinal))
        {
            return (key, flags);
        }

        var other = connection.Scalar<long>(transaction, """
            SELECT EXISTS (SELECT 1 FROM captures WHERE tenant_id = $tenant AND device_key = $key
                           AND smbios_uuid IS NOT NULL AND smbios_uuid <> $uuid)
            """, ("$tenant", tenant), ("$key", key), ("$uuid", uuid.ToString("D")));
        return other == 1
            ? (DeviceIdentity.CollisionKey(key, uuid), [.. flags, HashFlags.SerialCollision])
            : (key, flags);
    }

    private void Insert(Capture c, SqliteTransaction transaction)
    {
        using var command = connection.Command(transaction, $"""
            INSERT INTO captures ({CaptureColumns})
            VALUES ($id, $seq, $tenant, $serial, $key, $hash, $uuid, $make, $model, $tpm, $nics, $pkid,
                    $tag, $user, $at, $tech, $site, $stick, $method, $version, $flags)
            """,
            ("$id", c.CaptureId.ToString("D")), ("$seq", c.StickSequence), ("$tenant", c.TenantId.ToString("D")),
            ("$serial", c.Serial), ("$key", c.DeviceKey), ("$hash", c.HardwareHash),
            ("$uuid", c.SmbiosUuid?.ToString("D")), ("$make", c.Manufacturer), ("$model", c.Model),
            ("$tpm", c.TpmPresent ? 1 : 0), ("$nics", c.NicCount), ("$pkid", c.ProductKeyId), ("$tag", c.GroupTag),
            ("$user", c.AssignedUser), ("$at", DbTime.Write(c.CapturedAt)), ("$tech", c.Technician), ("$site", c.Site),
            ("$stick", c.StickId.ToString("D")), ("$method", c.Method), ("$version", c.CollectorVersion),
            ("$flags", string.Join(',', c.Flags)));
        command.ExecuteNonQuery();
    }

    /// <summary>Reads the row back on a new connection: what the file holds now, not our cache.</summary>
    private void ReadBack(Capture capture)
    {
        try
        {
            using var fresh = Connect(Path, SqliteOpenMode.ReadOnly);
            using var command = fresh.CreateCommand();
            command.CommandText = "SELECT hardware_hash FROM captures WHERE capture_id = $id";
            command.Parameters.AddWithValue("$id", capture.CaptureId.ToString("D"));
            if (command.ExecuteScalar() as string != capture.HardwareHash)
            {
                throw new StorageException($"{Path}: the capture did not read back after saving; the stick may be failing, use another");
            }
        }
        catch (SqliteException e)
        {
            throw SqliteFailures.Explain(e, Path, "read the capture back");
        }
    }

    public const string CaptureColumns =
        "capture_id, seq, tenant_id, serial, device_key, hardware_hash, smbios_uuid, manufacturer, model, tpm_present, " +
        "nic_count, product_key_id, group_tag, assigned_user, captured_at, technician, site, stick_id, method, " +
        "collector_version, flags";

    /// <summary>
    /// Reads a row selected with <see cref="CaptureColumns"/>, in that order. A row whose ids or
    /// times do not parse (a database our application id but not our writer) becomes a
    /// <see cref="StorageException"/> that names the capture and the field, not a FormatException.
    /// </summary>
    public static Capture ReadCapture(SqliteDataReader r)
    {
        try
        {
            return new()
            {
                CaptureId = Id(r, 0, "capture id"),
                StickSequence = r.GetInt64(1),
                TenantId = Id(r, 2, "tenant id"),
                Serial = r.GetString(3),
                DeviceKey = r.GetString(4),
                HardwareHash = r.GetString(5),
                SmbiosUuid = r.IsDBNull(6) ? null : Id(r, 6, "SMBIOS UUID"),
                Manufacturer = r.GetString(7),
                Model = r.GetString(8),
                TpmPresent = r.GetInt64(9) != 0,
                NicCount = (int)r.GetInt64(10),
                ProductKeyId = r.GetString(11),
                GroupTag = r.GetString(12),
                AssignedUser = r.GetString(13),
                CapturedAt = DbTime.Read(r.GetString(14)),
                Technician = r.GetString(15),
                Site = r.GetString(16),
                StickId = Id(r, 17, "stick id"),
                Method = r.GetString(18),
                CollectorVersion = r.GetString(19),
                Flags = r.GetString(20).Length == 0 ? [] : r.GetString(20).Split(','),
            };
        }
        catch (FormatException e)
        {
            throw new StorageException($"capture #{r.GetInt64(1)} is unreadable: {e.Message}", e);
        }
    }

    private static Guid Id(SqliteDataReader r, int column, string what)
    {
        var text = r.GetString(column);
        return Guid.TryParse(text, out var id)
            ? id
            : throw new FormatException($"its {what} '{(text.Length <= 40 ? text : text[..40] + "…")}' is not a GUID");
    }

    private SqliteDataReader Run(SqliteCommand command, string doing)
    {
        try
        {
            return command.ExecuteReader();
        }
        catch (SqliteException e)
        {
            throw SqliteFailures.Explain(e, Path, doing);
        }
    }

    private bool Read(SqliteDataReader reader, string doing)
    {
        try
        {
            return reader.Read();
        }
        catch (SqliteException e)
        {
            throw SqliteFailures.Explain(e, Path, doing);
        }
    }
}
