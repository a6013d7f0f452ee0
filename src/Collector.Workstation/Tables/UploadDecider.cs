using Azure;

namespace Collector.Workstation.Tables;

/// <summary>
/// Decides what each device of a batch needs (<see cref="UploadDecision"/>): from the ETag the hub
/// stored, unread while the table has shown nothing this hub did not know, or from what the table
/// holds now. Every device claims its serial key first; it goes under its collision key
/// (<c>serial~uuid</c>) only once a read shows another device under the serial key, and one the
/// hub files under its collision key is read under both keys (<see cref="UploadDecision.BelongsUnderCollisionKey"/>).
/// One that cannot be placed is rejected.
/// </summary>
internal sealed class UploadDecider(TableConnection table, UploadLedger ledger)
{
    private readonly TableRowReader reader = new(table.Client);

    /// <summary>
    /// False while every device this hub never uploaded has turned out to be new to the table:
    /// those are added without reading first (a first sync into an empty table costs the writes
    /// alone). Set by the first conflict; written by the batch in flight, read by the next.
    /// </summary>
    private volatile bool tableHoldsOthers;

    /// <summary>
    /// The table holds rows this hub did not know of (another desk, the seed, a hub started
    /// afresh): from now on every batch reads before it writes.
    /// </summary>
    public void TableShowedOthers() => tableHoldsOthers = true;

    /// <summary>Decides every open item: from its stored ETag, or from what the table holds now. Rejected items leave <paramref name="open"/>.</summary>
    public async Task DecideAsync(Guid tenant, string partition, List<UploadItem> open, bool trustStoredETags, CancellationToken cancellationToken)
    {
        var toRead = new List<UploadItem>();
        foreach (var item in open)
        {
            item.Reset();
            if (trustStoredETags && !item.HubCollided && item.Pending.UploadedEtag is { } stored)
            {
                // The row held our previous capture when we last wrote or saw it: replace it if it
                // still does (If-Match); if anyone changed it since, the 412 sends us back to read.
                item.Decide(UploadAction.Replace, new ETag(stored));
            }
            else if (trustStoredETags && !item.HubCollided && item.Pending.UploadedCaptureId is null && !tableHoldsOthers)
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

        var collided = new List<UploadItem>();
        foreach (var item in toRead.Where(i => i.Action == UploadAction.Collision))
        {
            var problem = item.Collide(key => ledger.Hub(h => h.DeviceKeyTakenByAnother(tenant, key, item.Pending.DeviceId)));
            if (problem is null)
            {
                collided.Add(item);
                continue;
            }

            ledger.Reject(item.DeviceKey, problem);
            open.Remove(item);
        }

        await ReadAndDecideAsync(tenant, partition, collided, cancellationToken).ConfigureAwait(false);
        foreach (var item in collided.Where(i => i.Action == UploadAction.Collision))
        {
            ledger.Reject(item.DeviceKey, $"the table holds another device (SMBIOS UUID {item.Row?.SmbiosUuid}) under {item.DeviceKey} too");
            open.Remove(item);
        }
    }

    /// <summary>
    /// Reads each item's row and decides. An item the hub files under its collision key is read
    /// under both keys at once and placed first; an item whose serial key turns out to hold another
    /// device is left deciding <see cref="UploadAction.Collision"/>, to be moved and read again.
    /// </summary>
    private async Task ReadAndDecideAsync(Guid tenant, string partition, List<UploadItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        var keys = items.Select(i => i.RowKey)
            .Concat(items.Where(i => i.HubCollided && !i.Collided).Select(i => i.CollisionRowKey)).ToList();
        long known = 0;
        if (keys.Count >= 3)
        {
            var sorted = items.Select(i => i.DeviceKey).Order(StringComparer.Ordinal).ToList();
            known = ledger.Hub(h => h.CountDevicesBetween(tenant, sorted[0], sorted[^1]));
        }

        var rows = await table.CallAsync(TableOperation.Read,
            () => reader.ReadAsync(partition, keys, known, cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var item in items)
        {
            var row = rows.GetValueOrDefault(item.RowKey);
            if (item.HubCollided && !item.Collided)
            {
                var atCollision = rows.GetValueOrDefault(item.CollisionRowKey);
                if (UploadDecision.BelongsUnderCollisionKey(item.Capture.Capture.SmbiosUuid, row, atCollision) && item.Collide(_ => false) is null)
                {
                    row = atCollision;
                }
            }

            item.Row = row;
            item.Decide(UploadDecision.Decide(item.Capture, item.DeviceKey, row), row?.ETag ?? default);
        }
    }
}
