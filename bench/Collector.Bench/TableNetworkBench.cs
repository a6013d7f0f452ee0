using System.Diagnostics;
using Azure.Core;
using Azure.Data.Tables;
using Collector.Testing;
using Collector.Workstation;
using Collector.Workstation.Commands;
using Collector.Workstation.Export;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Bench;

/// <summary>
/// Sync and export against a table a network away (issue 16): every client, the product's and
/// the bare loops it is compared with, reaches Azurite through the same <see cref="LatencyProxy"/>.
/// Side by side in one run: sync of 10,000 devices into an empty table; the ceiling, bare SDK
/// transactions of 100 upserts one after another (and with as many in flight as sync keeps); one
/// PUT per device as the seed does (2,000 devices); a repeated sync with nothing new; export of a
/// 10,000-row table against a bare paged query of the same rows.
/// </summary>
public static class TableNetworkBench
{
    private const int SeedDevices = 2000;
    private const double TargetOfCeiling = 0.8, TargetOverSeed = 20, TargetExportOfQuery = 0.8;

    // What export reads of a row (TableExportSource's $select), for the bare query to read the same.
    private static readonly string[] ExportColumns =
        ["PartitionKey", "RowKey", DeviceEntity.SerialNumber, DeviceEntity.HardwareHash, DeviceEntity.GroupTag, DeviceEntity.AssignedUser, DeviceEntity.ExportedAt, DeviceEntity.RegistrationState];

    public static async Task RunAsync(BenchContext context, BenchAzurite azurite, IReadOnlyList<string> sticks, int devices)
    {
        await WarmUpAsync(context, azurite, sticks[0]);

        // Each figure is the median of three runs (the machine is shared), each into a fresh table.
        var run = 0;
        RequestCounter log = new();
        string hub = "";
        TableClient table = null!;
        var syncCpu = new List<double>();
        var syncRate = await MedianAsync(async () =>
        {
            log = new RequestCounter();
            table = azurite.CreateTable();
            hub = Path.Combine(context.Scratch, $"hub-10k-{++run}.db");
            var cpu = ProcessCpuSeconds();
            var rate = devices / (await TimeSyncAsync(hub, azurite, table, log, [.. sticks])).TotalSeconds;
            syncCpu.Add(ProcessCpuSeconds() - cpu);
            return rate;
        });
        BenchContext.Figure($"sync {devices:N0} devices from {sticks.Count} sticks into an empty table", syncRate, "devices/s",
            $"median of 3; merge + upload; {log.Writes} writes, {log.Reads} reads");
        BenchContext.Figure("  sync client CPU (this process, user + system), median of 3", BenchContext.Median(syncCpu), "s",
            "Azurite runs in its own process and is not counted; the proxy is");

        // The upload alone: the same devices already merged into a hub, synced with no PATH into an empty table.
        var uploadRate = await MedianAsync(async () =>
        {
            var merged = Path.Combine(context.Scratch, $"hub-10k-premerged-{++run}.db");
            await TimeSyncAsync(merged, azurite, null, new RequestCounter(), [.. sticks]);
            var target = azurite.CreateTable();
            var rate = devices / (await TimeSyncAsync(merged, azurite, target, new RequestCounter())).TotalSeconds; // no PATH: upload only
            await target.DeleteAsync();
            return rate;
        });

        // (a) the ceiling: the same entities, transactions of 100 upserts, nothing else; one after
        // another, and with as many in flight as sync keeps.
        var entities = Entities(hub);
        var ceilingRate = await MedianAsync(() => BareTransactionsAsync(azurite, entities, 1));
        var inFlight = TableUploader.TransactionsInFlight;
        var ceilingInFlightRate = await MedianAsync(() => BareTransactionsAsync(azurite, entities, inFlight));

        // (b) the seed's way: one PUT (insert-or-replace) per device.
        var seedRate = await MedianAsync(async () =>
        {
            var target = azurite.CreateTable();
            var elapsed = await TimeAsync(async () =>
            {
                foreach (var entity in entities.Take(SeedDevices))
                {
                    await target.UpsertEntityAsync(entity, TableUpdateMode.Replace);
                }
            });
            await target.DeleteAsync();
            return SeedDevices / elapsed.TotalSeconds;
        });

        BenchContext.Figure("  of which the upload (sticks already merged)", uploadRate, "devices/s", "median of 3");
        BenchContext.Figure("(a) bare SDK transactions of 100 upserts, one after another", ceilingRate, "devices/s", "median of 3");
        BenchContext.Figure($"(a') the same, {inFlight} in flight as sync keeps", ceilingInFlightRate, "devices/s", "median of 3");
        BenchContext.Figure($"(b) one PUT per device as the seed does ({SeedDevices:N0} devices)", seedRate, "devices/s", "median of 3");
        BenchContext.Figure("sync / (a) ceiling", syncRate / ceilingRate, "ratio", $"target >= {TargetOfCeiling}");
        BenchContext.Figure("upload alone / (a) ceiling", uploadRate / ceilingRate, "ratio", $"target >= {TargetOfCeiling}");
        BenchContext.Figure($"sync / (a') {inFlight} in flight", syncRate / ceilingInFlightRate, "ratio");
        BenchContext.Figure("sync / (b) one PUT per device", syncRate / seedRate, "ratio", $"target >= {TargetOverSeed}");
        BenchContext.Figure("upload alone / (b) one PUT per device", uploadRate / seedRate, "ratio", $"target >= {TargetOverSeed}");
        BenchContext.Figure("(a) ceiling / (b) one PUT per device", ceilingRate / seedRate, "ratio", "what batching alone gains");

        // Repeated sync with nothing new (the last hub and table of the sync runs).
        var again = new RequestCounter();
        var againTime = await TimeSyncAsync(hub, azurite, table, again, [.. sticks]);
        BenchContext.Figure("repeated sync, nothing new: writes sent", again.Writes, "requests", "target 0");
        BenchContext.Figure("repeated sync, nothing new: reads sent", again.Reads, "requests", $"target <= {devices / 1000}");
        BenchContext.Figure("repeated sync, nothing new: time", againTime.TotalSeconds, "s");

        await ExportAsync(context, azurite, entities);
        azurite.DropAllTables();
    }

