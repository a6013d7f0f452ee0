using System.CommandLine;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Storage;
using Collector.Workstation.Hub;
using Collector.Workstation.Sticks;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector stick clear DIR [--hub FILE] [--uploaded [--table TARGET]] [--registered] [--json]</c>:
/// takes off a stick the captures the hub holds byte for byte, so the stick starts counting its
/// devices again and can move to another tenant once empty. It writes through collect's durable
/// path, keeps the stick id and never gives a sequence number twice.
/// </summary>
/// <remarks>
/// The hub is held (its writer lock) for the whole clear although it is only read: a sync of the
/// same stick into the same hub copies the stick's database, and a clear changing it mid-copy
/// would hand that sync a torn copy. A hub that a sync holds is waited for, then exit 3.
/// </remarks>
public static class StickClearCommand
{
    public sealed record Options(string Directory, string? Hub, bool Uploaded, bool Registered, string? Table, string? TableName, bool Json);

    /// <summary>What the command reaches outside the process; tests shorten the hub's lock wait.</summary>
    public sealed record Services(TableClients Tables, TimeSpan HubLockWait)
    {
        public static Services Default() => new(TableClients.Default(), HubStore.DefaultLockWait);
    }

    /// <summary>The <c>--json</c> object; the property names are a contract.</summary>
    /// <param name="Upgraded">The stick's database was migrated to this release's schema: refresh its programs with <c>stick init --force</c>.</param>
    public sealed record JsonClear(string StickId, IReadOnlyList<JsonCapture> Removed, IReadOnlyList<JsonCapture> Kept, long CapturesLeft, int DevicesLeft, long NextSequence, bool Upgraded);

    /// <param name="Reason">Why it was kept; null for a removed capture.</param>
    public sealed record JsonCapture(long Sequence, string? CaptureId, string DeviceKey, string? Reason);

    public static Command Create(WorkstationContext context) => Create(context, Services.Default());

