using System.Diagnostics;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Report;
using Microsoft.Data.Sqlite;

namespace Collector.Bench;

/// <summary>
/// What an admin looks at, on a hub of 100,000 devices (110,000 captures over 60 days, 8 sites,
/// 24 technicians, a tenth without TPM, half of them exported): <c>collector devices</c> (all of
/// them as text and as JSON, and one found by serial), and <c>collector report</c> (wall time,
/// peak memory, bytes of HTML), each the real executable as a child process, median of three.
/// Also the inline SVG chart the report draws, against the figures measured for ScottPlot.
/// </summary>
public static class DeskBench
{
    private const int Devices = 100_000, Recaptured = 10_000, Runs = 3;
    private const double DevicesTarget = 2.0, ReportTarget = 5.0, ReportBytesLimit = 5 * 1024 * 1024;
    private static readonly Guid Tenant = Guid.Parse("5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01");

    public static Task RunAsync(BenchContext context)
    {
        var folder = Directory.CreateDirectory(Path.Combine(context.Scratch, "desk-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            BenchContext.Figure("load average (1 min) when the suite started", BenchContext.LoadAverage(), "");
            // COLLECTOR_BENCH_DESK_HUB keeps the hub between runs (made there when missing, never deleted).
            var hub = Environment.GetEnvironmentVariable("COLLECTOR_BENCH_DESK_HUB") is { Length: > 0 } kept ? kept : Path.Combine(folder, "hub.db");
            if (!File.Exists(hub))
            {
                var build = Stopwatch.StartNew();
                Fill(hub);
                Console.WriteLine($"  (hub of {Devices:N0} devices, {Devices + Recaptured:N0} captures built in {build.Elapsed.TotalSeconds:N0} s, " +
                    $"{new FileInfo(hub).Length / 1048576.0:N0} MB; not measured)");
            }

            Measure(folder, "devices: all, text", DevicesTarget, "devices", "--hub", hub);
            Measure(folder, "devices: all, --json", DevicesTarget, "devices", "--hub", hub, "--json");
            Measure(folder, "devices: --flag no-tpm --waiting export", DevicesTarget, "devices", "--hub", hub, "--flag", "no-tpm", "--waiting", "export");
            Measure(folder, "devices: --serial (one device)", DevicesTarget, "devices", "--hub", hub, "--serial", "CLT-0054321");
            Measure(folder, "device KEY (its history)", DevicesTarget, "device", "CLT-0000042", "--hub", hub);

            var page = Path.Combine(folder, "report.html");
            Measure(folder, "report", ReportTarget, "report", "--hub", hub, "--out", page);
            var bytes = new FileInfo(page).Length;
            BenchContext.Figure("  report HTML", bytes / 1048576.0, "MB", $"limit < 5 MB; ratio to limit {bytes / ReportBytesLimit:N2}");

            Charts();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs collector with its stdout going to a file, as <c>collector devices &gt; devices.txt</c>
    /// does: read through a pipe by this process instead, 40 MB of output cost the bench (pinned to
    /// the same core) as much time as collector itself.
    /// </summary>
    private static void Measure(string folder, string what, double target, params string[] args)
    {
        var output = Path.Combine(folder, "stdout.txt");
        var runs = Enumerable.Range(0, Runs).Select(_ =>
        {
            var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = folder, Environment = { ["OUT"] = output } };
            foreach (var arg in (string[])["-c", "exec \"$0\" \"$@\" > \"$OUT\"", Path.Combine(AppContext.BaseDirectory, "collector"), .. args])
            {
                start.ArgumentList.Add(arg);
            }

            var run = BenchContext.RunChild(start);
            return run.ExitCode == 0 ? run : throw new InvalidOperationException($"collector {string.Join(' ', args)} exited {run.ExitCode}: {run.Error}");
        }).ToList();
        var wall = BenchContext.Median(runs.Select(r => r.Elapsed.TotalSeconds));
        BenchContext.Figure($"{what}, wall, median of {Runs}", wall, "s", $"target < {target} s; ratio to target {wall / target:N2}");
        BenchContext.Figure("  CPU (user + system), median; peak resident memory, max", BenchContext.Median(runs.Select(r => r.CpuSeconds)), "s",
            $"{runs.Max(r => r.PeakMb):N0} MB; {new FileInfo(output).Length / 1048576.0:N1} MB on stdout");
    }

    /// <summary>
    /// The report's charts, drawn here in process: bytes of SVG and time per chart. For the same
    /// 60-day column chart ScottPlot 5.1.59 measured 41 KB of SVG, 1.47 s for its first chart (its
    /// SkiaSharp native library loaded) and about 60 ms for each one after.
    /// </summary>
    private static void Charts()
    {
        var days = Enumerable.Range(0, 60).Select(i => (DateOnly.FromDateTime(new DateTime(2026, 10, 1)).AddDays(i), (long)(i * 37 % 500))).ToList();
        var (_, bars) = CaptureSeries.Of(days);
        var first = Stopwatch.StartNew();
        var svg = new StringWriter();
        SvgChart.Columns(svg, "c", "Captures per day", bars);
        var firstMs = first.Elapsed.TotalMilliseconds;
        var watch = Stopwatch.StartNew();
        const int n = 1000;
        for (var i = 0; i < n; i++)
        {
            SvgChart.Columns(new StringWriter(), "c", "Captures per day", bars);
        }

        BenchContext.Figure("60-day column chart (inline SVG): bytes", svg.ToString().Length / 1024.0, "KB", "ScottPlot 5.1.59: 41 KB");
        BenchContext.Figure("  first chart in this process (JIT included)", firstMs, "ms", "ScottPlot: 1,470 ms");
        BenchContext.Figure("  each chart after", watch.Elapsed.TotalMilliseconds / n, "ms", "ScottPlot: about 60 ms");
    }

    /// <summary>The hub, filled in process through the import path (a capture at a time, in one transaction), then half of it exported.</summary>
    private static void Fill(string hubPath)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var start = new DateTimeOffset(2026, 10, 1, 7, 0, 0, TimeSpan.Zero);
        var stick = Guid.CreateVersion7();
        using var hub = HubStore.Open(hubPath, clock);
        using (var import = hub.BeginImport())
        {
            for (var i = 1; i <= Devices + Recaptured; i++)
            {
                var index = i <= Devices ? i : i - Devices;
                var builder = HashBuilder.Sample(index);
                if (index % 100 == 50)
                {
                    builder.Serial = "Default string";
                }

                if (i > Devices)
                {
                    builder.DiskSerial = $"RECAPTURE{index:D7}"; // another hash of the same device, as a second capture is
                }

                var at = start.AddMinutes(i * 60.0 * 24 * 60 / (Devices + Recaptured));
                var draft = new CaptureDraft(Tenant, HashCodec.Check(builder.Build()).Hash!, "", "", at,
                    $"technician-{index % 24:D2}", $"Site {(char)('A' + index % 8)}", CaptureMethods.Wmi, "bench");
                import.Add(draft.ToCapture(Guid.CreateVersion7(at), i, stick));
            }

            import.Commit();
        }

        var exported = new List<(string, Guid)>();
        using (var connection = new SqliteConnection($"Data Source={hubPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.Command(null, "SELECT device_key, newest_capture_id FROM devices ORDER BY device_key");
            using var reader = command.ExecuteReader();
            for (var i = 0; reader.Read(); i++)
            {
                if (i % 2 == 0)
                {
                    exported.Add((reader.GetString(0), Guid.Parse(reader.GetString(1))));
                }
            }
        }

        foreach (var (batch, n) in exported.Chunk(500).Select((b, n) => (b, n)))
        {
            hub.MarkExported($"bench-{n:D3}", Tenant, $"/exports/bench-{n:D3}.csv", batch, clock.GetUtcNow());
        }
    }
}
