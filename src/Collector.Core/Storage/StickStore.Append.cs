using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>What saving one capture did.</summary>
public sealed record AppendResult(Capture Capture, bool AlreadyOnStick, int DevicesOnStick);

/// <summary>Saving a capture on the stick: one transaction, then a read-back on a fresh connection.</summary>
public sealed partial class StickStore
{
    private static readonly string InsertCapture = $"INSERT INTO captures ({CaptureRow.Names}) VALUES ({CaptureRow.Parameters})";

    /// <summary>
    /// Saves one capture in one transaction and reads it back on a fresh connection. A serial
    /// another device on this stick already holds (other UUID) gets the collision key and flag.
    /// </summary>
    public AppendResult Append(CaptureDraft draft)
    {
        var (capture, already, devices) = SqliteFailures.Try(Path, "save the capture", () =>
        {
            using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE
            // Past every number given out before, those of captures a clear removed included.
            var seq = connection.Scalar<long>(transaction,
                "SELECT MAX((SELECT COALESCE(MAX(seq), 0) FROM captures), (SELECT last_seq FROM stick WHERE singleton = 1)) + 1");
            var capture = ResolveCollision(draft.ToCapture(Guid.CreateVersion7(draft.CapturedAt), seq, Info.StickId), transaction);
            var already = connection.Scalar<long>(transaction,
                "SELECT EXISTS (SELECT 1 FROM captures WHERE tenant_id = $tenant AND device_key = $key)",
                ("$tenant", capture.TenantId.ToString("D")), ("$key", capture.DeviceKey)) == 1;
            using (var insert = connection.Command(transaction, InsertCapture))
            {
                CaptureRow.Bind(capture, insert);
                insert.ExecuteNonQuery();
            }

            // A counter, not a COUNT(DISTINCT …) over every capture: O(1) on a stick holding thousands.
            var devices = (int)connection.Scalar<long>(transaction,
                "UPDATE stick SET device_count = device_count + $new, last_seq = $seq WHERE singleton = 1 RETURNING device_count",
                ("$new", already ? 0 : 1), ("$seq", seq));
            transaction.Commit();
            return (capture, already, devices);
        }, StickMedium.Explain);

        ReadBack(capture);
        return new AppendResult(capture, already, devices);
    }

    /// <summary>
    /// The capture as it is filed: under its serial, unless another device on this stick (another
    /// SMBIOS UUID) already holds that serial; then under the collision key, flagged.
    /// </summary>
    private Capture ResolveCollision(Capture capture, SqliteTransaction transaction)
    {
        if (capture.SmbiosUuid is not { } uuid || capture.DeviceKey.StartsWith(DeviceIdentity.UuidKeyPrefix, StringComparison.Ordinal))
        {
            return capture;
        }

        var other = connection.Scalar<long>(transaction, """
            SELECT EXISTS (SELECT 1 FROM captures WHERE tenant_id = $tenant AND device_key = $key
                           AND smbios_uuid IS NOT NULL AND smbios_uuid <> $uuid)
            """, ("$tenant", capture.TenantId.ToString("D")), ("$key", capture.DeviceKey), ("$uuid", uuid.ToString("D")));
        return other == 1
            ? capture with { DeviceKey = DeviceIdentity.CollisionKey(capture.DeviceKey, uuid), Flags = [.. capture.Flags, HashFlags.SerialCollision] }
            : capture;
    }

    /// <summary>Reads the row back on a new connection: what the file holds now, not our cache.</summary>
    private void ReadBack(Capture capture)
    {
        using var fresh = Connect(Path, SqliteOpenMode.ReadOnly);
        var stored = SqliteFailures.Try(Path, "read the capture back", () =>
            fresh.Scalar<string?>(null, "SELECT hardware_hash FROM captures WHERE capture_id = $id", ("$id", capture.CaptureId.ToString("D"))));
        if (stored != capture.HardwareHash)
        {
            throw new StorageException($"{Path}: the capture did not read back after saving; the stick may be failing, use another");
        }
    }
}
