using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation;
using Collector.Workstation.Commands;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Bench;

/// <summary>
/// <c>collector sync</c> against one Azurite (issue 4's benchmarks), all figures from one run:
/// 10,000 devices from 10 sticks into an empty table, against (a) a bare loop of SDK transactions
/// of 100 upserts — the ceiling — and (b) one PUT per device as the seed script does; a repeated
/// sync with nothing new; merging 50 sticks of 1,000 captures; and 100,000 devices synced by the
/// real executable in a child process whose peak resident memory is read from /proc.
/// </summary>
public static class SyncBench
{
    private const int SticksSmall = 10, SticksMerge = 50, SticksLarge = 100, PerStick = 1000;
    private const int SeedDevices = 2000;
    private const double TargetOfCeiling = 0.7, TargetOverSeed = 5, MemoryLimitMb = 300;

    public static async Task RunAsync(BenchContext context)
    {
        // Sticks are built on tmpfs when there is one (building them is not what is measured:
        // each append syncs to disk); the hubs live in the scratch folder, on disk, as at a desk.
        var stickRoot = Directory.Exists("/dev/shm")
            ? Directory.CreateDirectory(Path.Combine("/dev/shm", "collector-bench-" + Guid.NewGuid().ToString("N"))).FullName
            : Path.Combine(context.Scratch, "sticks");
        var hubs = Directory.CreateDirectory(Path.Combine(context.Scratch, "sync-hubs")).FullName; // about 1 GB by the end
        try
        {
            await RunAsync(context with { Scratch = hubs }, stickRoot);
        }
        finally
        {
            Directory.Delete(stickRoot, recursive: true);
            Directory.Delete(hubs, recursive: true);
        }
    }

