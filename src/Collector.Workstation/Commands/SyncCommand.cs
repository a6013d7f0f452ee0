using System.CommandLine;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Workstation.Hub;
using Collector.Workstation.Sync;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector sync PATH... [--hub FILE] [--table TARGET] [--table-name NAME] [--create-table] [--json]</c>:
/// merge every stick found under the PATHs into the hub, then, where a table is configured,
/// upload each device's newest capture to it (design section 5).
/// </summary>
public static class SyncCommand
{
    public sealed record Options(IReadOnlyList<string> Paths, string? Hub, string? Table, string? TableName, bool CreateTable, bool Json);

    /// <summary>
    /// What sync uses besides its options: how it reaches tables (the client options, where tests
    /// add pipeline policies and shorten the delays, and the Entra credential) and how long to wait
    /// for a busy hub.
    /// </summary>
    public sealed record Services(TableClients Tables, TimeSpan HubLockWait)
    {
        public static Services Default() => new(TableClients.Default(), HubStore.DefaultLockWait);
    }

    public static Command Create(WorkstationContext context)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "A stick root, a folder holding stick roots, or a stick database file (recognised by content, not name).",
            Arity = ArgumentArity.OneOrMore,
        };
        var hub = SharedOptions.Hub();
        var table = SharedOptions.UploadTable();
        var tableName = SharedOptions.TableName();
        var createTable = new Option<bool>("--create-table") { Description = "Create the table if it does not exist (needs an account-level credential)." };
        var json = SharedOptions.Json("one JSON object with the counts, skipped paths and rejected devices");
        var command = new Command("sync", "Merge sticks into the hub and upload every device's newest capture to Azure Table storage.")
        {
            paths, hub, table, tableName, createTable, json,
        };
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(parse.GetValue(paths)!, parse.GetValue(hub), parse.GetValue(table), parse.GetValue(tableName),
                parse.GetValue(createTable), parse.GetValue(json)),
            context, Services.Default(), ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, Services services, CancellationToken cancellationToken)
    {
        // The target is checked, and its client made, before anything is touched: bad input changes nothing.
        var target = TableTarget.Resolve(options.Table, options.TableName, context);
        if (target is null && (options.TableName is not null || options.CreateTable))
        {
            throw new InvalidInputException($"--table-name and --create-table need a table: give --table TARGET or set {TableTarget.EnvironmentVariable}");
        }

        TableConnection? table = null;
        if (target is not null)
        {
            TableFailures.CheckBeforeSending(target, TableUse.Sync, context.Clock.GetUtcNow());
            table = services.Tables.Connect(target, TableUse.Sync, context.Clock, context.Error);
        }

        var report = NewReport(target, context.Error);
        var progress = new SyncProgress(context.Error, context.Clock);
        var found = StickFinder.Find(options.Paths);
        foreach (var skipped in found.Skipped.Where(s => !found.HeaderDamaged.Contains(s.Path)))
        {
            report.Skip(skipped.Path, skipped.Reason);
        }

        var hubPath = context.HubPath(options.Hub);
        using var hub = HubStore.Open(hubPath, context.Clock, lockWait: services.HubLockWait);
        Merge(hub, [.. found.Databases, .. found.HeaderDamaged], report, progress, cancellationToken);

        if (table is not null)
        {
            try
            {
                var uploader = new TableUploader(hub, table, report, progress);
                await uploader.PrepareAsync(options.CreateTable, cancellationToken).ConfigureAwait(false);
                await uploader.UploadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e)
            {
                var failure = new CloudException(
                    $"{e.Message} (the sticks were merged into the hub {hubPath}; {hub.CountWaitingForUpload():N0} devices wait for upload)", e);
                if (options.Json)
                {
                    // Scripts get what was merged, and the error, as well as the line on stderr.
                    report.Waiting = hub.CountWaitingForUpload();
                    report.Error = context.Secrets.Redact(failure.Message);
                    await JsonOutput.WriteAsync(context.Out, report.ToJson()).ConfigureAwait(false);
                }

                throw failure;
            }
        }

        report.Waiting = hub.CountWaitingForUpload();
        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, report.ToJson()).ConfigureAwait(false);
        }
        else
        {
            await context.Out.WriteAsync(SyncSummary.Format(report, hub)).ConfigureAwait(false);
        }

        return report.Partial ? ExitCodes.Partial : ExitCodes.Ok;
    }

    /// <summary>The run's report, saying each skipped, damaged, refused and rejected thing on stderr as it happens (device and path text escaped).</summary>
    private static SyncReport NewReport(TableTarget? target, TextWriter error) => new()
    {
        Table = target?.ToString(),
        OnSkipped = s => error.WriteLine($"{CollectorApp.Name}: skipped {Show(s.Path)}: {Show(s.Reason)}"),
        OnRejected = r => error.WriteLine($"{CollectorApp.Name}: rejected {Show(r.DeviceKey)}: {Show(r.Reason)}"),
        OnDamaged = d => error.WriteLine($"{CollectorApp.Name}: {SyncSummary.Describe(d)}"),
        OnInvalid = i => error.WriteLine($"{CollectorApp.Name}: refused capture #{i.Sequence} of {Show(i.Path)}: {Show(i.Reason)}"),
    };

    private static string Show(string text) => DisplayText.Escape(text);

    private static void Merge(HubStore hub, IReadOnlyList<string> databases, SyncReport report, SyncProgress progress, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateTempSubdirectory("collector-sync-").FullName;
        try
        {
            var merger = new StickMerger(hub, scratch);
            progress.StartMerge(databases.Count);
            foreach (var database in databases)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var merged = merger.Merge(database, report);
                if (merged is not null)
                {
                    report.SticksMerged++;
                    report.CapturesNew += merged.NewCaptures;
                    report.CapturesKnown += merged.KnownCaptures;
                }

                progress.Merged(merged?.NewCaptures ?? 0);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // a copy still open on Windows: the system's temp cleanup takes it later
            }
        }
    }
}
