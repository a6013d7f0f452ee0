using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Hub;

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

    /// <summary>
    /// No capture is older than Collector. A stick whose database a device created (no stick
    /// init) dates itself by that device's clock, which may be the flat-battery 2000-01-01 itself.
    /// </summary>
    public static readonly DateTimeOffset EarliestPlausibleCapture = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

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
                connection.Execute(null, $"PRAGMA page_size = {HubSchema.PageSize}");
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

            // Within a stick, a device's "newest" follows the sequence number: its effective times
            // never go back. Per device: one device's suspect clock must not move another's forward.
            var floors = new Dictionary<(Guid Tenant, string Key), DateTimeOffset>();
            var earliest = Max(stick.Info.CreatedAt - ClockSlackBefore, EarliestPlausibleCapture);
            foreach (var capture in stick.ReadCaptures())
            {
                var device = (capture.TenantId, capture.DeviceKey);
                var floor = floors.GetValueOrDefault(device, DateTimeOffset.MinValue);
                var existing = statements.Get("SELECT effective_at FROM captures WHERE capture_id = $id")
                    .Bind("$id", capture.CaptureId.ToString("D"));
                if (existing.Read())
                {
                    known++;
                    floors[device] = Max(floor, DbTime.Read(existing.GetString(0)));
                    existing.Reset();
                    continue;
                }

                var plausible = capture.CapturedAt >= earliest && capture.CapturedAt <= now + ClockSlackAfter;
                var effective = Max(plausible ? capture.CapturedAt : now, floor);
                floors[device] = effective;
                var stored = plausible ? capture : capture with { Flags = [.. capture.Flags, HashFlags.ClockSuspect] };
                AddCapture(stored, effective, now);
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
    /// the device's newest capture forward when this one is newer. <paramref name="devices"/> is
    /// what <see cref="FindDevices"/> returned for this capture's base key, when the caller
    /// already looked (import does, to see whether the hash is held).
    /// </summary>
    private void AddCapture(Capture capture, DateTimeOffset effectiveAt, DateTimeOffset mergedAt, KnownDevices? devices = null)
    {
        var tenant = capture.TenantId.ToString("D");
        var id = capture.CaptureId.ToString("D");
        var baseKey = BaseKey(capture);
        var collisionKey = DeviceIdentity.CollisionKey(baseKey, capture.SmbiosUuid);
        var (deviceId, key, collided, created) = ResolveDevice(devices ?? FindDevices(tenant, baseKey, collisionKey), capture, tenant, baseKey, collisionKey, id);
        if (collided && !capture.Flags.Contains(HashFlags.SerialCollision))
        {
            capture = capture with { Flags = [.. capture.Flags, HashFlags.SerialCollision] };
        }

        var effective = DbTime.Write(effectiveAt);
        statements.Get($"""
            INSERT INTO captures ({StickStore.CaptureColumns}, device_id, effective_at, merged_at)
            VALUES ($id, $seq, $tenant, $serial, $key, $hash, $uuid, $make, $model, $tpm, $nics, $pkid,
                    $tag, $user, $at, $tech, $site, $stick, $method, $version, $flags, $device, $effective, $merged)
            """)
            .Bind("$id", id).Bind("$seq", capture.StickSequence).Bind("$tenant", tenant).Bind("$serial", capture.Serial).Bind("$key", key)
            .Bind("$hash", capture.HardwareHash).Bind("$uuid", capture.SmbiosUuid?.ToString("D")).Bind("$make", capture.Manufacturer)
            .Bind("$model", capture.Model).Bind("$tpm", capture.TpmPresent ? 1 : 0).Bind("$nics", capture.NicCount)
            .Bind("$pkid", capture.ProductKeyId).Bind("$tag", capture.GroupTag).Bind("$user", capture.AssignedUser)
            .Bind("$at", DbTime.Write(capture.CapturedAt)).Bind("$tech", capture.Technician).Bind("$site", capture.Site)
            .Bind("$stick", capture.StickId.ToString("D")).Bind("$method", capture.Method).Bind("$version", capture.CollectorVersion)
            .Bind("$flags", string.Join(',', capture.Flags)).Bind("$device", deviceId).Bind("$effective", effective)
            .Bind("$merged", DbTime.Write(mergedAt))
            .Execute();

        // A device created for this capture already has it as its newest.
        if (created)
        {
            return;
        }

        // Newest = latest effective time; within one stick, the higher sequence; then capture id.
        statements.Get("""
            UPDATE devices SET newest_capture_id = $id
            WHERE device_id = $device AND (
                newest_capture_id = $id OR
                (SELECT (effective_at, seq, capture_id) < ($effective, $seq, $id)
                 FROM captures WHERE capture_id = devices.newest_capture_id))
            """).Bind("$id", id).Bind("$device", deviceId).Bind("$effective", effective).Bind("$seq", capture.StickSequence).Execute();
    }

    /// <summary>The device of a tenant under a key, if there is one.</summary>
    private readonly record struct DeviceRow(long Id, string? Uuid);

    /// <summary>The devices of a tenant under a serial key and under its collision key (<c>serial~uuid</c>).</summary>
    private readonly record struct KnownDevices(DeviceRow? Base, DeviceRow? Collision);

    /// <summary>Both keys a capture may be filed under, in one indexed lookup.</summary>
    private KnownDevices FindDevices(string tenant, string key, string collisionKey)
    {
        var statement = statements.Get("SELECT device_id, device_key, smbios_uuid FROM devices WHERE tenant_id = $tenant AND device_key IN ($key, $collision)")
            .Bind("$tenant", tenant).Bind("$key", key).Bind("$collision", collisionKey);
        DeviceRow? found = null, collision = null;
        while (statement.Read())
        {
            var row = new DeviceRow(statement.GetInt64(0), statement.GetNullableString(2));
            if (statement.GetString(1) == key)
            {
                found = row;
            }
            else
            {
                collision = row;
            }
        }

        return new KnownDevices(found, collision);
    }

    private (long DeviceId, string Key, bool Collided, bool Created) ResolveDevice(
        KnownDevices devices, Capture capture, string tenant, string baseKey, string collisionKey, string captureId)
    {
        var uuid = capture.SmbiosUuid?.ToString("D");
        if (devices.Base is { } device && (device.Uuid is null || uuid is null || device.Uuid == uuid))
        {
            return (device.Id, baseKey, false, false);
        }

        if (devices.Base is null)
        {
            // a device seen before under its collision key stays under it
            return devices.Collision is { } earlier
                ? (earlier.Id, collisionKey, true, false)
                : (CreateDevice(tenant, baseKey, capture, uuid, captureId), baseKey, false, true);
        }

        return devices.Collision is { } other
            ? (other.Id, collisionKey, true, false)
            : (CreateDevice(tenant, collisionKey, capture, uuid, captureId), collisionKey, true, true);
    }

    /// <summary>The key before any collision suffix the stick may already have added.</summary>
    private static string BaseKey(Capture capture)
    {
        var suffix = DeviceIdentity.CollisionSeparator + (capture.SmbiosUuid ?? Guid.Empty).ToString("D");
        return capture.Flags.Contains(HashFlags.SerialCollision) && capture.DeviceKey.EndsWith(suffix, StringComparison.Ordinal)
            ? capture.DeviceKey[..^suffix.Length]
            : capture.DeviceKey;
    }

    private long CreateDevice(string tenant, string key, Capture capture, string? uuid, string captureId)
    {
        var statement = statements.Get("""
            INSERT INTO devices (tenant_id, device_key, serial, smbios_uuid, newest_capture_id)
            VALUES ($tenant, $key, $serial, $uuid, $id) RETURNING device_id
            """).Bind("$tenant", tenant).Bind("$key", key).Bind("$serial", capture.Serial).Bind("$uuid", uuid).Bind("$id", captureId);
        if (!statement.Read())
        {
            throw new InvalidOperationException("INSERT … RETURNING returned no row");
        }

        var id = statement.GetInt64(0);
        statement.Reset();
        return id;
    }

    private const string HubCaptureColumns =
        "c.capture_id, c.seq, c.tenant_id, c.serial, c.device_key, c.hardware_hash, c.smbios_uuid, c.manufacturer, " +
        "c.model, c.tpm_present, c.nic_count, c.product_key_id, c.group_tag, c.assigned_user, c.captured_at, " +
        "c.technician, c.site, c.stick_id, c.method, c.collector_version, c.flags, c.effective_at";

    private static HubCapture ReadHubCapture(SqliteDataReader reader) =>
        new(StickStore.ReadCapture(reader), DbTime.Read(reader.GetString(21)));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

}
