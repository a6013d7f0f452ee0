using System.Net;
using Collector.Workstation.Register;
using Microsoft.Graph;
using Microsoft.Graph.DeviceManagement.ImportedWindowsAutopilotDeviceIdentities.Import;
using Microsoft.Graph.Models;

namespace Collector.Workstation.Graph;

/// <summary>One device as the import action takes it.</summary>
/// <param name="HardwareHash">The hash's bytes: the SDK writes them as padded base64, which the import requires.</param>
public sealed record ImportDevice(string Serial, byte[] HardwareHash, string GroupTag, string AssignedUser);

/// <summary>An import record as read back: its id, what identifies it as ours, and Autopilot's answer so far.</summary>
public sealed record ImportRecord(string Id, string? Serial, string? ImportId, ImportOutcome Outcome);

/// <summary>
/// The calls <c>collector register</c> makes (Graph v1.0, design section 6b), through the SDK's
/// request builders, models, page iterator and JSON batching: import, read back (the whole
/// collection page by page, or chosen records in batches), delete.
/// </summary>
public sealed class AutopilotImports(GraphServiceClient client)
{
    /// <summary>Devices per import request: the CSV's limit, as Graph documents none for the action.</summary>
    public const int MaxDevicesPerImport = 500;

    /// <summary>Requests per JSON batch: Graph's limit.</summary>
    public const int MaxBatchSteps = 20;

    private const string ODataType = "#microsoft.graph.importedWindowsAutopilotDeviceIdentity";

    // Only what register reads: a record's 4,000-character hash would be most of every response.
    private static readonly string[] Fields = ["id", "serialNumber", "importId", "state"];

