using Azure;
using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;
using Collector.Workstation.Register;

namespace Collector.Workstation.Tables;

/// <summary>
/// <c>collector register --table</c>: each row is a device's newest capture (sync keeps it so, the
/// seed script's rows included), offered for registration; each outcome is merged into the row
/// (<c>Registration_State</c>, <c>Registration_Error</c>, <c>Registered_At</c>) only if the row
/// still holds the capture that was registered: conditional on the ETag read, and on a
/// precondition failure read again and decided again, never written over a newer capture.
/// </summary>
public sealed class TableRegistrations(TableConnection table)
{
    private static readonly string[] Columns =
        ["PartitionKey", "RowKey", DeviceEntity.HardwareHash, DeviceEntity.GroupTag, DeviceEntity.AssignedUser, DeviceEntity.CaptureId, DeviceEntity.RegistrationState];

    public string Description => table.Target.ToString();

    /// <summary>Every row of <paramref name="tenant"/> (all tenants when null) as a candidate; rows that cannot be one are named in <paramref name="unusable"/>.</summary>
    public async Task<IReadOnlyList<RegisterCandidate>> ReadAsync(Guid? tenant, Action<string, string> unusable, CancellationToken cancellationToken)
    {
        var filter = tenant is { } t ? TableClient.CreateQueryFilter($"PartitionKey eq {DeviceEntity.PartitionKey(t)}") : null;
        var rows = table.Client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        var candidates = new List<RegisterCandidate>();
        Func<Task<bool>> next = () => rows.MoveNextAsync().AsTask();
        await using (rows.ConfigureAwait(false))
        {
            while (await table.CallAsync(TableOperation.Read, next, cancellationToken).ConfigureAwait(false))
            {
                var row = rows.Current;
                var key = DeviceEntity.DecodeRowKey(row.RowKey);
                if (!Guid.TryParse(row.PartitionKey, out var tenantId))
                {
                    unusable(key, $"its PartitionKey '{row.PartitionKey}' is not a tenant id");
                    continue;
                }

                var hash = HashCodec.Check(row.GetString(DeviceEntity.HardwareHash) ?? "").Hash;
                if (hash is null)
                {
                    unusable(key, $"the row has no valid {DeviceEntity.HardwareHash}");
                    continue;
                }

                candidates.Add(new RegisterCandidate(tenantId, key, CaptureOf(row, tenantId, hash), hash.Serial, hash.Base64,
                    row.GetString(DeviceEntity.GroupTag) ?? "", row.GetString(DeviceEntity.AssignedUser) ?? "")
                {
                    Row = new TableRowRef(row.PartitionKey, row.RowKey, row.ETag.ToString()),
                    RowState = row.GetString(DeviceEntity.RegistrationState) is { Length: > 0 } state ? state : null,
                });
            }
        }

        return candidates;
    }

    /// <summary>
    /// Merges each registration's outcome into its device's row, in transactions of up to 100 rows
    /// of a partition, each conditional on the ETag read; returns the registrations the table is
    /// done with (written, or its row now holds another capture or is gone). Pending ones are
    /// written too, but stay to be written again once decided.
    /// </summary>
    public async Task<IReadOnlyList<RegistrationKey>> WriteAsync(
        IReadOnlyList<(RegisterCandidate Row, Registration Registration)> outcomes, CancellationToken cancellationToken)
    {
        var done = new List<RegistrationKey>();
        foreach (var partition in outcomes.GroupBy(o => o.Row.Row!.PartitionKey))
        {
            foreach (var chunk in partition.Chunk(EntityRules.MaxBatchActions))
            {
                var actions = chunk.Select(o => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                    Outcome(o.Row.Row!, o.Registration), new ETag(o.Row.Row!.ETag))).ToList();
                try
                {
                    await table.CallAsync(TableOperation.Write, () => table.Client.SubmitTransactionAsync(actions, cancellationToken), cancellationToken)
                        .ConfigureAwait(false);
                    done.AddRange(chunk.Where(o => o.Registration.State != RegistrationStates.Pending).Select(o => Key(o.Registration)));
                }
                catch (TableTransactionFailedException)
                {
                    // A row changed since it was read and the whole transaction was refused: write
                    // the rows one by one, each read again and decided again where it changed.
                    foreach (var (row, registration) in chunk)
                    {
                        var written = await WriteOneAsync(row, registration, cancellationToken).ConfigureAwait(false);
                        if (registration.State != RegistrationStates.Pending || !written)
                        {
                            done.Add(Key(registration));
                        }
                    }
                }
            }
        }

        return done;
    }

    private static RegistrationKey Key(Registration registration) => new(registration.DeviceKey, registration.CaptureId);

    /// <summary>True when merged; false when the row holds another capture now, or is gone.</summary>
    private Task<bool> WriteOneAsync(RegisterCandidate candidate, Registration registration, CancellationToken cancellationToken) =>
        table.CallAsync(TableOperation.Write, async () =>
        {
            var row = candidate.Row!;
            var etag = new ETag(row.ETag);
            for (var attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    await table.Client.UpdateEntityAsync(Outcome(row, registration), etag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    // Changed since it was read (export marked it, or a sync replaced it): read it again.
                    var now = await table.Client.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, Columns, cancellationToken).ConfigureAwait(false);
                    if (!now.HasValue || now.Value is not { } entity || HashCodec.Check(entity.GetString(DeviceEntity.HardwareHash) ?? "").Hash is not { } hash
                        || CaptureOf(entity, registration.TenantId, hash) != registration.CaptureId)
                    {
                        return false; // a newer capture (or none): never written over
                    }

                    etag = entity.ETag;
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    return false;
                }
            }

            return false;
        }, cancellationToken);

    private static TableEntity Outcome(TableRowRef row, Registration registration)
    {
        var entity = new TableEntity(row.PartitionKey, row.RowKey)
        {
            [DeviceEntity.RegistrationState] = registration.State,
            [DeviceEntity.RegistrationError] = registration.Outcome.ErrorText,
        };
        if (RegistrationStates.IsRegistered(registration.State) && registration.DecidedAt is { } at)
        {
            entity[DeviceEntity.RegisteredAt] = at.UtcDateTime;
        }

        return entity;
    }

    /// <summary>The capture a row holds: its Capture_Id, or (a seed row) the id an import of its hash would get.</summary>
    private static Guid CaptureOf(TableEntity row, Guid tenant, HardwareHash hash) =>
        Guid.TryParse(row.GetString(DeviceEntity.CaptureId), out var id) ? id : CsvImport.CaptureIdFor(tenant, hash.Base64);
}
