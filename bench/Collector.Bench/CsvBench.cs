using System.Text;
using Collector.Core.Hashing;

namespace Collector.Bench;

/// <summary>
/// <c>collector import</c> of 50,000 CSV rows and <c>collector export</c> of 50,000 devices (100
/// files), each run as the real process, as an admin runs it: wall seconds (start-up included),
/// the CPU seconds the process used (user + system: what wall time would be on an idle core,
/// short of I/O waits), and peak resident memory (the kernel's VmHWM of that process). Median of
/// three runs. The load average is printed first: the machine is shared.
/// </summary>
public static class CsvBench
{
    private const int Devices = 50_000;
    private const int Runs = 3;
    private const double ImportTarget = 5.0;
    private const double ExportTarget = 2.0;
    private static readonly string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";

    public static Task RunAsync(BenchContext context)
    {
        var folder = Directory.CreateDirectory(Path.Combine(context.Scratch, "csv-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            BenchContext.Figure("load average (1 min) when the suite started", BenchContext.LoadAverage(), "",
                $"machine has {File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal))} cores; runs pinned to {Environment.ProcessorCount}");
            var utf8 = Path.Combine(folder, "devices-utf8.csv");
            var utf16 = Path.Combine(folder, "devices-utf16.csv");
            Generate(utf8, utf16);
            BenchContext.Figure("CSV files written (UTF-8 / UTF-16LE+BOM)", new FileInfo(utf8).Length / 1048576.0, "MB",
                $"{new FileInfo(utf16).Length / 1048576.0:N0} MB as UTF-16");

            var startup = Median(Enumerable.Range(0, Runs).Select(_ => Collector(folder, "--version").Elapsed.TotalSeconds));
            BenchContext.Figure("collector start-up (--version), median of 3", startup, "s");

            Import(folder, utf8, "UTF-8");
            Import(folder, utf16, "UTF-16LE+BOM (Get-WindowsAutopilotInfo)");

            var hub = Path.Combine(folder, "hub-UTF-8-0.db");
            var exports = Enumerable.Range(0, Runs).Select(run =>
            {
                var output = Path.Combine(folder, $"out-{run}");
                var result = Collector(folder, "export", "--hub", hub, "--out", output, "--all");
                var files = Directory.GetFiles(output, "*.csv").Length;
                if (files != Devices / 500)
                {
                    throw new InvalidOperationException($"export wrote {files} files, expected {Devices / 500}");
                }

                return result;
            }).ToList();
            var exportSeconds = Median(exports.Select(r => r.Elapsed.TotalSeconds));
            var exportCpu = Median(exports.Select(r => r.CpuSeconds));
            BenchContext.Figure($"export {Devices:N0} devices into {Devices / 500} files, wall, median of 3", exportSeconds, "s",
                $"target < {ExportTarget} s; ratio to target {exportSeconds / ExportTarget:N2}; {Devices / exportSeconds:N0} devices/s");
            BenchContext.Figure("  export CPU (user + system), median of 3", exportCpu, "s",
                $"ratio to target {exportCpu / ExportTarget:N2}");
            BenchContext.Figure("  export peak resident memory (max of 3)", exports.Max(r => r.PeakMb), "MB");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static void Import(string folder, string csv, string label)
    {
        var runs = Enumerable.Range(0, Runs).Select(run =>
            Collector(folder, "import", csv, "--tenant", Tenant, "--hub", Path.Combine(folder, $"hub-{label.Split(' ')[0]}-{run}.db"))).ToList();
        var seconds = Median(runs.Select(r => r.Elapsed.TotalSeconds));
        var cpu = Median(runs.Select(r => r.CpuSeconds));
        BenchContext.Figure($"import {Devices:N0} rows, {label}, wall, median of 3", seconds, "s",
            $"target < {ImportTarget} s; ratio to target {seconds / ImportTarget:N2}; {Devices / seconds:N0} rows/s");
        BenchContext.Figure("  import CPU (user + system), median of 3", cpu, "s", $"ratio to target {cpu / ImportTarget:N2}");
        BenchContext.Figure("  import peak resident memory (max of 3)", runs.Max(r => r.PeakMb), "MB");
    }

    private static void Generate(string utf8Path, string utf16Path)
    {
        using var utf8 = new StreamWriter(utf8Path, false, new UTF8Encoding(false), 1 << 20);
        using var utf16 = new StreamWriter(utf16Path, false, new UnicodeEncoding(false, true), 1 << 20);
        const string header = "Device Serial Number,Windows Product ID,Hardware Hash\r\n";
        utf8.Write(header);
        utf16.Write(header);
        for (var i = 1; i <= Devices; i++)
        {
            var device = HashBuilder.Sample(i);
            var line = $"{device.Serial},,{device.Build()}\r\n";
            utf8.Write(line);
            utf16.Write(line);
        }
    }

    private static ChildRun Collector(string folder, params string[] args) => BenchContext.RunCollector(folder, args);

    private static double Median(IEnumerable<double> values) => BenchContext.Median(values);
}
