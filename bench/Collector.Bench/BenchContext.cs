using System.Diagnostics;

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

    /// <summary>One figure per line: name, value, unit, and an optional note (a target, a ratio).</summary>
    public static void Figure(string name, double value, string unit, string note = "") =>
        Console.WriteLine($"  {name,-58} {value,14:N2} {unit,-10} {note}".TrimEnd());

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
