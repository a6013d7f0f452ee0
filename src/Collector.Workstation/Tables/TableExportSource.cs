using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Workstation.Csv;
using Collector.Workstation.Export;

namespace Collector.Workstation.Tables;

/// <summary>
/// Exports from an Azure table: each row is a device's newest capture (sync keeps it so). Works
/// on rows the seed script wrote too, which have only its four columns: the device key is the
/// RowKey decoded, and the serial, manufacturer and model are read from the hash (records 14,
/// 16, 17), as for every row. A row counts as exported while it carries the format's mark
/// (<c>Exported_At</c> for the Autopilot CSV, <c>Identifiers_Exported_At</c>,
/// <c>Partner_Exported_At</c>); sync replaces a row with a newer capture whole, which drops them. Marks are merge updates conditional on the ETag read, so
/// a row a sync replaced meanwhile is left waiting with its newer capture. Every call goes through
/// the connection, which explains what the service or the network said.
/// </summary>
public sealed class TableExportSource(TableConnection table, Guid? tenant, bool all, ExportFormat? format = null) : IExportSource
{
    private readonly (string At, string Batch) marks = DeviceEntity.ExportMarks((format ?? ExportFormat.Autopilot).Name);

    // $select returns only what it names: the keys too (the ETag comes with the metadata).
    private string[] Columns =>
        ["PartitionKey", "RowKey", DeviceEntity.SerialNumber, DeviceEntity.HardwareHash, DeviceEntity.GroupTag, DeviceEntity.AssignedUser, marks.At, DeviceEntity.RegistrationState];

    /// <summary>Pages read ahead while the devices before them are written and marked (a page is up to 1,000 rows, about 9 MB).</summary>
    private const int PagesAhead = 1;

    public string Description => table.Target.ToString();

    public long RegisteredLeftOut { get; private set; }

