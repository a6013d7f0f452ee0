using Collector.Workstation.Hub;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Workstation.Sync;

namespace Collector.Workstation.Azure;

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
public sealed class TableUploader
{
    /// <summary>Re-read-and-decide rounds for one batch before its devices are reported as rejected.</summary>
    public const int MaxConflictRounds = 5;

    /// <summary>Transactions sent before the oldest is awaited: the client's work overlaps the service's.</summary>
    public const int TransactionsInFlight = 2;

    private readonly HubStore hub;
    private readonly TableClient table;
    private readonly TableTarget target;
    private readonly SyncReport report;
    private readonly SyncProgress progress;
    private readonly TimeProvider clock;
    private readonly TableRowReader reader;
    private readonly int tries;
    private readonly Lock hubGate = new();
    private readonly Lock reportGate = new();

    /// <summary>
    /// False while every device this hub never uploaded has turned out to be new to the table:
    /// those are added without reading first (a first sync into an empty table costs the writes
    /// alone). Set by the first conflict; written by the batch in flight, read by the next.
    /// </summary>
    private volatile bool tableHoldsOthers;

    public TableUploader(HubStore hub, TableClient table, TableTarget target, TableClientOptions options,
        SyncReport report, SyncProgress progress, TimeProvider clock)
    {
        this.hub = hub;
        this.table = table;
        this.target = target;
        this.report = report;
        this.progress = progress;
        this.clock = clock;
        reader = new TableRowReader(table);
        tries = options.Retry.MaxRetries + 1;
    }

