using System.Diagnostics;
using System.Globalization;

namespace Collector.Bench;

/// <summary>Where the bench runs: repository root, scratch folder, and how figures are printed.</summary>
public sealed record BenchContext(string RepositoryRoot, string Scratch)
{
    public static BenchContext FromEnvironment()
    {
        var root = Environment.GetEnvironmentVariable("COLLECTOR_REPO") ?? FindRoot();
        var scratch = Environment.GetEnvironmentVariable("COLLECTOR_BENCH_SCRATCH")
            ?? Directory.CreateTempSubdirectory("collector-bench-").FullName;
        return new BenchContext(root, scratch);
    }

    /// <summary>
    /// How far away the table service and Microsoft Graph are, each way, in the benches that talk
    /// to them (a <see cref="Collector.Testing.LatencyProxy"/> in front of the local stand-ins):
    /// COLLECTOR_BENCH_LATENCY_MS, default 20 (a storage account in a nearby region); 0 leaves
    /// the proxy out.
    /// </summary>
    public static TimeSpan NetworkLatency { get; } = TimeSpan.FromMilliseconds(
        int.TryParse(Environment.GetEnvironmentVariable("COLLECTOR_BENCH_LATENCY_MS"), out var ms) && ms >= 0 ? ms : 20);

    /// <summary>One figure per line: name, value, unit, and an optional note (a target, a ratio).</summary>
    public static void Figure(string name, double value, string unit, string note = "") =>
        Console.WriteLine($"  {name,-58} {value,14:N2} {unit,-10} {note}".TrimEnd());

    /// <summary>
    /// CPU seconds (utime + stime of /proc/PID/stat, fields 14 and 15 after the parenthesised
    /// name, in ticks of 1/100 s) a child process has used so far; 0 once it is gone. Callers
    /// sample it until the process ends, so its last moments may be missed.
    /// </summary>
    public static double ChildCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Runs a process to its end, following its CPU seconds and peak resident set (VmHWM in
    /// /proc/PID/status; the kernel keeps the maximum) every 20 ms: only the last 20 ms before
    /// exit can be missed. Its output is collected, not shown.
    /// </summary>
    public static ChildRun RunChild(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        long peakKb = 0;
        double cpu = 0;
        while (!process.WaitForExit(20))
        {
            peakKb = Math.Max(peakKb, PeakKb(process.Id));
            cpu = Math.Max(cpu, ChildCpuSeconds(process.Id));
        }

        process.WaitForExit(); // the output streams are read to their end
        return new ChildRun(watch.Elapsed, process.ExitCode, cpu, peakKb / 1024.0, output.Result, error.Result);
    }

    /// <summary>
    /// The collector built beside the bench, run in <paramref name="folder"/> as an admin runs it
    /// (<see cref="RunChild"/>); a failure stops the suite with its output.
    /// </summary>
    public static ChildRun RunCollector(string folder, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "collector.exe" : "collector"))
        {
            WorkingDirectory = folder,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var run = RunChild(start);
        return run.ExitCode == 0
            ? run
            : throw new InvalidOperationException($"collector {string.Join(' ', args)} exited {run.ExitCode}: {run.Error} {run.Output[..Math.Min(run.Output.Length, 2000)]}");
    }

    private static long PeakKb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // exited between the check and the read
        }
    }

    /// <summary>The machine's 1-minute load average: figures taken on a busy machine say so.</summary>
    public static double LoadAverage() =>
        OperatingSystem.IsLinux() ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : 0;

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static TimeSpan Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Collector.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find Collector.sln above the bench binary; set COLLECTOR_REPO");
    }
}

/// <summary>One child process's run: wall time, exit code, CPU seconds, peak resident memory, output.</summary>
public sealed record ChildRun(TimeSpan Elapsed, int ExitCode, double CpuSeconds, double PeakMb, string Output, string Error);
