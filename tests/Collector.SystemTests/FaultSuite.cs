using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// What the fault suites share: a pool of OA3 reports (made-up devices), a run of the real Linux
/// collect with --json, and the check after every fault: every capture whose collect exited 0 is
/// present, the database opens and passes integrity_check. Counts are kept for the test output.
/// </summary>
public sealed class FaultSuite : IDisposable
{
    /// <summary>CI runs at least this many faults per suite; a developer may ask for more (or fewer, outside CI).</summary>
    public const int CiIterations = 200;

    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory reports = new("collect-fault-reports-");
    private readonly List<string> reportPaths = [];
    private readonly HashSet<Guid> acknowledged = [];
    private readonly Dictionary<Guid, long> sequences = [];
    private long highestSequence;

    public FaultSuite(string stickRoot, int seed)
    {
        StickRoot = stickRoot;
        Seed = seed;
        Random = new Random(seed);
        for (var i = 0; i < 40; i++)
        {
            reportPaths.Add(reports.Write($"OA3-{i}.xml", Oa3Reports.For(HashBuilder.Sample(i).Build())));
        }
    }

    public string StickRoot { get; }

    public int Seed { get; }

    public Random Random { get; }

    public string Database => Path.Combine(StickRoot, "collector", "data", "captures.db");

    public int Acknowledged => acknowledged.Count;

    public int Lost { get; private set; }

    public int Unreadable { get; private set; }

    public int NextCollectFailed { get; private set; }

    /// <summary>Captures removed on purpose (stick clear: the hub holds them), not lost.</summary>
    public int Removed { get; private set; }

    /// <summary>Captures that turned up under a sequence number given before, or whose number changed.</summary>
    public int SequencesReused { get; private set; }

    public List<string> Problems { get; } = [];

    public static int Iterations
    {
        get
        {
            var asked = Environment.GetEnvironmentVariable("COLLECTOR_FAULT_ITERATIONS") is { } text
                ? int.Parse(text, CultureInfo.InvariantCulture)
                : CiIterations;
            return Environment.GetEnvironmentVariable("CI") == "true" ? Math.Max(asked, CiIterations) : asked;
        }
    }

    /// <summary>Starts collect on the stick with a random device's report.</summary>
    public Process StartCollect() =>
        Programs.Start(Programs.LinuxCollect, Arguments(reportPaths[Random.Next(reportPaths.Count)]));

    /// <summary>Waits for a started (perhaps killed) collect; records its capture when it exited 0. Returns its exit code.</summary>
    public int Finish(Process collect)
    {
        var stdout = collect.StandardOutput.ReadToEnd();
        collect.StandardError.ReadToEnd();
        collect.WaitForExit();
        if (collect.ExitCode == ExitCodes.Ok)
        {
            Acknowledge(stdout); // it finished before the fault landed: a capture like any other
        }

        return collect.ExitCode;
    }

    /// <summary>Runs collect to the end: after a fault, the next capture must work.</summary>
    public void NextCollectMustWork(int iteration)
    {
        var result = Programs.Run(Programs.LinuxCollect, Arguments(reportPaths[Random.Next(reportPaths.Count)]), timeout: TimeSpan.FromMinutes(1));
        if (result.ExitCode == ExitCodes.Ok)
        {
            Acknowledge(result.Out);
        }
        else
        {
            NextCollectFailed++;
            Problems.Add($"iteration {iteration}: the next collect failed: {result}");
        }
    }

