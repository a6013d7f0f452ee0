using System.Diagnostics;
using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Testing.Graph;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;

namespace Collector.Bench;

/// <summary>
/// <c>collector register</c> of 5,000 devices (issue 13's benchmark): the built collector in a
/// child process against the stand-in Graph on 127.0.0.1 behind a <see cref="LatencyProxy"/>
/// (20 ms each way unless COLLECTOR_BENCH_LATENCY_MS says otherwise), the service answering each
/// device at the second poll. Figures: wall time, HTTP requests per device
/// by kind (goal: under 0.3 in all), the collector's CPU and peak resident memory.
/// </summary>
public static class RegisterBench
{
    // COLLECTOR_BENCH_REGISTER_DEVICES changes it (a small run shows the process's floor).
    private static readonly int Devices = int.TryParse(Environment.GetEnvironmentVariable("COLLECTOR_BENCH_REGISTER_DEVICES"), out var n) ? n : 5000;
    private const double Goal = 0.3;
    private static readonly Guid Tenant = TestCaptures.Tenant;

    public static async Task RunAsync(BenchContext context)
    {
        BenchContext.Figure("load average (1 min) when the suite started", BenchContext.LoadAverage(), "");
        var hub = Path.Combine(context.Scratch, $"register-{Guid.NewGuid():N}.db");
        Fill(hub);
        await using var graph = await GraphStandIn.StartAsync();
        var token = "bench-" + Guid.NewGuid().ToString("N");
        graph.AddTenant(Tenant, token);
        // Graph a network away: the same proxy as the table benches, BenchContext.NetworkLatency each way.
        using var proxy = BenchContext.NetworkLatency > TimeSpan.Zero ? new LatencyProxy(graph.Root.Port, BenchContext.NetworkLatency) : null;
        if (proxy is not null)
        {
            graph.Root = proxy.Through(graph.Root);
        }

        graph.ReadsBeforeAnswer = 1; // unknown at the first poll, answered at the second
        const double pollSeconds = 1;
        Console.WriteLine($"  ({Devices:N0} devices; {BenchContext.NetworkLatency.TotalMilliseconds:N0} ms added each way to every request and connection; list pages of {graph.PageSize}; --poll-interval {pollSeconds} s; answered at the second poll)");

        var run = await Task.Run(() => BenchContext.RunChild(Start(hub, graph, token, pollSeconds)));
        if (run.ExitCode != 0)
        {
            Console.WriteLine($"  collector exited {run.ExitCode}: {run.Error.Split('\n').LastOrDefault(l => l.Length > 0)}");
            return;
        }

        var registered = JsonDocument.Parse(run.Output).RootElement.GetProperty("devices").GetProperty("registered").GetInt32();
        BenchContext.Figure("devices registered", registered, "devices");
        BenchContext.Figure("wall time, start to exit", run.Elapsed.TotalSeconds, "s", $"of which about {2 * pollSeconds:N0} s is the two poll intervals");
        BenchContext.Figure("collector CPU (user + system)", run.CpuSeconds, "s");
        BenchContext.Figure("collector peak resident memory", run.PeakMb, "MB");
        var total = 0;
        foreach (var kind in new[] { GraphRequestKind.Import, GraphRequestKind.List, GraphRequestKind.Get, GraphRequestKind.Delete, GraphRequestKind.Batch })
        {
            var count = graph.Count(kind);
            total += count;
            var inside = graph.Count(kind, inBatch: true);
            BenchContext.Figure($"HTTP requests per device: {kind.ToString().ToLowerInvariant()}", (double)count / Devices, "",
                $"{count:N0} requests" + (inside > 0 ? $" (+{inside:N0} inside $batch requests)" : ""));
        }

        BenchContext.Figure("HTTP requests per device, all kinds", (double)total / Devices, "", $"{total:N0} requests; goal < {Goal}");
        Console.WriteLine($"  import records left in the stand-in: {graph.Records(Tenant).Count}; deleted {graph.Deleted.Count:N0}");
        File.Delete(hub);
    }

    private static ProcessStartInfo Start(string hub, GraphStandIn graph, string token, double pollSeconds)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "collector.dll"), "register", "--hub", hub, "--graph", graph.Root.AbsoluteUri,
                "--poll-interval", pollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json",
            },
        };
        start.Environment["COLLECTOR_GRAPH_TOKEN"] = token;
        return start;
    }

    /// <summary>5,000 made-up devices in one transaction (how they got there is not what is measured).</summary>
    private static void Fill(string hubPath)
    {
        using var hub = HubStore.Open(hubPath, TimeProvider.System);
        using var session = hub.BeginImport();
        for (var i = 1; i <= Devices; i++)
        {
            var device = HashBuilder.Sample(i);
            var row = new CsvDeviceRow(i + 1, device.Serial, "", device.Build(), "", "", "", "");
            session.Add(CsvImport.ToCapture(row, Tenant, null, DateTimeOffset.UtcNow, "bench").Capture!);
        }

        session.Commit();
    }
}