    public static Command Create(WorkstationContext context, Services services)
    {
        var directory = new Argument<string>("DIR") { Description = "The stick's root folder (its drive, e.g. E:\\ or /media/usb)." };
        var hub = SharedOptions.Hub();
        var uploaded = new Option<bool>("--uploaded") { Description = "Only captures of devices whose newest capture the table holds (asked of the table)." };
        var registered = new Option<bool>("--registered") { Description = "Only captures of devices Autopilot has ('collector register' recorded them registered)." };
        var table = SharedOptions.UploadTable();
        table.Description = $"With --uploaded: the table to ask (a SAS needs r). Default: {TableTarget.EnvironmentVariable}.";
        var tableName = SharedOptions.TableName();
        var json = SharedOptions.Json("one JSON object: stickId, removed, kept, capturesLeft, devicesLeft, nextSequence");
        var clear = new Command("clear", "Remove from a stick the captures the hub holds byte for byte (the stick keeps its id).")
        {
            directory, hub, uploaded, registered, table, tableName, json,
        };
        clear.Validators.Add(result =>
        {
            if ((result.GetResult(table) is not null || result.GetResult(tableName) is not null) && !result.GetValue(uploaded))
            {
                result.AddError("--table and --table-name go with --uploaded");
            }
        });
        clear.SetAction((parse, ct) => context.RunAsync(() => RunAsync(new Options(
            parse.GetValue(directory)!, parse.GetValue(hub), parse.GetValue(uploaded), parse.GetValue(registered),
            parse.GetValue(table), parse.GetValue(tableName), parse.GetValue(json)), context, services, ct)));
        return clear;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, Services services, CancellationToken cancellationToken)
    {
        var root = StickRoot.Checked(options.Directory);
        var database = StickLayout.DatabaseOn(root);
        if (!StickStore.Exists(database))
        {
            throw new InvalidInputException($"{root} holds no stick database ({database}): nothing to clear");
        }

        StickStore.EnsureUsable(database);
        StickStore.RecoverJournal(database); // a stick pulled mid-write: what SQLite would do on the next write
        if (StickStore.Damage(database) is { } damage)
        {
            throw new StorageException(
                $"{database} is damaged ({damage}): nothing was removed. Sync it at a desk (sync salvages every capture it can still read), " +
                "then run 'collector stick init --force' on it to put the damaged database aside");
        }

        var target = options.Uploaded
            ? TableTarget.Resolve(options.Table, options.TableName, context)
              ?? throw new InvalidInputException($"--uploaded asks the table which devices it holds: give --table TARGET or set {TableTarget.EnvironmentVariable}; nothing was removed")
            : null;
        if (target is not null)
        {
            TableFailures.CheckBeforeSending(target, TableUse.Clear, context.Clock.GetUtcNow());
        }

        var (info, captures) = StickStore.Peek(database);
        if (captures == 0)
        {
            await ReportAsync(options, context, root, info.StickId, Leftover(database, [])).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var hubPath = context.HubPath(options.Hub);
        if (!File.Exists(hubPath))
        {
            throw new InvalidInputException($"there is no hub at {hubPath}, so it has never merged stick {info.StickId:D}: sync the stick first ('collector sync {root}'), or pass --hub FILE; nothing was removed");
        }

        using var hubStore = HubStore.Open(hubPath, context.Clock, lockWait: services.HubLockWait);
        if (!hubStore.HasMerged(info.StickId))
        {
            throw new InvalidInputException($"the hub {hubPath} has never merged stick {info.StickId:D}: sync it first ('collector sync {root}'); nothing was removed");
        }

        var holding = target is null ? null : new TableHolding(services.Tables.Connect(target, TableUse.Clear, context.Clock, context.Error), hubStore);
        ClearPlan plan;
        using (var reading = OpenForReading(database))
        {
            plan = await StickClearing.PlanAsync(reading, hubStore, options.Registered, holding, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (plan.Removable.Count > 0)
        {
            hubStore.MakeDurable();
        }

        var outcome = Remove(database, plan);
        await ReportAsync(options, context, root, info.StickId, outcome).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <param name="Upgraded">The clear migrated an older stick database: a collect.exe of an older release refuses it now.</param>
    private sealed record Outcome(IReadOnlyList<ClearedCapture> Removed, IReadOnlyList<KeptCapture> Kept, long CapturesLeft, int DevicesLeft, long LastSequence, bool Upgraded = false);

    /// <summary>
    /// Removes what the plan allows, in one transaction; a capture that changed on the stick since
    /// it was compared (a collect at the desk meanwhile) is not removed and is kept, with that reason.
    /// </summary>
    private static Outcome Remove(string database, ClearPlan plan)
    {
        if (plan.Removable.Count == 0)
        {
            return Leftover(database, plan.Kept); // nothing to write: the stick is not even opened for writing
        }

        // Removing needs the stick's last sequence number (schema 5), so an older stick is migrated.
        var upgraded = DatabaseFile.Inspect(database, StickStore.ApplicationId).UserVersion < StickStore.SchemaVersion;
        using var stick = StickStore.OpenExisting(database);
        var result = stick.Remove([.. plan.Removable.Select(c => new StickRemoval(c.CaptureId, c.HardwareHash))]);
        var changed = plan.Removable.Where(c => result.NotRemoved.Contains(c.CaptureId))
            .Select(c => new KeptCapture(c.Sequence, c.CaptureId, c.DeviceKey, "it changed on the stick while it was being cleared"));
        return new Outcome([.. plan.Removable.Where(c => !result.NotRemoved.Contains(c.CaptureId))], [.. plan.Kept.Concat(changed).OrderBy(k => k.Sequence)],
            result.CapturesLeft, result.DevicesLeft, result.LastSequence, upgraded);
    }

    /// <summary>A stick nothing is removed from, as it stands (read without writing).</summary>
    private static Outcome Leftover(string database, IReadOnlyList<KeptCapture> kept)
    {
        using var stick = OpenForReading(database);
        return new Outcome([], kept, stick.CaptureCount(), stick.DeviceCount(), stick.LastSequence());
    }

    // Null only for a database whose creation was cut short, which Peek has refused before.
    private static StickStore OpenForReading(string database) =>
        StickStore.OpenForReading(database) ?? throw new StorageException($"{database}: the stick database was cut short while it was being created and holds no captures; nothing was removed");

    private static async Task ReportAsync(Options options, WorkstationContext context, string root, Guid stickId, Outcome outcome)
    {
        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, new JsonClear(stickId.ToString("D"),
                [.. outcome.Removed.Select(c => new JsonCapture(c.Sequence, c.CaptureId.ToString("D"), c.DeviceKey, null))],
                [.. outcome.Kept.Select(k => new JsonCapture(k.Sequence, k.CaptureId?.ToString("D"), k.DeviceKey, k.Reason))],
                outcome.CapturesLeft, outcome.DevicesLeft, outcome.LastSequence + 1, outcome.Upgraded)).ConfigureAwait(false);
            return;
        }

        var o = context.Out;
        var devices = outcome.Removed.Select(c => (c.Held.TenantId, c.Held.DeviceKey)).Distinct().Count();
        await o.WriteLineAsync($"Stick {Show(root)} (stick {stickId:D}): removed {outcome.Removed.Count:N0} capture(s) of {devices:N0} device(s), kept {outcome.Kept.Count:N0}.").ConfigureAwait(false);
        if (outcome.Removed.Count > 0)
        {
            await o.WriteLineAsync($"  removed  {SequenceRanges.Format(outcome.Removed.Select(c => c.Sequence))}").ConfigureAwait(false);
        }

        foreach (var kept in outcome.Kept)
        {
            var what = kept.DeviceKey.Length > 0 ? $" {Show(kept.DeviceKey)}" : "";
            await o.WriteLineAsync($"  kept     #{kept.Sequence}{what}: {Show(kept.Reason)}").ConfigureAwait(false);
        }

        await o.WriteLineAsync($"The stick now holds {outcome.CapturesLeft:N0} capture(s) of {outcome.DevicesLeft:N0} device(s); it keeps its id, and its next capture is #{outcome.LastSequence + 1}.").ConfigureAwait(false);
        if (outcome.Upgraded)
        {
            await o.WriteLineAsync($"Its database now has this release's schema, which the collect of an older release refuses: run 'collector stick init {Show(root)} --force' to bring the stick's programs up to date (its captures stay).").ConfigureAwait(false);
        }

        if (outcome.CapturesLeft == 0)
        {
            await o.WriteLineAsync($"It is empty: 'collector stick init {Show(root)} --force --tenant GUID' may move it to another tenant.").ConfigureAwait(false);
        }
    }

    private static string Show(string text) => DisplayText.Escape(text);
}