    /// <summary>
    /// Every acknowledged capture present (except those <paramref name="mayBeRemoved"/> allows to
    /// be gone), integrity_check ok (the device count included), and no sequence number given
    /// twice; counts what is not.
    /// </summary>
    public void Check(int iteration, Func<Guid, bool>? mayBeRemoved = null)
    {
        try
        {
            using var store = StickStore.OpenExisting(Database);
            var report = store.Verify();
            if (!report.Ok)
            {
                Unreadable++;
                Problems.Add($"iteration {iteration}: integrity_check: {report.IntegrityCheck}");
                return;
            }

            var captures = store.ReadCaptures().ToList();
            CheckSequences(iteration, captures);
            var present = captures.Select(c => c.CaptureId).ToHashSet();
            var removed = acknowledged.Where(id => !present.Contains(id) && mayBeRemoved is not null && mayBeRemoved(id)).ToList();
            Removed += removed.Count;
            acknowledged.ExceptWith(removed);
            var missing = acknowledged.Where(id => !present.Contains(id)).ToList();
            if (missing.Count > 0)
            {
                Lost += missing.Count;
                Problems.Add($"iteration {iteration}: {missing.Count} acknowledged capture(s) missing, e.g. {missing[0]}");
                acknowledged.ExceptWith(missing); // count each loss once
            }
        }
        catch (CollectorException e)
        {
            Unreadable++;
            Problems.Add($"iteration {iteration}: the database does not open: {e.Message}");
        }
    }

    // A capture keeps the number it was first seen under; a capture first seen now has a number
    // above every number seen before (the stick remembers them, even those a clear removed).
    private void CheckSequences(int iteration, List<Collector.Core.Captures.Capture> captures)
    {
        foreach (var capture in captures.OrderBy(c => c.StickSequence))
        {
            if (sequences.TryGetValue(capture.CaptureId, out var seen))
            {
                if (seen != capture.StickSequence)
                {
                    SequencesReused++;
                    Problems.Add($"iteration {iteration}: capture {capture.CaptureId} moved from #{seen} to #{capture.StickSequence}");
                }

                continue;
            }

            if (capture.StickSequence <= highestSequence)
            {
                SequencesReused++;
                Problems.Add($"iteration {iteration}: capture {capture.CaptureId} got #{capture.StickSequence}, at or below #{highestSequence} given before");
            }

            sequences[capture.CaptureId] = capture.StickSequence;
            highestSequence = Math.Max(highestSequence, capture.StickSequence);
        }
    }

    /// <summary>Median wall time of a whole capture, from a few runs.</summary>
    public TimeSpan MeasureCapture()
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var run = Programs.Run(Programs.LinuxCollect, Arguments(reportPaths[i]));
            Assert.True(run.ExitCode == 0, run.ToString());
            Acknowledge(run.Out);
            times.Add(run.Elapsed.TotalSeconds);
        }

        return TimeSpan.FromSeconds(BenchMedian(times));
    }

    /// <summary>
    /// Waits for the moment to strike, by one of two plans chosen at random: a random moment in
    /// the second half of a typical capture (start-up, reading, the write and the read-back all
    /// get hit), or a few milliseconds after the rollback journal appears, which is inside the
    /// capture's transaction, the window where a fault could do harm. Returns the plan's name.
    /// </summary>
    public string WaitForMoment(Process victim, TimeSpan capture)
    {
        if (Random.Next(2) == 0)
        {
            Thread.Sleep(capture * (0.5 + 0.55 * Random.NextDouble()));
            return "timed";
        }

        var extra = Random.Next(0, 12);
        var journal = Database + "-journal";
        var deadline = DateTime.UtcNow + capture * 3;
        while (!File.Exists(journal) && !victim.HasExited && DateTime.UtcNow < deadline)
        {
            Thread.SpinWait(200);
        }

        Thread.Sleep(extra);
        return "in-transaction";
    }

    public void Dispose() => reports.Dispose();

    private static double BenchMedian(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private string[] Arguments(string report) => ["--stick", StickRoot, "--oa3-report", report, "--tenant", Tenant, "--json"];

    private void Acknowledge(string stdout)
    {
        using var json = JsonDocument.Parse(stdout);
        acknowledged.Add(Guid.Parse(json.RootElement.GetProperty("captureId").GetString()!));
    }
}
