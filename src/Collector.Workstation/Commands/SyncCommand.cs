using System.CommandLine;
using System.Globalization;
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
        // The target is checked before anything is touched: bad input changes nothing.
        var target = TableTarget.Resolve(options.Table, options.TableName, context);
        if (target is null && (options.TableName is not null || options.CreateTable))
        {
            throw new InvalidInputException($"--table-name and --create-table need a table: give --table TARGET or set {TableTarget.EnvironmentVariable}");
        }

        if (target is not null)
        {
            TableFailures.CheckBeforeSending(target, TableUse.Sync, context.Clock.GetUtcNow());
        }

        var report = new SyncReport
        {
            Table = target?.ToString(),
            OnSkipped = s => context.Error.WriteLine($"{CollectorApp.Name}: skipped {s.Path}: {s.Reason}"),
            OnRejected = r => context.Error.WriteLine($"{CollectorApp.Name}: rejected {r.DeviceKey}: {r.Reason}"),
        };
        var progress = new SyncProgress(context.Error, context.Clock);
        var found = StickFinder.Find(options.Paths);
        foreach (var skipped in found.Skipped)
        {
            report.Skip(skipped.Path, skipped.Reason);
        }

        var hubPath = context.HubPath(options.Hub);
        using var hub = HubStore.Open(hubPath, context.Clock, lockWait: services.HubLockWait);
        Merge(hub, found.Databases, report, progress, cancellationToken);

        if (target is not null)
        {
            try
            {
                var table = services.Tables.Connect(target, TableUse.Sync, context.Clock);
                var uploader = new TableUploader(hub, table, report, progress);
                await uploader.PrepareAsync(options.CreateTable, cancellationToken).ConfigureAwait(false);
                await uploader.UploadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e)
            {
                throw new CloudException(
                    $"{e.Message} (the sticks were merged into the hub {hubPath}; {hub.CountWaitingForUpload():N0} devices wait for upload)", e);
            }
        }

        report.Waiting = hub.CountWaitingForUpload();
        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, report.ToJson()).ConfigureAwait(false);
        }
        else
        {
            await context.Out.WriteAsync(Summary(report, hub)).ConfigureAwait(false);
        }

        return report.Skipped.Count > 0 || report.Rejected.Count > 0 ? ExitCodes.Partial : ExitCodes.Ok;
    }

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

    private static string Summary(SyncReport report, HubStore hub)
    {
        var n = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.AppendLine(n, $"Sticks: {report.SticksMerged} merged, {report.Skipped.Count} skipped. Captures: {report.CapturesNew:N0} new, {report.CapturesKnown:N0} already in the hub.");
        text.AppendLine(n, $"Hub: {hub.Path} ({hub.CountDevices():N0} devices, {hub.CountCaptures():N0} captures).");
        if (report.Table is { } table)
        {
            text.AppendLine(n, $"{(report.TableCreated ? "Created " + table : char.ToUpperInvariant(table[0]) + table[1..])}: {report.Uploaded:N0} devices uploaded, {report.Unchanged:N0} already up to date, " +
                $"{report.NewerInTable:N0} newer in the table, {report.Rejected.Count:N0} rejected.");
            if (report.Collisions > 0)
            {
                text.AppendLine(n, $"{report.Collisions:N0} devices share a serial with another device in the table: they are keyed serial~uuid.");
            }

            if (report.Waiting > 0)
            {
                text.AppendLine(n, $"{report.Waiting:N0} devices still wait for upload.");
            }
        }
        else
        {
            text.AppendLine(n, $"No table configured (--table TARGET or {TableTarget.EnvironmentVariable}): {report.Waiting:N0} devices wait for upload.");
        }

        AppendList(text, "Skipped:", report.Skipped.Select(s => $"{s.Path}: {s.Reason}"));
        AppendList(text, "Rejected:", report.Rejected.Select(r => $"{r.DeviceKey}: {r.Reason}"));
        return text.ToString();
    }

    private static void AppendList(System.Text.StringBuilder text, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0)
        {
            return;
        }

        text.AppendLine(title);
        foreach (var line in list)
        {
            text.Append("  ").AppendLine(line);
        }
    }
}
