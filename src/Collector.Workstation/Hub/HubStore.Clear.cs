using Collector.Core.Storage;

namespace Collector.Workstation.Hub;

/// <summary>
/// What the hub holds of one capture, as <c>collector stick clear</c> asks: its hash, byte for
/// byte as merged, and its device — the hub's key for it, the device's newest capture, and
/// whether Autopilot has the device (registered, or already there: 806).
/// </summary>
public sealed record HeldCapture(string HardwareHash, Guid TenantId, string DeviceKey, Guid NewestCaptureId, bool Registered);

/// <summary>The queries behind <c>collector stick clear</c>: it only reads the hub.</summary>
public sealed partial class HubStore
{
    /// <summary>
    /// Writes every merge the hub has committed into its main file and syncs it (a full WAL
    /// checkpoint): with synchronous=NORMAL a committed merge may still live only in the WAL,
    /// unsynced, and a clear must not remove from a stick what a power cut could take from the
    /// hub. Refuses (exit 3) when a reader keeps the checkpoint from finishing.
    /// </summary>
    public void MakeDurable() => SqliteFailures.Try(Path, "write the hub's merges through to its file", () =>
    {
        using var command = connection.Command(null, "PRAGMA wal_checkpoint(FULL)");
        using var reader = command.ExecuteReader();
        if (reader.Read() && reader.GetInt64(0) != 0)
        {
            throw new Core.Errors.StorageException($"{Path}: another program is reading the hub, so its merges cannot be written through to its file yet: close it and run the clear again; nothing was removed");
        }
    });

    /// <summary>True when a sync has merged stick <paramref name="stickId"/> into this hub.</summary>
    public bool HasMerged(Guid stickId) =>
        connection.Scalar<long>(null, "SELECT EXISTS (SELECT 1 FROM sticks WHERE stick_id = $stick)", ("$stick", stickId.ToString("D"))) == 1;

    /// <summary>The sequence numbers of stick <paramref name="stickId"/>'s captures the hub holds.</summary>
    public IReadOnlyList<long> SequencesOf(Guid stickId)
    {
        using var command = connection.Command(null, "SELECT seq FROM captures WHERE stick_id = $stick", ("$stick", stickId.ToString("D")));
        using var reader = command.ExecuteReader();
        var sequences = new List<long>();
        while (reader.Read())
        {
            sequences.Add(reader.GetInt64(0));
        }

        return sequences;
    }

    /// <summary>What the hub holds under <paramref name="captureId"/>, or null when it holds no such capture.</summary>
    public HeldCapture? Held(Guid captureId)
    {
        var statement = statements.Get($"""
            SELECT c.hardware_hash, d.tenant_id, d.device_key, d.newest_capture_id, {HubRegistration.InAutopilot}
            FROM captures c JOIN devices d ON d.device_id = c.device_id
            WHERE c.capture_id = $id
            """).Bind("$id", captureId.ToString("D"));
        if (!statement.Read())
        {
            return null;
        }

        var held = new HeldCapture(statement.GetString(0), Guid.Parse(statement.GetString(1)), statement.GetString(2),
            Guid.Parse(statement.GetString(3)), statement.GetInt64(4) == 1);
        statement.Reset();
        return held;
    }
}