    public async IAsyncEnumerable<ExportDevice> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pages = Channel.CreateBounded<IReadOnlyList<TableEntity>>(new BoundedChannelOptions(PagesAhead) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(() => ReadPagesAsync(pages.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var page in pages.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var row in page)
                {
                    if (await ToExportDeviceAsync(row, cancellationToken).ConfigureAwait(false) is { } device)
                    {
                        yield return device;
                    }
                }
            }

            await reading.ConfigureAwait(false); // the reader's failure, if it stopped on one
        }
        finally
        {
            // Stopped early (a failure writing or marking, Ctrl+C): the page being fetched is not needed.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await reading.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Surfaced above by the try's own await, or cancelled here; when writing or marking
                // failed, that failure is the one to report (exit code, the file to list), not this.
            }
        }
    }

    /// <summary>
    /// Fetches the pages one after another, each while the one before is written and its devices
    /// marked: a page is a round trip and the service's time, and a file's marks are others, so
    /// they overlap instead of adding up. At most <see cref="PagesAhead"/> pages wait.
    /// </summary>
    private async Task ReadPagesAsync(ChannelWriter<IReadOnlyList<TableEntity>> pages, CancellationToken cancellationToken)
    {
        try
        {
            // Tenant as a string: the seed's PartitionKey is the tenant id in D format, lower case.
            var filter = tenant is { } t ? TableClient.CreateQueryFilter($"PartitionKey eq {DeviceEntity.PartitionKey(t)}") : null;
            var query = table.Client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken)
                .AsPages().GetAsyncEnumerator(cancellationToken);
            Func<Task<bool>> next = () => query.MoveNextAsync().AsTask();
            await using (query.ConfigureAwait(false))
            {
                while (await table.CallAsync(TableOperation.Read, next, cancellationToken).ConfigureAwait(false))
                {
                    await pages.WriteAsync(query.Current.Values, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            pages.TryComplete();
        }
    }

    /// <summary>The row as a device to export, or null when it is left out (exported already, or registered).</summary>
    private async Task<ExportDevice?> ToExportDeviceAsync(TableEntity row, CancellationToken cancellationToken)
    {
        if (!all && row.ContainsKey(marks.At))
        {
            return null;
        }

        // Autopilot has the capture this row holds (collector register merged that in): no CSV needed.
        if (!all && Register.RegistrationStates.IsRegistered(row.GetString(DeviceEntity.RegistrationState) ?? ""))
        {
            RegisteredLeftOut++;
            return null;
        }

        var (device, uuid) = ToDevice(row);
        if (device.Problem is null && await AlsoUnderSerialKeyAsync(device, uuid, cancellationToken).ConfigureAwait(false) is { } serialKey)
        {
            device = device with
            {
                Problem = $"the table holds this device under {serialKey} too (an older Collector's sync wrote both rows): " +
                    $"it is exported from {serialKey} only; delete this row ({row.RowKey}) to stop this note",
            };
        }

        return device;
    }

    public bool IsBatchNameTaken(string batch) => false;

    /// <summary>
    /// The device's serial key when this row is under the device's collision key
    /// (<c>serial~uuid</c>) and the row under the serial key holds the same device; else null.
    /// Sync never leaves a device under both (a device takes its collision key only after reading
    /// another device under its serial), but an older sync could: one point read per such row,
    /// which are few, keeps an export from listing a device twice.
    /// </summary>
    private async Task<string?> AlsoUnderSerialKeyAsync(ExportDevice device, Guid? uuid, CancellationToken cancellationToken)
    {
        var serialKey = DeviceIdentity.SerialKeyOf(device.DeviceKey, uuid);
        if (uuid is null || serialKey == device.DeviceKey)
        {
            return null;
        }

        var rowKey = DeviceEntity.EncodeRowKey(serialKey);
        var row = await table.CallAsync(TableOperation.Read,
            () => table.Client.GetEntityIfExistsAsync<TableEntity>(device.Source.PartitionKey, rowKey, [DeviceEntity.SmbiosUuid, DeviceEntity.HardwareHash], cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (!row.HasValue)
        {
            return null;
        }

        var theirs = row.Value!.GetString(DeviceEntity.SmbiosUuid) is { Length: > 0 } text && Guid.TryParse(text, out var parsed)
            ? parsed
            : HashCodec.Check(row.Value.GetString(DeviceEntity.HardwareHash) ?? "").Hash?.SmbiosUuid;
        return theirs == uuid ? serialKey : null;
    }

    /// <summary>
    /// Marks a file's devices in transactions of 100, all of a file's at once (its devices are
    /// distinct rows, so none waits for another: a file of 500 costs one round trip, not five).
    /// </summary>
    public async Task<ExportMarkResult> MarkAsync(ExportBatch devices, string batch, string file, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        var chunks = devices.Devices.GroupBy(d => d.Source.PartitionKey).SelectMany(p => p.Chunk(EntityRules.MaxBatchActions)).ToList();
        try
        {
            var results = await Task.WhenAll(chunks.Select(chunk => MarkChunkAsync(chunk, batch, writtenAt, cancellationToken))).ConfigureAwait(false);
            return new ExportMarkResult(results.Sum(r => r.Marked), [.. results.SelectMany(r => r.Changed)]);
        }
        catch (CloudException e)
        {
            throw new CloudException($"{e.Message}: could not mark the devices of {file} as exported", e.InnerException ?? e);
        }
    }

    /// <summary>One transaction of a partition's devices; the rows one by one when it is refused.</summary>
    private async Task<ExportMarkResult> MarkChunkAsync(ExportDevice[] chunk, string batch, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        var actions = chunk.Select(d => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
            Mark(d, batch, writtenAt), new ETag(d.Source.Version))).ToList();
        try
        {
            await table.CallAsync(TableOperation.Write, () => table.Client.SubmitTransactionAsync(actions, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            return new ExportMarkResult(chunk.Length, []);
        }
        catch (Exception e) when (e is TableTransactionFailedException || IsBatchRefusedToTableSas(e))
        {
            // One row changed since it was read and the whole transaction was refused, or
            // the service takes this table SAS for single rows but not for a batch (Azurite
            // does so): mark the rows one by one, so only the changed ones stay waiting.
            var changed = new List<string>();
            foreach (var device in chunk)
            {
                if (!await MarkOneAsync(device, batch, writtenAt, cancellationToken).ConfigureAwait(false))
                {
                    changed.Add(device.DeviceKey);
                }
            }

            return new ExportMarkResult(chunk.Length - changed.Count, changed);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A batch refused (403) to a table SAS that grants u: single updates may still pass; if they do not, their refusal is reported.</summary>
    private bool IsBatchRefusedToTableSas(Exception e) =>
        e is CloudException { InnerException: RequestFailedException { Status: 403 } }
        && table.Target.Kind == TableTargetKind.SasUrl && (table.Target.Permissions ?? "").Contains('u', StringComparison.Ordinal);

    /// <summary>True when marked; false when the row was replaced (a newer capture) or deleted since it was read.</summary>
    private Task<bool> MarkOneAsync(ExportDevice device, string batch, DateTimeOffset writtenAt, CancellationToken cancellationToken) =>
        table.CallAsync(TableOperation.Write, async () =>
        {
            try
            {
                await table.Client.UpdateEntityAsync(Mark(device, batch, writtenAt), new ETag(device.Source.Version), TableUpdateMode.Merge, cancellationToken)
                    .ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 412 or 404)
            {
                return false;
            }
        }, cancellationToken);

    private TableEntity Mark(ExportDevice device, string batch, DateTimeOffset writtenAt) =>
        new(device.Source.PartitionKey, device.Source.RowKey)
        {
            [marks.At] = writtenAt.UtcDateTime,
            [marks.Batch] = batch,
        };

    /// <summary>The row as a device to export, and the SMBIOS UUID in its hash (null when it has none or the hash is invalid).</summary>
    private static (ExportDevice Device, Guid? Uuid) ToDevice(TableEntity row)
    {
        var key = DeviceEntity.DecodeRowKey(row.RowKey);
        var source = new ExportSourceRef(row.PartitionKey, row.RowKey, row.ETag.ToString());
        var tag = Text(row, DeviceEntity.GroupTag);
        var user = Text(row, DeviceEntity.AssignedUser);
        if (!Guid.TryParse(row.PartitionKey, out var tenantId))
        {
            return (new ExportDevice(Guid.Empty, key, "", "", tag, user, [], source,
                $"its PartitionKey '{row.PartitionKey}' is not a tenant id"), null);
        }

        var hash = Text(row, DeviceEntity.HardwareHash);
        if (hash.Length == 0)
        {
            return (new ExportDevice(tenantId, key, "", "", tag, user, [], source, $"the row has no {DeviceEntity.HardwareHash}"), null);
        }

        var check = HashCodec.Check(hash);
        return check.Hash is { } decoded && check.Valid
            ? (new ExportDevice(tenantId, key, decoded.Serial, decoded.Base64, tag, user, decoded.Flags, source)
            {
                Manufacturer = decoded.Manufacturer,
                Model = decoded.Model,
            }, decoded.SmbiosUuid)
            : (new ExportDevice(tenantId, key, "", hash, tag, user, [], source, $"the hardware hash is invalid: {check.Problem}"), null);
    }

    // The seed wrote every property as a string; anything else is read as its text.
    private static string Text(TableEntity row, string name) =>
        row.TryGetValue(name, out var value) && value is not null ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" : "";
}
