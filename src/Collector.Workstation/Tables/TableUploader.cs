using Azure.Data.Tables;
using Collector.Core.Errors;
using Collector.Workstation.Hub;
using Collector.Workstation.Sync;

namespace Collector.Workstation.Tables;

/// <summary>
/// Uploads the hub's devices to the table (design section 5): per tenant partition, the newest
/// capture of every device whose uploaded capture differs, in entity group transactions of at
/// most 100 actions — <c>Add</c> for a new row, <c>UpdateReplace</c> conditional on the ETag
/// for an older one, nothing where the table holds this or a newer capture. Devices never
/// uploaded are added unread until the table first shows a row this hub did not know (Add
/// refuses an existing row: the design's read-then-decide, paid only when it can matter; a
/// first sync into an empty table costs the writes alone). A transaction that
/// fails on a conflict (another desk wrote first, or a retried write had already landed) is
/// re-read and re-decided, a bounded number of times, never resent as it was. What the table
/// holds is recorded in the hub right after each batch, so an interrupted sync resumes and a
/// finished one repeated sends no write.
/// </summary>
/// <remarks>
/// This class pages through the hub and keeps transactions in flight; <see cref="UploadDecider"/>
/// decides, <see cref="BatchSubmitter"/> submits, <see cref="UploadLedger"/> records.
/// </remarks>
public sealed class TableUploader
{
    /// <summary>Transactions sent before the oldest is awaited: the client's work overlaps the service's.</summary>
    public const int TransactionsInFlight = 2;

    private readonly TableConnection table;
    private readonly SyncReport report;
    private readonly SyncProgress progress;
    private readonly UploadLedger ledger;
    private readonly UploadDecider decider;
    private readonly BatchSubmitter submitter;

    public TableUploader(HubStore hub, TableConnection table, SyncReport report, SyncProgress progress)
    {
        this.table = table;
        this.report = report;
        this.progress = progress;
        ledger = new UploadLedger(hub, report);
        decider = new UploadDecider(table, ledger);
        submitter = new BatchSubmitter(table, decider, ledger);
    }

    /// <summary>
    /// Checks that the table is there (creating it when <paramref name="createTable"/>) and that
    /// the credential may read it, then ties the hub's upload state to this table.
    /// </summary>
    public async Task PrepareAsync(bool createTable, CancellationToken cancellationToken)
    {
        try
        {
            await table.CallAsync(TableOperation.Read, async () =>
            {
                var probe = TableClient.CreateQueryFilter($"PartitionKey eq {""} and RowKey eq {""}");
                await foreach (var _ in table.Client.QueryAsync<TableEntity>(probe, maxPerPage: 1, select: ["RowKey"], cancellationToken)
                                   .AsPages().WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e) when (createTable && TableFailures.IsTableNotFound(e.InnerException))
        {
            await table.CallAsync(TableOperation.Create, () => table.Client.CreateIfNotExistsAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            report.TableCreated = true;
        }

        // The table's address, never its credential: a hub that last uploaded elsewhere starts over.
        ledger.Hub(h =>
        {
            h.UseUploadTarget(table.Address);
            return 0;
        });
    }

    /// <summary>
    /// Uploads every device waiting, tenant by tenant, batch by batch, with up to
    /// <see cref="TransactionsInFlight"/> transactions in flight: while the service works on one,
    /// the client reads, decides and serialises the next and records the last (batches hold
    /// different devices, so none changes what another reads). Hub and report access is
    /// serialised: the hub's connection is used from all of them. A stop (Ctrl+C) can leave both
    /// landed but unrecorded; the next sync reads them back and counts them unchanged.
    /// </summary>
    public async Task UploadAsync(CancellationToken cancellationToken)
    {
        progress.StartUpload(ledger.Hub(h => h.CountWaitingForUpload()));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        var inFlight = new Queue<Task>();
        try
        {
            foreach (var tenant in ledger.Hub(h => h.TenantsWaitingForUpload()))
            {
                var partition = DeviceEntity.PartitionKey(tenant);
                string? after = null;
                while (true)
                {
                    token.ThrowIfCancellationRequested();
                    var page = ledger.Hub(h => h.WaitingForUpload(tenant, after, EntityRules.MaxBatchActions));
                    if (page.Count == 0)
                    {
                        break;
                    }

                    after = page[^1].DeviceKey;
                    foreach (var batch in Batches(page))
                    {
                        await decider.DecideAsync(tenant, partition, batch, trustStoredETags: true, token).ConfigureAwait(false);
                        if (inFlight.Count == TransactionsInFlight)
                        {
                            await inFlight.Dequeue().ConfigureAwait(false);
                        }

                        inFlight.Enqueue(submitter.WriteAsync(tenant, partition, batch, token));
                    }

                    progress.Uploaded(page.Count);
                }
            }

            while (inFlight.Count > 0)
            {
                await inFlight.Dequeue().ConfigureAwait(false);
            }
        }
        finally
        {
            // Transactions are left here only when something failed: stop them rather than let
            // them run their retry schedule, and wait for them, since none may outlive the hub,
            // which is closed next. The first failure is the one reported; theirs are dropped.
            if (inFlight.Count > 0)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(inFlight).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                }
            }
        }
    }

    /// <summary>Valid items in batches within the transaction limits (count and bytes); invalid ones rejected.</summary>
    private IEnumerable<List<UploadItem>> Batches(IReadOnlyList<PendingUpload> page)
    {
        var batch = new List<UploadItem>();
        long bytes = 0;
        foreach (var pending in page)
        {
            var item = new UploadItem(pending);
            if (EntityRules.Problem(item.Entity) is { } problem)
            {
                ledger.Reject(item.DeviceKey, problem);
                continue;
            }

            var size = EntityRules.Size(item.Entity);
            if (batch.Count > 0 && (batch.Count == EntityRules.MaxBatchActions || bytes + size > EntityRules.MaxBatchBytes))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }

            batch.Add(item);
            bytes += size;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
