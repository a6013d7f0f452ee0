using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Hub;

/// <summary>The queries behind <c>collector import</c>: CSV rows filed as captures.</summary>
public sealed partial class HubStore
{
    /// <summary>
    /// Starts filing one CSV file's captures in one transaction: <see cref="ImportSession.Commit"/>
    /// keeps them all, disposing without it keeps none (a file that turns out unreadable halfway).
    /// </summary>
    public ImportSession BeginImport() =>
        SqliteFailures.Try(Path, "start the import", () => new ImportSession(this, connection.BeginTransaction(deferred: false)));

    /// <summary>One file's import; see <see cref="BeginImport"/>.</summary>
    public sealed class ImportSession : IDisposable
    {
        private readonly HubStore hub;
        private readonly SqliteTransaction transaction;
        private readonly DateTimeOffset now;

        internal ImportSession(HubStore hub, SqliteTransaction transaction)
        {
            this.hub = hub;
            this.transaction = transaction;
            now = hub.clock.GetUtcNow();
        }

        /// <summary>
        /// Files the capture under its device, unless the hub already holds it: the same capture
        /// id, or the same hash on that device (a file exported from this hub and imported back).
        /// Returns false when it was already there. Its effective time is its capture time, but
        /// never later than now.
        /// </summary>
        public bool Add(Capture capture) => SqliteFailures.Try(hub.Path, "import the capture", () =>
        {
            var id = capture.CaptureId.ToString("D");
            if (hub.statements.Get("SELECT 1 FROM captures WHERE capture_id = $id").Bind("$id", id).Exists())
            {
                return false;
            }

            // The devices under the capture's key or its collision key: the hash is looked
            // for among their captures, and, for a key without a collision suffix (every CSV
            // row), the same lookup files the capture.
            var tenant = capture.TenantId.ToString("D");
            var devices = hub.FindDevices(tenant, capture.DeviceKey, DeviceIdentity.CollisionKey(capture.DeviceKey, capture.SmbiosUuid));
            if ((devices.Base ?? devices.Collision) is not null && hub.statements.Get("""
                    SELECT 1 FROM captures WHERE device_id IN ($device, $collision) AND hardware_hash = $hash
                    """)
                .Bind("$device", devices.Base?.Id).Bind("$collision", devices.Collision?.Id).Bind("$hash", capture.HardwareHash).Exists())
            {
                return false;
            }

            var effective = capture.CapturedAt <= now ? capture.CapturedAt : now;
            hub.AddCapture(capture, effective, now, BaseKey(capture) == capture.DeviceKey ? devices : null);
            return true;
        });

        public void Commit() => SqliteFailures.Try(hub.Path, "save the import", transaction.Commit);

        public void Dispose() => transaction.Dispose();
    }
}