    /// <summary>
    /// The SDK's exponential retry (408, 429, 5xx, timeouts, resets), with more tries than its
    /// default 3: a desk on a poor network should finish rather than stop. No retry loop of ours
    /// wraps it; conflicts are re-decided, not retried.
    /// </summary>
    public static TableClientOptions DefaultClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 6;
        options.Retry.Delay = TimeSpan.FromSeconds(1);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        options.Diagnostics.ApplicationId = CollectorApp.Name;
        return options;
    }

    /// <summary>
    /// Checks that the table is there (creating it when <paramref name="createTable"/>) and that
    /// the credential may read it, then ties the hub's upload state to this table.
    /// </summary>
    public async Task PrepareAsync(bool createTable, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(TableOperation.Read, async () =>
            {
                var probe = TableClient.CreateQueryFilter($"PartitionKey eq {""} and RowKey eq {""}");
                await foreach (var _ in table.QueryAsync<TableEntity>(probe, maxPerPage: 1, select: ["RowKey"], cancellationToken)
                                   .AsPages().WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Core.Errors.CloudException e) when (createTable && e.InnerException is RequestFailedException { Status: 404, ErrorCode: "TableNotFound" })
        {
            await CallAsync(TableOperation.Create, () => table.CreateIfNotExistsAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            report.TableCreated = true;
        }

        // The table's address, never its credential: a hub that last uploaded elsewhere starts over.
        hub.UseUploadTarget(table.Uri.GetLeftPart(UriPartial.Path).ToLowerInvariant());
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
        progress.StartUpload(Hub(h => h.CountWaitingForUpload()));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        var inFlight = new Queue<Task>();
        try
        {
            foreach (var tenant in Hub(h => h.TenantsWaitingForUpload()))
            {
                var partition = DeviceEntity.PartitionKey(tenant);
                string? after = null;
                while (true)
                {
                    token.ThrowIfCancellationRequested();
                    var page = Hub(h => h.WaitingForUpload(tenant, after, EntityRules.MaxBatchActions));
                    if (page.Count == 0)
                    {
                        break;
                    }

                    after = page[^1].DeviceKey;
                    foreach (var batch in Batches(page))
                    {
                        await DecideAsync(tenant, partition, batch, trustStoredETags: true, token).ConfigureAwait(false);
                        if (inFlight.Count == TransactionsInFlight)
                        {
                            await inFlight.Dequeue().ConfigureAwait(false);
                        }

                        inFlight.Enqueue(WriteAsync(tenant, partition, batch, token));
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
    private IEnumerable<List<Item>> Batches(IReadOnlyList<PendingUpload> page)
    {
        var batch = new List<Item>();
        long bytes = 0;
        foreach (var pending in page)
        {
            var item = new Item(pending);
            if (EntityRules.Problem(item.Entity) is { } problem)
            {
                Reject(item.DeviceKey, problem);
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

    /// <summary>
    /// Sends a decided batch as one transaction and records the outcome in the hub; on a
    /// conflict, reads everything again (ignoring stored ETags) and decides again, at most
    /// <see cref="MaxConflictRounds"/> times.
    /// </summary>
    private async Task WriteAsync(Guid tenant, string partition, List<Item> items, CancellationToken cancellationToken)
    {
        var open = new List<Item>(items);
        var conflicts = 0;
        while (open.Count > 0)
        {
            var sending = open.Where(i => i.Action is UploadAction.Add or UploadAction.Replace).ToList();
            IReadOnlyList<Response> responses = [];
            if (sending.Count > 0)
            {
                try
                {
                    responses = (await CallAsync(TableOperation.Write,
                        () => table.SubmitTransactionAsync(sending.Select(i => i.ToAction()), cancellationToken), cancellationToken).ConfigureAwait(false)).Value;
                }
                catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404)
                {
                    // The table holds rows this hub did not know of (another desk, the seed, a
                    // hub started afresh): from now on every batch reads before it writes.
                    tableHoldsOthers = true;
                    // Someone wrote first, or a retry of ours had already landed: read again, decide again.
                    if (++conflicts == MaxConflictRounds)
                    {
                        foreach (var item in open)
                        {
                            Reject(item.DeviceKey, $"the table kept changing while this desk wrote it ({MaxConflictRounds} tries; another desk syncing the same devices?): run sync again");
                        }

                        return;
                    }

                    await DecideAsync(tenant, partition, open, trustStoredETags: false, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex is int index && index < sending.Count)
                {
                    Reject(sending[index].DeviceKey, $"the table service refused it ({e.Status}{(string.IsNullOrEmpty(e.ErrorCode) ? "" : " " + e.ErrorCode)})");
                    open.Remove(sending[index]);
                    continue;
                }
            }

            Record(open, sending, responses);
            return;
        }
    }

    /// <summary>Decides every open item: from its stored ETag, or from what the table holds now.</summary>
    private async Task DecideAsync(Guid tenant, string partition, List<Item> open, bool trustStoredETags, CancellationToken cancellationToken)
    {
        var toRead = new List<Item>();
        foreach (var item in open)
        {
            if (trustStoredETags && !item.Collided && item.Pending.UploadedEtag is { } stored)
            {
                // The row held our previous capture when we last wrote or saw it: replace it if it
                // still does (If-Match); if anyone changed it since, the 412 sends us back to read.
                item.Decide(UploadAction.Replace, new ETag(stored));
            }
            else if (trustStoredETags && !item.Collided && item.Pending.UploadedCaptureId is null && !tableHoldsOthers)
            {
                // Never seen in this table, and the table has not yet shown us a row we did not
                // know: add it unread. Add never overwrites: if the row is there after all, the
                // 409 sends the batch back to read and decide, as any conflict does.
                item.Decide(UploadAction.Add, default);
            }
            else
            {
                toRead.Add(item);
            }
        }

        await ReadAndDecideAsync(tenant, partition, toRead, cancellationToken).ConfigureAwait(false);

        var collided = new List<Item>();
        foreach (var item in toRead.Where(i => i.Action == UploadAction.Collision))
        {
            var problem = item.Collide(key => Hub(h => h.DeviceKeyTaken(tenant, key)));
            if (problem is null)
            {
                collided.Add(item);
                continue;
            }

            Reject(item.DeviceKey, problem);
            open.Remove(item);
        }

        await ReadAndDecideAsync(tenant, partition, collided, cancellationToken).ConfigureAwait(false);
        foreach (var item in collided.Where(i => i.Action == UploadAction.Collision))
        {
            Reject(item.DeviceKey, $"the table holds another device (SMBIOS UUID {item.Row?.SmbiosUuid}) under {item.DeviceKey} too");
            open.Remove(item);
        }
    }

    private async Task ReadAndDecideAsync(Guid tenant, string partition, List<Item> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        long known = 0;
        if (items.Count >= 3)
        {
            var keys = items.Select(i => i.DeviceKey).Order(StringComparer.Ordinal).ToList();
            known = Hub(h => h.CountDevicesBetween(tenant, keys[0], keys[^1]));
        }

        var rows = await CallAsync(TableOperation.Read,
            () => reader.ReadAsync(partition, items.Select(i => i.RowKey).ToList(), known, cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var item in items)
        {
            var row = rows.GetValueOrDefault(item.RowKey);
            item.Row = row;
            item.Decide(UploadDecision.Decide(item.Capture, item.DeviceKey, row), row?.ETag ?? default);
        }
    }

    private void Record(List<Item> open, List<Item> sending, IReadOnlyList<Response> responses)
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
                    // No ETag: it belongs to another capture, and a later write must read first.
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
            report.Collisions += open.Count(i => i.Collided);
        }
    }

    /// <summary>The hub's connection is not thread-safe: every use from here goes through this.</summary>
    private T Hub<T>(Func<HubStore, T> use)
    {
        lock (hubGate)
        {
            return use(hub);
        }
    }

    private void Reject(string deviceKey, string reason)
    {
        lock (reportGate)
        {
            report.Reject(deviceKey, reason);
        }
    }

    /// <summary>Runs one table call; what the service or network said becomes a <see cref="Core.Errors.CloudException"/>.</summary>
    private async Task<T> CallAsync<T>(TableOperation operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex is not null && e.Status is not (401 or 403) && e.ErrorCode != "TableNotFound")
        {
            throw; // one action's fault: the batch loop re-decides or rejects it
        }
        catch (Exception e) when (TableFailures.IsTableFailure(e, cancellationToken))
        {
            throw TableFailures.Explain(e, target, operation, clock.GetUtcNow(), tries);
        }
    }

    /// <summary>One device in a batch: its entity, and what was decided for it.</summary>
    private sealed class Item(PendingUpload pending)
    {
        public PendingUpload Pending { get; } = pending;

        public string DeviceKey { get; private set; } = pending.DeviceKey;

        public bool Collided { get; private set; }

        public HubCapture Capture { get; private set; } = pending.Newest with { Capture = pending.Newest.Capture with { DeviceKey = pending.DeviceKey } };

        public TableEntity Entity => entity ??= DeviceEntity.From(Capture);

        public string RowKey => Entity.RowKey;

        public TableRow? Row { get; set; }

        public UploadAction Action { get; private set; }

        public ETag ETag { get; private set; }

        private TableEntity? entity;

        public void Decide(UploadAction action, ETag etag)
        {
            Action = action;
            ETag = etag;
        }

        /// <summary>Moves the device to <c>serial~uuid</c>; null when it can, otherwise why not.</summary>
        public string? Collide(Func<string, bool> keyTakenInHub)
        {
            var capture = Capture.Capture;
            var key = DeviceIdentity.CollisionKey(DeviceKey, capture.SmbiosUuid);
            if (Collided || capture.Flags.Contains(HashFlags.SerialCollision))
            {
                return $"the table holds another device (SMBIOS UUID {Row?.SmbiosUuid}) under {DeviceKey}, which is already this device's collision key";
            }

            if (keyTakenInHub(key))
            {
                return $"the table holds another device under {DeviceKey}, and this hub already has a device under {key}";
            }

            var moved = Capture with { Capture = capture with { DeviceKey = key, Flags = [.. capture.Flags, HashFlags.SerialCollision] } };
            var candidate = DeviceEntity.From(moved);
            if (EntityRules.Problem(candidate) is { } problem)
            {
                return problem;
            }

            DeviceKey = key;
            Capture = moved;
            entity = candidate;
            Collided = true;
            return null;
        }

        public TableTransactionAction ToAction() => Action == UploadAction.Add
            ? new TableTransactionAction(TableTransactionActionType.Add, Entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity, ETag);

        public UploadRecord Record(string? etag) =>
            new(Pending.DeviceId, Capture.Capture.CaptureId, etag, Collided ? DeviceKey : null);
    }
}
