using Collector.Core.Captures;
using Collector.Core.Hashing;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>The queries behind <c>collector import</c>: CSV rows filed as captures.</summary>
public sealed partial class HubStore
{
    /// <summary>
    /// Starts filing one CSV file's captures in one transaction: <see cref="ImportSession.Commit"/>
    /// keeps them all, disposing without it keeps none (a file that turns out unreadable halfway).
    /// </summary>
    public ImportSession BeginImport()
    {
        try
        {
            return new ImportSession(this, connection.BeginTransaction(deferred: false));
        }
        catch (SqliteException e)
        {
            throw SqliteFailures.Explain(e, Path, "start the import");
        }
    }

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
        public bool Add(Capture capture)
        {
            try
            {
                if (AlreadyHeld(capture))
                {
                    return false;
                }

                var effective = capture.CapturedAt <= now ? capture.CapturedAt : now;
                hub.AddCapture(transaction, capture, effective, now);
                return true;
            }
            catch (SqliteException e)
            {
                throw SqliteFailures.Explain(e, hub.Path, "import the capture");
            }
        }

        public void Commit()
        {
            try
            {
                transaction.Commit();
            }
            catch (SqliteException e)
            {
                throw SqliteFailures.Explain(e, hub.Path, "save the import");
            }
        }

        public void Dispose() => transaction.Dispose();

        private bool AlreadyHeld(Capture capture) =>
            hub.statements.Scalar<long>(transaction, """
                SELECT EXISTS (SELECT 1 FROM captures WHERE capture_id = $id)
                    OR EXISTS (SELECT 1 FROM devices d JOIN captures c ON c.device_id = d.device_id
                               WHERE d.tenant_id = $tenant AND d.device_key IN ($key, $collision) AND c.hardware_hash = $hash)
                """,
                ("$id", capture.CaptureId.ToString("D")), ("$tenant", capture.TenantId.ToString("D")), ("$key", capture.DeviceKey),
                ("$collision", DeviceIdentity.CollisionKey(capture.DeviceKey, capture.SmbiosUuid)), ("$hash", capture.HardwareHash)) == 1;
    }
}
