using Azure;
using Azure.Data.Tables;

namespace Collector.Workstation.Tables;

/// <summary>
/// Sends a decided batch as one entity group transaction and has the outcome recorded. A
/// transaction that fails on a conflict (another desk wrote first, or a retried write had already
/// landed) is re-read and re-decided, at most <see cref="MaxConflictRounds"/> times, never resent
/// as it was; one the service refuses for one entity loses that entity (rejected) and goes again.
/// Two devices of a batch that claim the same row (they share a serial, and the table had neither)
/// cannot both be in one transaction: the one the hub files under that key goes first, and the
/// other is decided again once it is written, when it reads the first there and takes its collision key.
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
            var (sending, waiting) = Sending(open);
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

            ledger.Record([.. open.Except(waiting)], sending, responses);
            if (waiting.Count == 0)
            {
                return;
            }

            open = waiting;
            await decider.DecideAsync(tenant, partition, open, trustStoredETags: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The items to send now, at most one per row, and those that wait for the next round: of two
    /// claiming one row, the one the hub already files under its key goes first.
    /// </summary>
    private static (List<UploadItem> Sending, List<UploadItem> Waiting) Sending(List<UploadItem> open)
    {
        var writes = open.Where(i => i.Action is UploadAction.Add or UploadAction.Replace).ToList();
        var sending = new List<UploadItem>(writes.Count);
        var waiting = new List<UploadItem>();
        foreach (var claim in writes.GroupBy(i => i.RowKey, StringComparer.Ordinal))
        {
            var first = claim.FirstOrDefault(i => i.HubKey == i.DeviceKey) ?? claim.First();
            sending.Add(first);
            waiting.AddRange(claim.Where(i => i != first));
        }

        return (sending, waiting);
    }
}
