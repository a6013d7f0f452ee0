using System.Diagnostics;
using Azure.Data.Tables;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Tables;

namespace Collector.Bench;

/// <summary>
/// <c>collector sync</c> against one Azurite a network away (issues 4 and 16), all figures from one
/// run: the table figures of <see cref="TableNetworkBench"/> (10,000 devices from 10 sticks), then
/// merging 50 sticks of 1,000 captures, and 100,000 devices synced by the real executable in a
/// child process whose peak resident memory is read from /proc.
/// </summary>
public static class SyncBench
{
    private const int SticksSmall = 10, SticksMerge = 50, SticksLarge = 100, PerStick = 1000;
    private const double MemoryLimitMb = 300;

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

        using var azurite = new BenchAzurite();
        Console.WriteLine($"  ({azurite.Describe()})");
        await TableNetworkBench.RunAsync(context, azurite, [.. sticks.Take(SticksSmall)], SticksSmall * PerStick);
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
        var largeTable = azurite.CreateTable().Name;
        var large = RunCollector(Path.Combine(context.Scratch, "hub-100k.db"), azurite, largeTable, sticks.Take(SticksLarge));
        var largeDevices = SticksLarge * PerStick;
        BenchContext.Figure($"sync {largeDevices:N0} devices from {SticksLarge} sticks (merge + upload)", largeDevices / large.Elapsed.TotalSeconds, "devices/s",
            $"{large.Elapsed.TotalSeconds:N1} s, exit {large.ExitCode}");
        BenchContext.Figure($"sync {largeDevices:N0} devices: CPU of collector (user + system)", large.CpuSeconds, "s");
        BenchContext.Figure($"sync {largeDevices:N0} devices: peak resident memory", large.PeakMb, "MB", $"limit {MemoryLimitMb} MB");
        var rows = new TableClient(azurite.DirectConnectionString, largeTable).Query<TableEntity>(select: ["RowKey"]).Count();
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

    /// <summary>Runs the built <c>collector sync</c> in its own process, its CPU and peak memory followed.</summary>
    private static ChildRun RunCollector(string hub, BenchAzurite? azurite, string? table, IEnumerable<string> sticks)
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
}
