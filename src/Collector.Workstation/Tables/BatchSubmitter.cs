using Azure;
using Azure.Data.Tables;

namespace Collector.Workstation.Tables;

/// <summary>
/// Sends a decided batch as one entity group transaction and has the outcome recorded. A
/// transaction that fails on a conflict (another desk wrote first, or a retried write had already
/// landed) is re-read and re-decided, at most <see cref="MaxConflictRounds"/> times, never resent
/// as it was; one the service refuses for one entity loses that entity (rejected) and goes again.
/// </summary>
internal sealed class BatchSubmitter(TableConnection table, UploadDecider decider, UploadLedger ledger)
{
    /// <summary>Re-read-and-decide rounds for one batch before its devices are reported as rejected.</summary>
    public const int MaxConflictRounds = 5;

    public async Task WriteAsync(Guid tenant, string partition, List<UploadItem> items, CancellationToken cancellationToken)
    {
        var open = new List<UploadItem>(items);
        var conflicts = 0;
        while (open.Count > 0)
        {
            var sending = open.Where(i => i.Action is UploadAction.Add or UploadAction.Replace).ToList();
            IReadOnlyList<Response> responses = [];
            if (sending.Count > 0)
            {
                try
                {
                    responses = (await table.CallAsync(TableOperation.Write,
                        () => table.Client.SubmitTransactionAsync(sending.Select(i => i.ToAction()), cancellationToken), cancellationToken).ConfigureAwait(false)).Value;
                }
                catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404)
                {
                    decider.TableShowedOthers();
                    // Someone wrote first, or a retry of ours had already landed: read again, decide again.
                    if (++conflicts == MaxConflictRounds)
                    {
                        foreach (var item in open)
                        {
                            ledger.Reject(item.DeviceKey, $"the table kept changing while this desk wrote it ({MaxConflictRounds} tries; another desk syncing the same devices?): run sync again");
                        }

                        return;
                    }

                    await decider.DecideAsync(tenant, partition, open, trustStoredETags: false, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex is int index && index < sending.Count)
                {
                    ledger.Reject(sending[index].DeviceKey, $"the table service refused it ({e.Status}{(string.IsNullOrEmpty(e.ErrorCode) ? "" : " " + e.ErrorCode)})");
                    open.Remove(sending[index]);
                    continue;
                }
            }

            ledger.Record(open, sending, responses);
            return;
        }
    }
}
