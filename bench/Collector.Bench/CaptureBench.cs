using System.Diagnostics;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.Bench;

/// <summary>
/// One capture end to end with --oa3-report on an exFAT stick (exfat-fuse over a loop device):
/// process start to exit, commit included, of the published linux-x64 collect (the design's
/// recipe, as on the stick). Ratios from the same run, runs interleaved so the machine's noise
/// falls on all alike: to the floor (a program published the same way that opens a SQLite file
/// on the same stick and commits one row) and to `pwsh -NoProfile -Command exit` (what the seed
/// script pays per device before it does anything). Then the same on a stick already holding
/// 10,000 captures. Needs root (losetup, mount).
/// </summary>
public static class CaptureBench
{
    private const int Runs = 21;
    private const int WarmUp = 3;
    private const int Preloaded = 10_000;
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";

    public static Task RunAsync(BenchContext context)
    {
        var collect = Publish(context, "src/Collector.Stick", "stick", "collect");
        var floor = Publish(context, "bench/StickFloor", "stick-floor", "stick-floor");
        var pwsh = RepoPaths.Pwsh;
        var reports = Enumerable.Range(0, Runs + WarmUp)
            .Select(i => WriteReport(context, i))
            .ToArray();

        using var empty = new ExfatStick(256L * 1024 * 1024);
        using var full = new ExfatStick(256L * 1024 * 1024);
        Preload(context, full.MountPoint);

        var times = new Dictionary<string, List<double>> { ["collect"] = [], ["floor"] = [], ["pwsh"] = [], ["collect-10k"] = [] };
        for (var i = 0; i < Runs + WarmUp; i++)
        {
            var measured = i >= WarmUp;
            Record(times, "collect", measured, Time(collect, "--stick", empty.MountPoint, "--oa3-report", reports[i], "--tenant", Tenant, "--json"));
            Record(times, "floor", measured, Time(floor, Path.Combine(empty.MountPoint, "floor.db")));
            Record(times, "pwsh", measured, Time(pwsh, "-NoProfile", "-Command", "exit"));
            Record(times, "collect-10k", measured, Time(collect, "--stick", full.MountPoint, "--oa3-report", reports[i], "--tenant", Tenant, "--json"));
        }

        var c = BenchContext.Median(times["collect"]);
        var f = BenchContext.Median(times["floor"]);
        var p = BenchContext.Median(times["pwsh"]);
        var c10 = BenchContext.Median(times["collect-10k"]);
        BenchContext.Figure($"capture, --oa3-report, empty exFAT stick, median of {Runs}", c * 1000, "ms",
            $"collect / floor {c / f:N2} (target <= 2.00)");
        BenchContext.Figure("floor: start, open SQLite on the stick, commit 1 row", f * 1000, "ms");
        BenchContext.Figure("pwsh -NoProfile -Command exit", p * 1000, "ms",
            $"pwsh / collect {p / c:N2} (target >= 4.00)");
        BenchContext.Figure($"capture, stick already holding {Preloaded:N0} captures", c10 * 1000, "ms",
            $"10k / empty {c10 / c:N2} (target <= 1.10)");
        return Task.CompletedTask;
    }

    private static void Record(Dictionary<string, List<double>> times, string name, bool measured, double seconds)
    {
        if (measured)
        {
            times[name].Add(seconds);
        }
    }

    /// <summary>Wall time from process start to exit; a failing run stops the bench.</summary>
    private static double Time(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var elapsed = watch.Elapsed.TotalSeconds;
        return process.ExitCode == 0
            ? elapsed
            : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stdout.Result} {stderr.Result}");
    }

    /// <summary>Publishes a program with the stick's recipe (build/publish-stick.sh) for linux-x64; incremental after the first time.</summary>
    private static string Publish(BenchContext context, string project, string name, string executable)
    {
        // bench/run.sh pins the bench to one core; the build it starts may use them all.
        var script = Path.Combine(context.RepositoryRoot, "build", "publish-stick.sh");
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList =
            {
                "-c", "exec taskset -c \"0-$(( $(nproc --all) - 1 ))\" bash \"$0\" \"$@\"",
                script, "-project", Path.Combine(context.RepositoryRoot, project), "-name", name, "linux-x64",
            },
        };
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode == 0
            ? Path.Combine(context.RepositoryRoot, "artifacts", "publish", name, "linux-x64", executable)
            : throw new InvalidOperationException($"publishing {project} failed");
    }

    private static string WriteReport(BenchContext context, int sample)
    {
        var path = Path.Combine(context.Scratch, $"OA3-{sample}.xml");
        File.WriteAllText(path, Oa3Reports.For(HashBuilder.Sample(sample).Build()));
        return path;
    }

    /// <summary>
    /// Puts a stick database holding 10,000 captures on the stick: made through the store on a
    /// RAM disk (where its per-capture fsyncs cost nothing), then copied over.
    /// </summary>
    private static void Preload(BenchContext context, string stickRoot)
    {
        var ram = Directory.Exists("/dev/shm") ? Directory.CreateTempSubdirectory("collect-bench-").FullName : context.Scratch;
        var local = Path.Combine(ram, "captures.db");
        try
        {
            using (var store = StickStore.Open(local, Guid.NewGuid(), TimeProvider.System))
            {
                for (var i = 0; i < Preloaded; i++)
                {
                    store.Append(TestCaptures.Draft(1000 + i % 4000, DateTimeOffset.UtcNow));
                }
            }

            var target = Path.Combine(stickRoot, "collector", "data", "captures.db");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(local, target);
        }
        finally
        {
            if (ram != context.Scratch)
            {
                Directory.Delete(ram, recursive: true);
            }
        }
    }
}