    /// <summary>Imports <paramref name="devices"/> (at most <see cref="MaxDevicesPerImport"/>, each once) under <paramref name="importId"/>.</summary>
    public async Task<IReadOnlyList<ImportRecord>> ImportAsync(IReadOnlyList<ImportDevice> devices, string importId, CancellationToken cancellationToken)
    {
        var body = new ImportPostRequestBody
        {
            ImportedWindowsAutopilotDeviceIdentities = [.. devices.Select(d => new ImportedWindowsAutopilotDeviceIdentity
            {
                OdataType = ODataType,
                SerialNumber = d.Serial,
                HardwareIdentifier = d.HardwareHash,
                GroupTag = d.GroupTag,
                AssignedUserPrincipalName = d.AssignedUser,
                ProductKey = "", // as the CSV's Windows Product ID: left empty
                ImportId = importId,
            })],
        };
        var response = await client.DeviceManagement.ImportedWindowsAutopilotDeviceIdentities.Import
            .PostAsImportPostResponseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. (response?.Value ?? []).Select(Read).OfType<ImportRecord>()];
    }

    /// <summary>Every import record of the tenant, following <c>@odata.nextLink</c>; and how many pages that took.</summary>
    public async Task<(IReadOnlyDictionary<string, ImportRecord> Records, int Pages)> ListAsync(CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, ImportRecord>(StringComparer.OrdinalIgnoreCase);
        var first = await client.DeviceManagement.ImportedWindowsAutopilotDeviceIdentities
            .GetAsync(r => r.QueryParameters.Select = Fields, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return (records, 1);
        }

        var pages = 1;
        var iterator = PageIterator<ImportedWindowsAutopilotDeviceIdentity, ImportedWindowsAutopilotDeviceIdentityCollectionResponse>.CreatePageIterator(
            client, first,
            item =>
            {
                if (Read(item) is { } record)
                {
                    records[record.Id] = record;
                }

                return true;
            },
            request =>
            {
                pages++;
                return request;
            });
        await iterator.IterateAsync(cancellationToken).ConfigureAwait(false);
        return (records, pages);
    }

    /// <summary>
    /// Reads the records <paramref name="ids"/> name, <see cref="MaxBatchSteps"/> to a batch
    /// request; a record Graph no longer has is absent. <paramref name="onBatch"/> sees each
    /// batch's records as they come.
    /// </summary>
    public Task ReadAsync(IReadOnlyList<string> ids, Action<IReadOnlyList<string>, IReadOnlyDictionary<string, ImportRecord>> onBatch, CancellationToken cancellationToken) =>
        BatchAsync(ids,
            id => client.DeviceManagement.ImportedWindowsAutopilotDeviceIdentities[id].ToGetRequestInformation(r => r.QueryParameters.Select = Fields),
            async (chunk, response) =>
            {
                var records = new Dictionary<string, ImportRecord>(StringComparer.OrdinalIgnoreCase);
                var statuses = await response.GetResponsesStatusCodesAsync().ConfigureAwait(false);
                foreach (var (step, id) in chunk)
                {
                    if (statuses.GetValueOrDefault(step) == HttpStatusCode.OK
                        && Read(await response.GetResponseByIdAsync<ImportedWindowsAutopilotDeviceIdentity>(step).ConfigureAwait(false)) is { } record)
                    {
                        records[id] = record;
                    }
                    else if (statuses.GetValueOrDefault(step) != HttpStatusCode.NotFound)
                    {
                        throw StepFailed(statuses.GetValueOrDefault(step));
                    }
                }

                onBatch([.. chunk.Select(c => c.Id)], records);
            },
            cancellationToken);

    /// <summary>
    /// Deletes the records <paramref name="ids"/> name, <see cref="MaxBatchSteps"/> to a batch
    /// request; <paramref name="onDeleted"/> hears, batch by batch, which are gone (deleted now,
    /// or already). A step Graph turned away for now (429, 5xx) is left for the next round.
    /// </summary>
    public Task DeleteAsync(IReadOnlyList<string> ids, Action<IReadOnlyList<string>> onDeleted, CancellationToken cancellationToken) =>
        BatchAsync(ids,
            id => client.DeviceManagement.ImportedWindowsAutopilotDeviceIdentities[id].ToDeleteRequestInformation(),
            async (chunk, response) =>
            {
                var statuses = await response.GetResponsesStatusCodesAsync().ConfigureAwait(false);
                var gone = new List<string>();
                foreach (var (step, id) in chunk)
                {
                    var status = (int)statuses.GetValueOrDefault(step);
                    if (status is >= 200 and < 300 or 404)
                    {
                        gone.Add(id);
                    }
                    else if (status is 401 or 403 || (status is >= 400 and < 500 && status != 429))
                    {
                        throw StepFailed((HttpStatusCode)status);
                    }
                }

                onDeleted(gone);
            },
            cancellationToken);

    // A batch at a time rather than all steps in one collection: each batch's answer is recorded
    // before the next is sent, so a run that stops has lost at most one batch's bookkeeping.
    private async Task BatchAsync(
        IReadOnlyList<string> ids, Func<string, Microsoft.Kiota.Abstractions.RequestInformation> request,
        Func<IReadOnlyList<(string Step, string Id)>, BatchResponseContentCollection, Task> handle, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Chunk(MaxBatchSteps))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var content = new BatchRequestContentCollection(client); // at most 20 steps: one batch request
            var steps = new List<(string Step, string Id)>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                var step = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await content.AddBatchRequestStepAsync(request(chunk[i]), step).ConfigureAwait(false);
                steps.Add((step, chunk[i]));
            }

            var response = await client.Batch.PostAsync(content, cancellationToken).ConfigureAwait(false);
            await handle(steps, response).ConfigureAwait(false);
        }
    }

    private static ServiceException StepFailed(HttpStatusCode status) =>
        new($"a batch step failed ({(int)status})", null, (int)status);

    private static ImportRecord? Read(ImportedWindowsAutopilotDeviceIdentity? item) =>
        item?.Id is { Length: > 0 } id ? new ImportRecord(id, item.SerialNumber, item.ImportId, ImportOutcome.From(item.State)) : null;
}