    /// <summary>Export of a table of <paramref name="entities"/> (none exported yet) against a bare paged query of the same rows.</summary>
    private static async Task ExportAsync(BenchContext context, BenchAzurite azurite, List<TableEntity> entities)
    {
        var queryRates = new List<double>();
        var exportRates = new List<double>();
        var markRates = new List<double>();
        var requests = new RequestCounter();
        for (var i = 0; i < 3; i++)
        {
            var filled = azurite.CreateTable(direct: true);
            foreach (var chunk in entities.Chunk(EntityRules.MaxBatchActions))
            {
                await filled.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)));
            }

            var table = new TableClient(azurite.ConnectionString, filled.Name);
            var rows = 0;
            var query = await TimeAsync(async () =>
            {
                await foreach (var page in table.QueryAsync<TableEntity>(maxPerPage: 1000, select: ExportColumns).AsPages())
                {
                    rows += page.Values.Count;
                }
            });
            queryRates.Add(rows / query.TotalSeconds);

            // What export writes besides: a mark (merge update on the ETag read) per row, a file's
            // 500 in transactions of 100 sent at once, one file after another, on a second copy.
            var marked = azurite.CreateTable(direct: true);
            foreach (var chunk in entities.Chunk(EntityRules.MaxBatchActions))
            {
                await marked.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)));
            }

            var through = new TableClient(azurite.ConnectionString, marked.Name);
            var read = through.Query<TableEntity>(maxPerPage: 1000, select: ["PartitionKey", "RowKey"]).ToList();
            var marks = await TimeAsync(async () =>
            {
                foreach (var file in read.Chunk(500))
                {
                    await Task.WhenAll(file.Chunk(EntityRules.MaxBatchActions).Select(chunk => through.SubmitTransactionAsync(
                        chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                            new TableEntity(r.PartitionKey, r.RowKey) { [DeviceEntity.ExportedAt] = DateTime.UtcNow, [DeviceEntity.ExportBatch] = "bench" }, r.ETag)))));
                }
            });
            markRates.Add(read.Count / marks.TotalSeconds);
            await marked.DeleteAsync();

            var folder = Directory.CreateDirectory(Path.Combine(context.Scratch, $"export-{Guid.NewGuid():N}")).FullName;
            var output = new StringWriter();
            var workstation = new WorkstationContext(output, TextWriter.Null, TimeProvider.System, _ => null);
            var exit = 0;
            var export = await TimeAsync(async () => exit = await ExportCommand.RunAsync(
                new ExportCommand.Options(null, true, azurite.ConnectionString, filled.Name, null, null, folder, 500, false, true),
                workstation, new DurableBatchFileWriter(), CancellationToken.None));
            if (exit != 0)
            {
                throw new InvalidOperationException($"export exited {exit}");
            }

            exportRates.Add(entities.Count / export.TotalSeconds);
            Directory.Delete(folder, recursive: true);
            await filled.DeleteAsync();
        }

        var exportRate = BenchContext.Median(exportRates);
        var queryRate = BenchContext.Median(queryRates);
        BenchContext.Figure($"export {entities.Count:N0} devices from the table (files written, rows marked)", exportRate, "devices/s", "median of 3");
        BenchContext.Figure($"bare paged query of the same rows (pages of 1,000)", queryRate, "rows/s", "median of 3");
        BenchContext.Figure("export / bare paged query", exportRate / queryRate, "ratio", $"target >= {TargetExportOfQuery}");
        BenchContext.Figure("bare marks of the same rows (files of 500: 5 transactions of 100 at once)", BenchContext.Median(markRates), "rows/s",
            "median of 3; what export writes besides reading: it cannot beat the slower of the two");
    }

    private static async Task<double> BareTransactionsAsync(BenchAzurite azurite, List<TableEntity> entities, int inFlight)
    {
        var target = azurite.CreateTable();
        var elapsed = await TimeAsync(async () =>
        {
            var sending = new Queue<Task>();
            foreach (var chunk in entities.Chunk(EntityRules.MaxBatchActions))
            {
                if (sending.Count == inFlight)
                {
                    await sending.Dequeue();
                }

                sending.Enqueue(target.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e))));
            }

            await Task.WhenAll(sending);
        });
        await target.DeleteAsync();
        return entities.Count / elapsed.TotalSeconds;
    }

    /// <summary>JIT and connection warm-up for the sync, the bare loops and export, on throw-away tables.</summary>
    private static async Task WarmUpAsync(BenchContext context, BenchAzurite azurite, string stick)
    {
        var hub = Path.Combine(context.Scratch, "hub-warm.db");
        await TimeSyncAsync(hub, azurite, azurite.CreateTable(), new RequestCounter(), stick);
        var entities = Entities(hub);
        var warm = azurite.CreateTable();
        foreach (var chunk in entities.Chunk(EntityRules.MaxBatchActions).Take(3))
        {
            await warm.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)));
            foreach (var entity in chunk.Take(20))
            {
                await warm.UpsertEntityAsync(entity, TableUpdateMode.Replace);
            }
        }

        var folder = Directory.CreateDirectory(Path.Combine(context.Scratch, "export-warm")).FullName;
        await ExportCommand.RunAsync(new ExportCommand.Options(null, true, azurite.ConnectionString, warm.Name, null, null, folder, 500, false, true),
            new WorkstationContext(TextWriter.Null, TextWriter.Null, TimeProvider.System, _ => null), new DurableBatchFileWriter(), CancellationToken.None);
        Directory.Delete(folder, recursive: true);
        await warm.DeleteAsync();
    }

    private static async Task<TimeSpan> TimeSyncAsync(string hub, BenchAzurite azurite, TableClient? table, RequestCounter log, params string[] sticks)
    {
        var options = TableClients.DefaultOptions();
        options.AddPolicy(log, HttpPipelinePosition.PerRetry);
        var services = new SyncCommand.Services(new TableClients(options), HubStore.DefaultLockWait);
        var context = new WorkstationContext(TextWriter.Null, TextWriter.Null, TimeProvider.System, _ => null);
        var watch = Stopwatch.StartNew();
        var exit = await SyncCommand.RunAsync(
            new SyncCommand.Options(sticks, hub, table is null ? null : azurite.ConnectionString, table?.Name, false, Json: true),
            context, services, CancellationToken.None);
        watch.Stop();
        return exit == 0 ? watch.Elapsed : throw new InvalidOperationException($"sync exited {exit}");
    }

    private static List<TableEntity> Entities(string hub) =>
        [.. HubFile.NewestCaptures(hub).Select(c => DeviceEntity.From(new HubCapture(c.Capture, c.EffectiveAt)))];

    private static async Task<double> MedianAsync(Func<Task<double>> measure)
    {
        var values = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            values.Add(await measure());
        }

        return BenchContext.Median(values);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed;
    }

    private static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }
}
