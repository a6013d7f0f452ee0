using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>What merging one stick did.</summary>
public sealed record MergeResult(Guid StickId, int NewCaptures, int KnownCaptures);

/// <summary>A capture as the hub holds it: with the time "newest" is decided by.</summary>
public sealed record HubCapture(Capture Capture, DateTimeOffset EffectiveAt);

/// <summary>
/// The workstation's hub: a SQLite file in WAL mode holding every capture from every stick (by
/// capture id, so merging a stick twice changes nothing), the sticks seen, and per device what was
/// last uploaded and exported. This file holds the schema, opening and merging; the upload,
/// export and import queries live in the other <c>HubStore.*.cs</c> files of this partial class.
/// </summary>
public sealed partial class HubStore : IDisposable
{
    public const int ApplicationId = HubSchema.ApplicationId;
    public const int SchemaVersion = HubSchema.Version;

    /// <summary>How far before its stick was made a capture may claim to be and still be believed.</summary>
    public static readonly TimeSpan ClockSlackBefore = TimeSpan.FromDays(1);

    /// <summary>How far after the merge a capture may claim to be (the desk's own clock drifts too).</summary>
    public static readonly TimeSpan ClockSlackAfter = TimeSpan.FromHours(1);

    /// <summary>How long a writer waits for another one to finish before saying so.</summary>
    public static readonly TimeSpan DefaultLockWait = TimeSpan.FromSeconds(10);

    private readonly SqliteConnection connection;
    private readonly TimeProvider clock;
    private readonly HubLock? writerLock;
    private readonly PreparedStatements statements;

    private HubStore(string path, SqliteConnection connection, TimeProvider clock, HubLock? writerLock)
    {
        Path = path;
        this.connection = connection;
        this.clock = clock;
        this.writerLock = writerLock;
        statements = new PreparedStatements(connection);
    }

    public string Path { get; }

    /// <summary>The default hub: under the user's local application data (COLLECTOR_HUB or --hub move it).</summary>
    public static string DefaultPath =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Collector", "hub.db");

