using Azure;
using Collector.Workstation.Hub;
using Collector.Workstation.Sync;

namespace Collector.Workstation.Tables;

/// <summary>
/// Where an upload keeps account: the hub (what the table holds, recorded right after each batch,
/// so an interrupted sync resumes) and the report. Batches in flight share it: the hub's
/// connection is not thread-safe, so every use of the hub and of the report is serialised here.
/// </summary>
internal sealed class UploadLedger(HubStore hub, SyncReport report)
{
    private readonly Lock hubGate = new();
    private readonly Lock reportGate = new();

    /// <summary>The hub's connection is not thread-safe: every use from the upload goes through this.</summary>
    public T Hub<T>(Func<HubStore, T> use)
    {
        lock (hubGate)
        {
            return use(hub);
        }
    }

    public void Reject(string deviceKey, string reason)
    {
        lock (reportGate)
        {
            report.Reject(deviceKey, reason);
        }
    }

    /// <summary>
    /// Records a batch the table took: the items sent with the ETags the service answered, the
    /// unchanged ones with the ETag read, those newer in the table without one (it belongs to
    /// another capture, and a later write must read first).
    /// </summary>
    public void Record(List<UploadItem> open, List<UploadItem> sending, IReadOnlyList<Response> responses)
    {
        var records = new List<UploadRecord>(open.Count);
        for (var i = 0; i < sending.Count; i++)
        {
            var etag = i < responses.Count ? responses[i].Headers.ETag?.ToString() : null;
            records.Add(sending[i].Record(etag));
        }

        foreach (var item in open)
        {
            switch (item.Action)
            {
                case UploadAction.Unchanged:
                    records.Add(item.Record(item.ETag.ToString()));
                    break;
                case UploadAction.NewerInTable:
                    records.Add(item.Record(null));
                    break;
            }
        }

        Hub(h =>
        {
            h.RecordUploads(records);
            return 0;
        });
        lock (reportGate)
        {
            report.Uploaded += sending.Count;
            report.Unchanged += open.Count(i => i.Action == UploadAction.Unchanged);
            report.NewerInTable += open.Count(i => i.Action == UploadAction.NewerInTable);
            report.Collisions += open.Count(i => i.Collided && i.HubKey != i.DeviceKey);
        }
    }
}