    private static async Task RunAsync(BenchContext context, string stickRoot)
    {
        var day = DateTimeOffset.UtcNow.AddDays(-2);
        var quick = Environment.GetEnvironmentVariable("COLLECTOR_BENCH_QUICK") == "1";
        BenchContext.Figure("load average (1 min) when the suite started", BenchContext.LoadAverage(), "",
            "the machine is shared: wall-clock ratios move with it; CPU seconds less so");
        var build = Stopwatch.StartNew();
        var sticks = await BuildSticksAsync(stickRoot, day, quick ? SticksSmall : SticksLarge);
        Console.WriteLine($"  (built {sticks.Count} sticks of {PerStick:N0} captures in {build.Elapsed.TotalSeconds:N0} s; not measured)");

        using var azurite = new Azurite();
        Console.WriteLine($"  (Azurite {(GiveAzuriteItsOwnCore() ? "on core 1, this process and collector on core 0" : "sharing the cores with this process")})");
        var small = sticks.Take(SticksSmall).ToArray();

        await WarmUpAsync(context, azurite, sticks[0]);

        // Each figure is the median of three runs (the machine is shared), each into a fresh table.
        var devices = SticksSmall * PerStick;
        var run = 0;
        WriteCounter log = new();
        string hub = "";
        TableClient table = null!;
        var syncCpu = new List<double>();
        var syncRate = await MedianAsync(async () =>
        {
            log = new WriteCounter();
            table = CreateTable(azurite);
            hub = Path.Combine(context.Scratch, $"hub-10k-{++run}.db");
            var cpu = ProcessCpuSeconds();
            var rate = devices / (await TimeSyncAsync(hub, azurite, table, log, small)).TotalSeconds;
            syncCpu.Add(ProcessCpuSeconds() - cpu);
            return rate;
        });
        BenchContext.Figure($"sync {devices:N0} devices from {SticksSmall} sticks into an empty table", syncRate, "devices/s",
            $"median of 3; merge + upload; {log.Writes} writes, {log.Reads} reads");
        BenchContext.Figure("  sync client CPU (this process, user + system), median of 3", BenchContext.Median(syncCpu), "s",
            "Azurite runs in its own process and is not counted");

        // The upload alone: the same devices already merged into a hub, synced with no PATH into an empty table.
        var uploadRate = await MedianAsync(async () =>
        {
            var merged = Path.Combine(context.Scratch, $"hub-10k-premerged-{++run}.db");
            await TimeSyncAsync(merged, azurite, null, new WriteCounter(), small);
            var target = CreateTable(azurite);
            var rate = devices / (await TimeSyncAsync(merged, azurite, target, new WriteCounter())).TotalSeconds; // no PATH: upload only
            await target.DeleteAsync();
            return rate;
        });

        // (a) the ceiling: the same entities, transactions of 100 upserts, nothing else.
        var entities = Entities(hub);
        var ceilingRate = await MedianAsync(async () =>
        {
            var target = CreateTable(azurite);
            var elapsed = await TimeAsync(async () =>
            {
                foreach (var chunk in entities.Chunk(EntityRules.MaxBatchActions))
                {
                    await target.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)));
                }
            });
            await target.DeleteAsync();
            return entities.Count / elapsed.TotalSeconds;
        });

        // (b) the seed's way: one PUT (insert-or-replace) per device.
        var seedRate = await MedianAsync(async () =>
        {
            var target = CreateTable(azurite);
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
        BenchContext.Figure("(a) bare SDK transactions of 100 upserts, no bookkeeping", ceilingRate, "devices/s", "median of 3");
        BenchContext.Figure($"(b) one PUT per device as the seed does ({SeedDevices:N0} devices)", seedRate, "devices/s", "median of 3");
        BenchContext.Figure("sync / (a) ceiling", syncRate / ceilingRate, "ratio", $"target >= {TargetOfCeiling}");
        BenchContext.Figure("upload alone / (a) ceiling", uploadRate / ceilingRate, "ratio", $"target >= {TargetOfCeiling}");
        BenchContext.Figure("sync / (b) one PUT per device", syncRate / seedRate, "ratio", $"target >= {TargetOverSeed}");
        BenchContext.Figure("upload alone / (b) one PUT per device", uploadRate / seedRate, "ratio", $"target >= {TargetOverSeed}");
        BenchContext.Figure("(a) ceiling / (b) one PUT per device", ceilingRate / seedRate, "ratio", "what any batching can gain here");

        // Repeated sync with nothing new (the last hub and table of the sync runs).
        var again = new WriteCounter();
        var againTime = await TimeSyncAsync(hub, azurite, table, again, small);
        BenchContext.Figure("repeated sync, nothing new: writes sent", again.Writes, "requests", $"target 0; {again.Reads} reads");
        BenchContext.Figure("repeated sync, nothing new: time", againTime.TotalSeconds, "s");

        // Azurite keeps every table in memory: drop them all before the 100,000.
        var service = new TableServiceClient(azurite.ConnectionString);
        foreach (var name in service.Query().Select(t => t.Name).ToList())
        {
            await service.DeleteTableAsync(name);
        }

        if (quick)
        {
            return; // COLLECTOR_BENCH_QUICK=1: the 10,000-device figures only
        }

        // Merge alone, 50 sticks x 1,000 captures, by the real executable: time and peak memory.
        var mergeRun = RunCollector(Path.Combine(context.Scratch, "hub-merge.db"), null, null, sticks.Take(SticksMerge));
        BenchContext.Figure($"merge alone, {SticksMerge} sticks x {PerStick:N0} captures", mergeRun.Elapsed.TotalSeconds, "s",
            $"{SticksMerge * PerStick / mergeRun.Elapsed.TotalSeconds:N0} captures/s (child process, incl. start-up)");
        BenchContext.Figure("merge alone: CPU (user + system)", mergeRun.CpuSeconds, "s");
        BenchContext.Figure("merge alone: peak resident memory", mergeRun.PeakMb, "MB");

        // 100,000 devices: merge and upload by the real executable, peak memory of its process.
        var largeTable = CreateTable(azurite).Name;
        var large = RunCollector(Path.Combine(context.Scratch, "hub-100k.db"), azurite, largeTable, sticks.Take(SticksLarge));
        var largeDevices = SticksLarge * PerStick;
        BenchContext.Figure($"sync {largeDevices:N0} devices from {SticksLarge} sticks (merge + upload)", largeDevices / large.Elapsed.TotalSeconds, "devices/s",
            $"{large.Elapsed.TotalSeconds:N1} s, exit {large.ExitCode}");
        BenchContext.Figure($"sync {largeDevices:N0} devices: CPU of collector (user + system)", large.CpuSeconds, "s");
        BenchContext.Figure($"sync {largeDevices:N0} devices: peak resident memory", large.PeakMb, "MB", $"limit {MemoryLimitMb} MB");
        var rows = new TableClient(azurite.ConnectionString, largeTable).Query<TableEntity>(select: ["RowKey"]).Count();
        BenchContext.Figure($"sync {largeDevices:N0} devices: rows in the table afterwards", rows, "rows");
    }

    private static async Task<List<string>> BuildSticksAsync(string root, DateTimeOffset day, int count)
    {
        var sticks = Enumerable.Range(0, count).Select(s => Path.Combine(root, $"stick{s:D3}")).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 2 }, (s, _) =>
        {
            using var store = StickStore.Open(Path.Combine(sticks[s], "collector", "data", "captures.db"), Guid.NewGuid(), new ManualClock(day));
            for (var i = 0; i < PerStick; i++)
            {
                var device = s * PerStick + i + 1;
                store.Append(TestCaptures.Draft(device, day.AddHours(1).AddSeconds(device)));
            }

            return ValueTask.CompletedTask;
        });
        return sticks;
    }

    /// <summary>JIT and connection warm-up for both the sync and the bare loops, on a throw-away table.</summary>
    private static async Task WarmUpAsync(BenchContext context, Azurite azurite, string stick)
    {
        var hub = Path.Combine(context.Scratch, "hub-warm.db");
        await TimeSyncAsync(hub, azurite, CreateTable(azurite), new WriteCounter(), stick);
        var warm = CreateTable(azurite);
        foreach (var chunk in Entities(hub).Chunk(EntityRules.MaxBatchActions).Take(3))
        {
            await warm.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)));
            foreach (var entity in chunk.Take(20))
            {
                await warm.UpsertEntityAsync(entity, TableUpdateMode.Replace);
            }
        }
    }

    private static async Task<TimeSpan> TimeSyncAsync(string hub, Azurite azurite, TableClient? table, WriteCounter log, params string[] sticks)
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

    /// <summary>
    /// run.sh pins the bench to core 0; Azurite, started by it, inherited that. The table service
    /// is the far end of a network in real use, so it gets core 1 to itself, and the client under
    /// test keeps core 0 (with two cores or more; otherwise everything shares).
    /// </summary>
    private static bool GiveAzuriteItsOwnCore()
    {
        // Not Environment.ProcessorCount: it counts the cores this process may use (1, pinned).
        // On a one-core machine taskset refuses core 1 and everything shares.
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var moved = false;
        foreach (var pid in Descendants(Environment.ProcessId))
        {
            var command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (!command.Contains("azurite", StringComparison.Ordinal))
            {
                continue;
            }

            using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", "1", pid.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            taskset?.WaitForExit();
            moved |= taskset?.ExitCode == 0;
        }

        return moved;
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
            }
        }

        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in parents.Where(p => p.Value == parent).Select(p => p.Key))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }

        return found;
    }

    private static List<TableEntity> Entities(string hub) =>
        [.. HubFile.NewestCaptures(hub).Select(c => DeviceEntity.From(new HubCapture(c.Capture, c.EffectiveAt)))];

    private static TableClient CreateTable(Azurite azurite)
    {
        var table = new TableClient(azurite.ConnectionString, Azurite.NewTableName("bench"));
        table.CreateIfNotExists();
        return table;
    }

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

    /// <summary>Runs the built <c>collector sync</c> in its own process, its CPU and peak memory followed.</summary>
    private static ChildRun RunCollector(string hub, Azurite? azurite, string? table, IEnumerable<string> sticks)
    {
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "collector.dll"), "sync", "--hub", hub, "--json" } };
        foreach (var stick in sticks)
        {
            start.ArgumentList.Add(stick);
        }

        if (azurite is not null)
        {
            start.Environment[TableTarget.EnvironmentVariable] = azurite.ConnectionString;
            start.ArgumentList.Add("--table-name");
            start.ArgumentList.Add(table!);
        }

        var run = BenchContext.RunChild(start);
        if (run.ExitCode != 0)
        {
            Console.WriteLine($"  collector exited {run.ExitCode}: {run.Error.Split('\n').LastOrDefault(l => l.Length > 0)}");
        }

        return run;
    }

    private static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Counts requests on the wire (per retry): writes are anything but GET.</summary>
    private sealed class WriteCounter : HttpPipelinePolicy
    {
        private int writes, reads;

        public int Writes => writes;
        public int Reads => reads;

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            await ProcessNextAsync(message, pipeline);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            ProcessNext(message, pipeline);
        }

        private void Count(HttpMessage message) => _ = message.Request.Method == RequestMethod.Get
            ? Interlocked.Increment(ref reads)
            : Interlocked.Increment(ref writes);
    }
}