    /// <summary>
    /// Opens the hub at <paramref name="path"/>, creating it (and its folder) when missing. A
    /// writer (sync, export, import) holds the <see cref="HubLock"/> until Dispose, waiting at most
    /// <paramref name="lockWait"/> (default <see cref="DefaultLockWait"/>) for another to finish;
    /// <paramref name="readOnly"/> readers (status) take no lock, WAL lets them read alongside.
    /// </summary>
    public static HubStore Open(string path, TimeProvider clock, bool readOnly = false, TimeSpan? lockWait = null)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot create the folder of the hub {path} ({e.Message})", e);
        }

        if (readOnly && DatabaseFile.Inspect(path, ApplicationId).Kind is DatabaseFileKind.Missing)
        {
            // A reader never creates a hub: a mistyped --hub would otherwise look like an empty one.
            throw new StorageException($"no hub at {path}: nothing has been synced there yet ('collector sync PATH' creates it)");
        }

        var writerLock = readOnly ? null : HubLock.Acquire(path, lockWait ?? DefaultLockWait);
        try
        {
            var file = DatabaseFile.Inspect(path, ApplicationId);
            Refuse(file, path);
            return new HubStore(path, Connect(path, create: file.Kind is DatabaseFileKind.Missing or DatabaseFileKind.Empty), clock, writerLock);
        }
        catch
        {
            writerLock?.Dispose();
            throw;
        }
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

    private static SqliteConnection Connect(string path, bool create)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            connection.Open();
            if (create)
            {
                // Schema first, in rollback mode, so that the header (application id, version)
                // is in the main file at once, where DatabaseFile.Inspect reads it; then WAL.
                using var transaction = connection.BeginTransaction(deferred: false);
                connection.Execute(transaction, $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {SchemaVersion};\n{HubSchema.Create}");
                transaction.Commit();
            }

            connection.Execute(null, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw SqliteFailures.Explain(e, path, create ? "create the hub" : "open the hub");
        }
    }

    /// <summary>
    /// Merges every capture of <paramref name="stick"/> not yet in the hub, in one transaction:
    /// merging the same stick again adds nothing. <paramref name="stickPath"/> is where the stick
    /// was read from (shown by status).
    /// </summary>
    public MergeResult Merge(StickStore stick, string stickPath)
    {
        var now = clock.GetUtcNow();
        var stickId = stick.Info.StickId.ToString("D");
        int added = 0, known = 0;
        try
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            connection.Execute(transaction, """
                INSERT INTO sticks (stick_id, created_at, first_merged_at, last_merged_at, last_path, captures)
                VALUES ($stick, $created, $now, $now, $path, 0)
                ON CONFLICT (stick_id) DO UPDATE SET last_merged_at = $now, last_path = $path
                """, ("$stick", stickId), ("$created", DbTime.Write(stick.Info.CreatedAt)), ("$now", DbTime.Write(now)), ("$path", stickPath));

            // Within a stick, "newest" follows the sequence number: effective times never go back.
            var floor = DateTimeOffset.MinValue;
            foreach (var capture in stick.ReadCaptures())
            {
                var existing = statements.Scalar<string?>(transaction, "SELECT effective_at FROM captures WHERE capture_id = $id",
                    ("$id", capture.CaptureId.ToString("D")));
                if (existing is not null)
                {
                    known++;
                    floor = Max(floor, DbTime.Read(existing));
                    continue;
                }

                var plausible = capture.CapturedAt >= stick.Info.CreatedAt - ClockSlackBefore && capture.CapturedAt <= now + ClockSlackAfter;
                var effective = Max(plausible ? capture.CapturedAt : now, floor);
                floor = effective;
                var stored = plausible ? capture : capture with { Flags = [.. capture.Flags, HashFlags.ClockSuspect] };
                AddCapture(transaction, stored, effective, now);
                added++;
            }

            connection.Execute(transaction, "UPDATE sticks SET captures = captures + $added WHERE stick_id = $stick",
                ("$added", added), ("$stick", stickId));
            transaction.Commit();
        }
        catch (SqliteException e)
        {
            throw SqliteFailures.Explain(e, Path, "merge the stick");
        }

        return new MergeResult(stick.Info.StickId, added, known);
    }

    /// <summary>The newest capture of every device of <paramref name="tenant"/> (all tenants when null), in device-key order.</summary>
    public IEnumerable<HubCapture> NewestCaptures(Guid? tenant = null)
    {
        using var command = connection.Command(null, $"""
            SELECT {HubCaptureColumns} FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
            WHERE $tenant IS NULL OR d.tenant_id = $tenant
            ORDER BY d.tenant_id, d.device_key
            """, ("$tenant", tenant?.ToString("D")));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return ReadHubCapture(reader);
        }
    }

    /// <summary>Every capture of one device, newest first: its audit trail.</summary>
    public IReadOnlyList<HubCapture> History(Guid tenant, string deviceKey)
    {
        using var command = connection.Command(null, $"""
            SELECT {HubCaptureColumns} FROM captures c JOIN devices d ON d.device_id = c.device_id
            WHERE d.tenant_id = $tenant AND d.device_key = $key
            ORDER BY c.effective_at DESC, c.seq DESC, c.capture_id DESC
            """, ("$tenant", tenant.ToString("D")), ("$key", deviceKey));
        using var reader = command.ExecuteReader();
        var list = new List<HubCapture>();
        while (reader.Read())
        {
            list.Add(ReadHubCapture(reader));
        }

        return list;
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

    /// <summary>
    /// Files one capture under its device, creating the device or resolving a serial collision
    /// (same serial, other UUID: the later one is keyed <c>serial~uuid</c> and flagged), and moves
    /// the device's newest capture forward when this one is newer.
    /// </summary>
    private void AddCapture(SqliteTransaction transaction, Capture capture, DateTimeOffset effectiveAt, DateTimeOffset mergedAt)
    {
        var tenant = capture.TenantId.ToString("D");
        var (deviceId, key, collided) = ResolveDevice(transaction, capture, tenant);
        if (collided && !capture.Flags.Contains(HashFlags.SerialCollision))
        {
            capture = capture with { Flags = [.. capture.Flags, HashFlags.SerialCollision] };
        }

        var id = capture.CaptureId.ToString("D");
        statements.Execute(transaction, $"""
            INSERT INTO captures ({StickStore.CaptureColumns}, device_id, effective_at, merged_at)
            VALUES ($id, $seq, $tenant, $serial, $key, $hash, $uuid, $make, $model, $tpm, $nics, $pkid,
                    $tag, $user, $at, $tech, $site, $stick, $method, $version, $flags, $device, $effective, $merged)
            """,
            ("$id", id), ("$seq", capture.StickSequence), ("$tenant", tenant), ("$serial", capture.Serial), ("$key", key),
            ("$hash", capture.HardwareHash), ("$uuid", capture.SmbiosUuid?.ToString("D")), ("$make", capture.Manufacturer),
            ("$model", capture.Model), ("$tpm", capture.TpmPresent ? 1 : 0), ("$nics", capture.NicCount),
            ("$pkid", capture.ProductKeyId), ("$tag", capture.GroupTag), ("$user", capture.AssignedUser),
            ("$at", DbTime.Write(capture.CapturedAt)), ("$tech", capture.Technician), ("$site", capture.Site),
            ("$stick", capture.StickId.ToString("D")), ("$method", capture.Method), ("$version", capture.CollectorVersion),
            ("$flags", string.Join(',', capture.Flags)), ("$device", deviceId), ("$effective", DbTime.Write(effectiveAt)),
            ("$merged", DbTime.Write(mergedAt)));

        // Newest = latest effective time; within one stick, the higher sequence; then capture id.
        statements.Execute(transaction, """
            UPDATE devices SET newest_capture_id = $id
            WHERE device_id = $device AND (
                newest_capture_id = $id OR
                (SELECT (effective_at, seq, capture_id) < ($effective, $seq, $id)
                 FROM captures WHERE capture_id = devices.newest_capture_id))
            """, ("$id", id), ("$device", deviceId), ("$effective", DbTime.Write(effectiveAt)), ("$seq", capture.StickSequence));
    }

    private (long DeviceId, string Key, bool Collided) ResolveDevice(SqliteTransaction transaction, Capture capture, string tenant)
    {
        var baseKey = BaseKey(capture);
        var uuid = capture.SmbiosUuid?.ToString("D");
        var found = FindDevice(transaction, tenant, baseKey);
        if (found is { } device && (device.Uuid is null || uuid is null || device.Uuid == uuid))
        {
            return (device.Id, baseKey, false);
        }

        if (found is null)
        {
            // a device seen before under its collision key stays under it
            var collisionKey = DeviceIdentity.CollisionKey(baseKey, capture.SmbiosUuid);
            return FindDevice(transaction, tenant, collisionKey) is { } earlier
                ? (earlier.Id, collisionKey, true)
                : (CreateDevice(transaction, tenant, baseKey, capture), baseKey, false);
        }

        var key = DeviceIdentity.CollisionKey(baseKey, capture.SmbiosUuid);
        return FindDevice(transaction, tenant, key) is { } other
            ? (other.Id, key, true)
            : (CreateDevice(transaction, tenant, key, capture), key, true);
    }

    /// <summary>The key before any collision suffix the stick may already have added.</summary>
    private static string BaseKey(Capture capture)
    {
        var suffix = DeviceIdentity.CollisionSeparator + (capture.SmbiosUuid ?? Guid.Empty).ToString("D");
        return capture.Flags.Contains(HashFlags.SerialCollision) && capture.DeviceKey.EndsWith(suffix, StringComparison.Ordinal)
            ? capture.DeviceKey[..^suffix.Length]
            : capture.DeviceKey;
    }

    private (long Id, string? Uuid)? FindDevice(SqliteTransaction transaction, string tenant, string key)
    {
        var command = statements.Command(transaction, "SELECT device_id, smbios_uuid FROM devices WHERE tenant_id = $tenant AND device_key = $key",
            ("$tenant", tenant), ("$key", key));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
    }

    private long CreateDevice(SqliteTransaction transaction, string tenant, string key, Capture capture) =>
        statements.Scalar<long>(transaction, """
            INSERT INTO devices (tenant_id, device_key, serial, smbios_uuid, newest_capture_id)
            VALUES ($tenant, $key, $serial, $uuid, $id) RETURNING device_id
            """, ("$tenant", tenant), ("$key", key), ("$serial", capture.Serial),
            ("$uuid", capture.SmbiosUuid?.ToString("D")), ("$id", capture.CaptureId.ToString("D")));

    private const string HubCaptureColumns =
        "c.capture_id, c.seq, c.tenant_id, c.serial, c.device_key, c.hardware_hash, c.smbios_uuid, c.manufacturer, " +
        "c.model, c.tpm_present, c.nic_count, c.product_key_id, c.group_tag, c.assigned_user, c.captured_at, " +
        "c.technician, c.site, c.stick_id, c.method, c.collector_version, c.flags, c.effective_at";

    private static HubCapture ReadHubCapture(SqliteDataReader reader) =>
        new(StickStore.ReadCapture(reader), DbTime.Read(reader.GetString(21)));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

}
