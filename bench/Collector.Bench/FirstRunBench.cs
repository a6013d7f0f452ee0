using System.Globalization;
using Collector.Core.Captures;

namespace Collector.Bench;

/// <summary>
/// Every device a technician visits is a first run of collect.exe. For each layout of the stick's
/// build (<see cref="BuildLayout.All"/>; COLLECTOR_FIRSTRUN_LAYOUTS=a,b picks some): the win-x64
/// build laid out as a stick (usb-layout plus collector\x64\), then, per "device" (a Wine prefix
/// whose %TEMP% is emptied, the stick's files evicted from the page cache): a first capture,
/// the bytes it read from the stick (page cache after the run, database excluded), the bytes it
/// left under drive_c, and a second capture on the same device. The capture is the same every
/// time: <c>collect --oa3-report</c> with samples/oa3/device-01.xml into a stick database that
/// holds that one capture already. Medians over COLLECTOR_FIRSTRUN_DEVICES devices (default 5),
/// after one device that is not counted (it warms Wine and makes the database).
/// Goals for a fresh device: first ≤ 1.2× second, ≤ 1 MB written outside the stick, ≤ 15 MB read.
/// </summary>
public static class FirstRunBench
{
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";
    private const double RatioGoal = 1.2;
    private const double WrittenGoalMb = 1;
    private const double ReadGoalMb = 15;
    private const double Mb = 1024 * 1024;

    public static Task RunAsync(BenchContext context)
    {
        var devices = int.TryParse(Environment.GetEnvironmentVariable("COLLECTOR_FIRSTRUN_DEVICES"), out var n) && n > 0 ? n : 5;
        var chosen = Environment.GetEnvironmentVariable("COLLECTOR_FIRSTRUN_LAYOUTS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var layouts = BuildLayout.All.Where(l => chosen is null || chosen.Contains(l.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        var report = Path.Combine(context.Scratch, "OA3-device-01.xml");
        File.Copy(Path.Combine(context.RepositoryRoot, "samples", "oa3", "device-01.xml"), report, overwrite: true);

        // Publishing first: a build's disk traffic must not fall on a measured run.
        var published = layouts.Select(l => (Layout: l, Folder: l.Publish(context))).ToList();

        using var wine = new BenchWine(context.Scratch);
        Console.WriteLine($"  win-x64 collect.exe under Wine, {devices} devices per layout (medians), load {BenchContext.LoadAverage():N1}");
        Console.WriteLine($"  goals for a fresh device: first <= {RatioGoal:N1}x second, <= {WrittenGoalMb:N0} MB written outside the stick, <= {ReadGoalMb:N0} MB read from it");
        Console.WriteLine($"  {"layout",-18} {"on stick",9} {"files",6} {"first",8} {"second",8} {"ratio",6} {"read",9} {"written",9}  misses");
        foreach (var (layout, folder) in published)
        {
            var stick = LayOut(context, layout.Name, folder);
            var program = Path.Combine(stick, "collector", "x64");
            Figures figures;
            try
            {
                figures = Measure(wine, stick, report, devices);
            }
            catch (CaptureFailedException e)
            {
                // A layout Wine cannot run cannot be shipped: the system tests run the release under Wine.
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {layout.Name,-18} {Size(program) / Mb,6:N1} MB {Directory.GetFiles(program, "*", SearchOption.AllDirectories).Length,6}  does not run under Wine: {e.Message}"));
                continue;
            }

            var misses = new List<string>();
            if (figures.Ratio > RatioGoal)
            {
                misses.Add("ratio");
            }

            if (figures.WrittenMb > WrittenGoalMb)
            {
                misses.Add("written");
            }

            if (figures.ReadMb > ReadGoalMb)
            {
                misses.Add("read");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {layout.Name,-18} {Size(program) / Mb,6:N1} MB {Directory.GetFiles(program, "*", SearchOption.AllDirectories).Length,6} {figures.FirstMs,5:N0} ms {figures.SecondMs,5:N0} ms {figures.Ratio,5:N2}x {figures.ReadMb,6:N1} MB {figures.WrittenMb,6:N2} MB  {(misses.Count == 0 ? "-" : string.Join(", ", misses))}"));
        }

        Console.WriteLine("  layouts:");
        foreach (var layout in layouts)
        {
            Console.WriteLine($"    {layout.Name,-18} {layout.Description}");
        }

        return Task.CompletedTask;
    }

    private sealed record Figures(double FirstMs, double SecondMs, double Ratio, double ReadMb, double WrittenMb);

    private static Figures Measure(BenchWine wine, string stick, string report, int devices)
    {
        var exe = BenchWine.WindowsPath(Path.Combine(stick, "collector", "x64", "collect.exe"));
        string[] capture = [exe, "--stick", BenchWine.WindowsPath(stick), "--oa3-report", BenchWine.WindowsPath(report), "--tenant", Tenant, "--json"];
        var database = StickLayout.DatabaseOn(stick);
        var pristine = database + ".pristine";

        // The device not counted: Wine's first sight of this build, and the database it makes.
        wine.EmptyTemp();
        Capture(wine, capture);
        File.Copy(database, pristine, overwrite: true);

        var first = new List<double>();
        var second = new List<double>();
        var read = new List<double>();
        var written = new List<double>();
        for (var device = 0; device < devices; device++)
        {
            wine.EmptyTemp();
            File.Copy(pristine, database, overwrite: true);
            var program = Directory.GetFiles(stick, "*", SearchOption.AllDirectories)
                .Where(f => !f.StartsWith(Path.GetDirectoryName(database)!, StringComparison.Ordinal))
                .ToList();
            var before = wine.Snapshot();
            PageCache.Evict(Directory.GetFiles(stick, "*", SearchOption.AllDirectories));

            first.Add(Capture(wine, capture));
            read.Add(PageCache.ResidentBytes(program) / Mb);
            written.Add(BenchWine.Written(before, wine.Snapshot()).Bytes / Mb);
            second.Add(Capture(wine, capture));
        }

        var f = BenchContext.Median(first);
        var s = BenchContext.Median(second);
        return new Figures(f * 1000, s * 1000, f / s, BenchContext.Median(read), BenchContext.Median(written));
    }

    /// <summary>One capture's wall time in seconds; a capture that fails ends the layout's measurement.</summary>
    private static double Capture(BenchWine wine, string[] capture)
    {
        var run = wine.Run(capture);
        if (run.ExitCode == 0 && run.Output.Contains("\"alreadyOnStick\"", StringComparison.Ordinal))
        {
            return run.Elapsed.TotalSeconds;
        }

        var said = (run.Error + run.Output).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        throw new CaptureFailedException($"exit {run.ExitCode}, \"{said}\"");
    }

    private sealed class CaptureFailedException(string message) : Exception(message);

    /// <summary>A stick as stick init lays it out: usb-layout, the published build in collector\x64\.</summary>
    private static string LayOut(BenchContext context, string name, string published)
    {
        var stick = Path.Combine(context.Scratch, "stick-" + name);
        if (Directory.Exists(stick))
        {
            Directory.Delete(stick, recursive: true);
        }

        Copy(Path.Combine(context.RepositoryRoot, "usb-layout"), stick);
        Copy(published, Path.Combine(stick, "collector", "x64"));
        return stick;
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static long Size(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
