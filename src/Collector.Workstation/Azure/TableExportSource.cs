using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Collector.Workstation.Csv;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Workstation.Export;

namespace Collector.Workstation.Azure;

/// <summary>
/// Exports from an Azure table: each row is a device's newest capture (sync keeps it so). Works
/// on rows the seed script wrote too, which have only its four columns: the device key is the
/// RowKey decoded, and the serial is read from the hash (record 14), as for every row. A row
/// counts as exported while it carries <c>Exported_At</c>; sync replaces a row with a newer
/// capture whole, which drops the mark. Marks are merge updates conditional on the ETag read, so
/// a row a sync replaced meanwhile is left waiting with its newer capture.
/// </summary>
public sealed class TableExportSource(TableClient client, string description, Guid? tenant, bool all) : IExportSource
{
    private const int MaxTransactionActions = 100;

    // $select returns only what it names: the keys too (the ETag comes with the metadata).
    private static readonly string[] Columns =
        ["PartitionKey", "RowKey", DeviceEntity.SerialNumber, DeviceEntity.HardwareHash, DeviceEntity.GroupTag, DeviceEntity.AssignedUser, DeviceEntity.ExportedAt];

    public string Description => description;

    public async IAsyncEnumerable<ExportDevice> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Tenant as a string: the seed's PartitionKey is the tenant id in D format, lower case.
        var filter = tenant is { } t ? TableClient.CreateQueryFilter($"PartitionKey eq {DeviceEntity.PartitionKey(t)}") : null;
        var rows = client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        await using (rows.ConfigureAwait(false))
        {
            while (await NextAsync(rows, cancellationToken).ConfigureAwait(false))
            {
                var row = rows.Current;
                if (!all && row.ContainsKey(DeviceEntity.ExportedAt))
                {
                    continue;
                }

                yield return ToDevice(row);
            }
        }
    }

    public bool IsBatchNameTaken(string batch) => false;

    public async Task<ExportMarkResult> MarkAsync(ExportBatch devices, string batch, string file, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        var changed = new List<string>();
        var marked = 0;
        foreach (var partition in devices.Devices.GroupBy(d => d.Source.PartitionKey))
        {
            foreach (var chunk in partition.Chunk(MaxTransactionActions))
            {
                var actions = chunk.Select(d => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                    Mark(d, batch, writtenAt), new ETag(d.Source.Version))).ToList();
                try
                {
                    await client.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                    marked += chunk.Length;
                }
                catch (TableTransactionFailedException)
                {
                    // One row changed since it was read and the whole transaction was refused:
                    // mark the rows one by one, so only the changed ones stay waiting.
                    foreach (var device in chunk)
                    {
                        if (await MarkOneAsync(device, batch, writtenAt, cancellationToken).ConfigureAwait(false))
                        {
                            marked++;
                        }
                        else
                        {
                            changed.Add(device.DeviceKey);
                        }
                    }
                }
                catch (RequestFailedException e)
                {
                    throw Failed(e, $"mark the devices of {file} as exported");
                }
                catch (Exception e) when (IsUnreachable(e, cancellationToken))
                {
                    throw Unreachable(e, $"mark the devices of {file} as exported");
                }
            }
        }

        return new ExportMarkResult(marked, changed);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<bool> MarkOneAsync(ExportDevice device, string batch, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        try
        {
            await client.UpdateEntityAsync(Mark(device, batch, writtenAt), new ETag(device.Source.Version), TableUpdateMode.Merge, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false; // replaced (newer capture) or deleted since it was read
        }
        catch (RequestFailedException e)
        {
            throw Failed(e, $"mark {device.DeviceKey} as exported");
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw Unreachable(e, $"mark {device.DeviceKey} as exported");
        }
    }

    private static TableEntity Mark(ExportDevice device, string batch, DateTimeOffset writtenAt) =>
        new(device.Source.PartitionKey, device.Source.RowKey)
        {
            [DeviceEntity.ExportedAt] = writtenAt.UtcDateTime,
            [DeviceEntity.ExportBatch] = batch,
        };

    private static ExportDevice ToDevice(TableEntity row)
    {
        var key = DeviceEntity.DecodeRowKey(row.RowKey);
        var source = new ExportSourceRef(row.PartitionKey, row.RowKey, row.ETag.ToString());
        var tag = Text(row, DeviceEntity.GroupTag);
        var user = Text(row, DeviceEntity.AssignedUser);
        if (!Guid.TryParse(row.PartitionKey, out var tenantId))
        {
            return new ExportDevice(Guid.Empty, key, "", "", tag, user, [], source,
                $"its PartitionKey '{row.PartitionKey}' is not a tenant id");
        }

        var hash = Text(row, DeviceEntity.HardwareHash);
        if (hash.Length == 0)
        {
            return new ExportDevice(tenantId, key, "", "", tag, user, [], source, $"the row has no {DeviceEntity.HardwareHash}");
        }

        var check = HashCodec.Check(hash);
        return check.Hash is { } decoded && check.Valid
            ? new ExportDevice(tenantId, key, decoded.Serial, decoded.Base64, tag, user, decoded.Flags, source)
            : new ExportDevice(tenantId, key, "", hash, tag, user, [], source, $"the hardware hash is invalid: {check.Problem}");
    }

    // The seed wrote every property as a string; anything else is read as its text.
    private static string Text(TableEntity row, string name) =>
        row.TryGetValue(name, out var value) && value is not null ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" : "";

    private async Task<bool> NextAsync(IAsyncEnumerator<TableEntity> rows, CancellationToken cancellationToken)
    {
        try
        {
            return await rows.MoveNextAsync().ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            throw Failed(e, "read the devices to export");
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw Unreachable(e, "read the devices to export");
        }
    }

    /// <summary>
    /// A sign-in that failed, or the SDK giving up on a network that timed out (which surfaces as
    /// a cancellation nobody asked for): a cloud error (exit 4), not a crash or a Ctrl+C.
    /// </summary>
    private static bool IsUnreachable(Exception e, CancellationToken cancellationToken) =>
        e is global::Azure.Identity.AuthenticationFailedException or AggregateException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private CloudException Unreachable(Exception e, string doing) => e is global::Azure.Identity.AuthenticationFailedException
        ? new CloudException($"{description}: cannot sign in with Entra ID (sign in with 'az login'): could not {doing}", e)
        : new CloudException($"{description}: no answer from the service after retries: could not {doing}; check the network and export again", e);

    private CloudException Failed(RequestFailedException e, string doing) => e.Status switch
    {
        404 => new CloudException($"{description}: not found (does the table exist?): could not {doing}", e),
        401 or 403 => new CloudException($"{description}: access denied ({e.ErrorCode}): could not {doing}; a SAS needs r and u permissions", e),
        0 => new CloudException($"{description}: no answer from the service after retries ({e.Message}): could not {doing}", e),
        _ => new CloudException($"{description}: the service answered {e.Status} {e.ErrorCode}: could not {doing}", e),
    };
}
