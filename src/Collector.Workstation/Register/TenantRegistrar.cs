using Collector.Core.Errors;
using Collector.Workstation.Graph;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Register;

/// <summary>
/// Registers one tenant's devices (design section 6b): finds the import records an interrupted
/// run may have left unnamed, imports what is to be sent, then polls Autopilot every poll
/// interval until every device is decided or the deadline passes, deleting each import record
/// once its device is decided. Every step is recorded in the hub before the next, so a run killed
/// anywhere resumes: no device is imported twice, and every record is deleted in the end.
/// </summary>
public sealed class TenantRegistrar(
    HubStore hub, AutopilotImports graph, Guid tenant, RegisterSettings settings, RegisterReport report, RegisterProgress progress, TimeProvider clock)
{
    private int? lastListPages;

    public async Task RunAsync(IReadOnlyList<RegisterCandidate> candidates, CancellationToken cancellationToken)
    {
        await FindUnnamedAsync(cancellationToken).ConfigureAwait(false);
        var send = RegisterSelection.Choose(candidates, hub.Registrations(tenant), settings, report);
        var imported = await ImportAsync(send, cancellationToken).ConfigureAwait(false);
        await FollowAsync(imported, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rows written before an import request whose answer never came (the run was killed, or the
    /// network dropped): its records are looked for by import id and serial. Found, they are
    /// followed like any other; not found, the import never landed and the devices are sent again.
    /// </summary>
    private async Task FindUnnamedAsync(CancellationToken cancellationToken)
    {
        var unnamed = hub.Registrations(tenant).Where(r => r.State == RegistrationStates.Pending && r.GraphId is null).ToList();
        if (unnamed.Count == 0)
        {
            return;
        }

        progress.Say($"tenant {tenant:D}: looking for the import records of {unnamed.Count:N0} devices an earlier run sent without hearing back");
        var records = await CallAsync(GraphOperation.Poll, () => graph.ListAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        lastListPages = records.Pages;
        var byImport = records.Records.Values.Where(r => r.ImportId is not null && r.Serial is not null)
            .ToLookup(r => (r.ImportId!, r.Serial!));
        var found = new List<(RegistrationKey, string)>();
        var lost = new List<RegistrationKey>();
        foreach (var row in unnamed)
        {
            if (byImport[(row.ImportId, row.Serial)].FirstOrDefault() is { } record)
            {
                found.Add((new RegistrationKey(row.DeviceKey, row.CaptureId), record.Id));
            }
            else
            {
                lost.Add(new RegistrationKey(row.DeviceKey, row.CaptureId));
            }
        }

        hub.RecordGraphIds(tenant, found);
        hub.ForgetSubmitted(tenant, lost);
    }

    /// <summary>Imports <paramref name="send"/> in requests of at most 500 devices, no serial twice in one; returns how many were imported.</summary>
    private async Task<int> ImportAsync(IReadOnlyList<RegisterSelection.Chosen> send, CancellationToken cancellationToken)
    {
        var requests = RegisterSelection.Split(send, AutopilotImports.MaxDevicesPerImport);
        if (requests.Count == 0)
        {
            return 0;
        }

        progress.Say($"tenant {tenant:D}: importing {send.Count:N0} devices in {requests.Count:N0} request(s)");
        var done = 0;
        foreach (var request in requests)
        {
            var importId = Guid.CreateVersion7().ToString("D");
            hub.RecordSubmitted(tenant, importId, [.. request.Select(c => (c.Key, c.Serial))]);
            IReadOnlyList<ImportRecord> records;
            try
            {
                records = await graph.ImportAsync([.. request.Select(c => c.ToDevice())], importId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (GraphFailure.IsGraphFailure(e, cancellationToken))
            {
                var failure = GraphFailure.Classify(e);
                if (failure.NothingLanded)
                {
                    hub.ForgetSubmitted(tenant, [.. request.Select(c => c.Key)]);
                }

                throw new CloudException(failure.Explain(settings.Endpoint, tenant, GraphOperation.Import, settings.Token, settings.Tries) +
                    (failure.NothingLanded ? "" : $"; the {request.Count:N0} devices of that request are looked for by import id next time, not sent again") +
                    (done > 0 ? $"; the {done:N0} devices imported before it stay pending and the next run resumes them" : ""), e);
            }

            report.Imports++;
            Record(request, records);
            done += request.Count;
            progress.Say($"tenant {tenant:D}: imported {done:N0}/{send.Count:N0}");
        }

        return done;
    }

    private void Record(IReadOnlyList<RegisterSelection.Chosen> request, IReadOnlyList<ImportRecord> records)
    {
        var bySerial = records.Where(r => r.Serial is not null).GroupBy(r => r.Serial!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First());
        var named = new List<(RegistrationKey, string)>();
        var missing = new List<RegistrationKey>();
        foreach (var chosen in request)
        {
            if (bySerial.TryGetValue(chosen.Serial, out var record))
            {
                named.Add((chosen.Key, record.Id));
            }
            else
            {
                missing.Add(chosen.Key);
                report.StillPending(chosen.Key.DeviceKey, chosen.Serial, "Graph's answer to the import held no record for it: it is sent again next time");
            }
        }

        hub.RecordGraphIds(tenant, named);
        hub.ForgetSubmitted(tenant, missing);
    }

    /// <summary>
    /// Polls until nothing is pending or the deadline passes, deleting decided devices' import
    /// records as it goes. A failure to reach Graph is tried again at the next poll, until the
    /// deadline; a refused credential ends the run.
    /// </summary>
    private async Task FollowAsync(int imported, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + settings.Timeout;
        var wait = imported > 0 ? settings.PollInterval : TimeSpan.Zero; // records from an earlier run have waited long enough
        for (var poll = 1; ; poll++)
        {
            await DeleteDecidedAsync(cancellationToken).ConfigureAwait(false);
            var rows = hub.Registrations(tenant);
            var pending = rows.Where(r => r.State == RegistrationStates.Pending && r.GraphId is not null).ToList();
            var undeleted = rows.Count(r => r.State != RegistrationStates.Pending && r.GraphId is not null && !r.RecordDeleted);
            var now = clock.GetUtcNow();
            if ((pending.Count == 0 && undeleted == 0) || now >= deadline)
            {
                foreach (var row in pending)
                {
                    report.StillPending(row.DeviceKey, row.Serial,
                        "Autopilot had not answered by --timeout: the next 'collector register' polls it again (it is not imported again)");
                }

                if (undeleted > 0)
                {
                    progress.Say($"tenant {tenant:D}: {undeleted:N0} import records could not be deleted yet: the next run deletes them");
                }

                return;
            }

            var pause = Min(wait, deadline - now);
            if (pause > TimeSpan.Zero)
            {
                progress.Say(pending.Count > 0
                    ? $"tenant {tenant:D}: {pending.Count:N0} devices waiting for Autopilot; next poll in {pause.TotalSeconds:N0} s"
                    : $"tenant {tenant:D}: trying again in {pause.TotalSeconds:N0} s to delete {undeleted:N0} import records");
                await Task.Delay(pause, clock, cancellationToken).ConfigureAwait(false);
            }

            wait = settings.PollInterval;
            if (pending.Count > 0)
            {
                await PollAsync(pending, poll, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads the pending devices' records: the whole collection page by page, or, where fewer
    /// batch requests than the last listing's pages would do, only those records, 20 a request.
    /// </summary>
    private async Task PollAsync(IReadOnlyList<Registration> pending, int poll, CancellationToken cancellationToken)
    {
        var byId = pending.ToDictionary(r => r.GraphId!, StringComparer.OrdinalIgnoreCase);
        var batches = (pending.Count + AutopilotImports.MaxBatchSteps - 1) / AutopilotImports.MaxBatchSteps;
        var pickOut = lastListPages is { } pages ? batches < pages : batches <= 1;
        await TryAsync(GraphOperation.Poll, async () =>
        {
            if (pickOut)
            {
                await graph.ReadAsync([.. byId.Keys], (ids, records) => Decide(ids.Select(id => byId[id]), records), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var (records, pages) = await graph.ListAsync(cancellationToken).ConfigureAwait(false);
                lastListPages = pages;
                Decide(pending, records);
            }
        }, cancellationToken).ConfigureAwait(false);

        var left = hub.Registrations(tenant).Count(r => r.State == RegistrationStates.Pending && r.GraphId is not null);
        progress.Say($"tenant {tenant:D}: poll {poll}: {pending.Count - left:N0} of {pending.Count:N0} devices answered");
    }

    private void Decide(IEnumerable<Registration> rows, IReadOnlyDictionary<string, ImportRecord> records)
    {
        var outcomes = new List<(RegistrationKey, ImportOutcome)>();
        var vanished = new List<RegistrationKey>();
        foreach (var row in rows)
        {
            var key = new RegistrationKey(row.DeviceKey, row.CaptureId);
            if (!records.TryGetValue(row.GraphId!, out var record))
            {
                vanished.Add(key);
                report.StillPending(row.DeviceKey, row.Serial,
                    "its import record disappeared from Graph before Autopilot answered (deleted elsewhere?): it is imported again next time");
            }
            else if (record.Outcome.Decided)
            {
                outcomes.Add((key, record.Outcome));
                report.Decided(row, record.Outcome);
            }
        }

        hub.RecordOutcomes(tenant, outcomes);
        hub.ForgetSubmitted(tenant, vanished);
    }

    private async Task DeleteDecidedAsync(CancellationToken cancellationToken)
    {
        var ids = hub.Registrations(tenant)
            .Where(r => r.State != RegistrationStates.Pending && r.GraphId is not null && !r.RecordDeleted)
            .Select(r => r.GraphId!).ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var deleted = 0;
        await TryAsync(GraphOperation.Delete, () => graph.DeleteAsync(ids, gone =>
        {
            hub.RecordDeleted(tenant, gone);
            deleted += gone.Count;
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        progress.Say($"tenant {tenant:D}: deleted {deleted:N0} of {ids.Count:N0} import records");
    }

    /// <summary>A poll or delete: a refused credential ends the run; anything else is tried again next round.</summary>
    private async Task TryAsync(GraphOperation operation, Func<Task> call, CancellationToken cancellationToken)
    {
        try
        {
            await call().ConfigureAwait(false);
            report.Unreachable = null;
        }
        catch (Exception e) when (GraphFailure.IsGraphFailure(e, cancellationToken))
        {
            var failure = GraphFailure.Classify(e);
            var line = failure.Explain(settings.Endpoint, tenant, operation, settings.Token, settings.Tries);
            if (failure.Refused)
            {
                throw new CloudException(line, e);
            }

            report.Unreachable = line;
            progress.Say($"{line} (trying again at the next poll, until --timeout)");
        }
    }

    private async Task<T> CallAsync<T>(GraphOperation operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (GraphFailure.IsGraphFailure(e, cancellationToken))
        {
            throw new CloudException(GraphFailure.Classify(e).Explain(settings.Endpoint, tenant, operation, settings.Token, settings.Tries), e);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
