using System.Diagnostics;
using Collector.Core.Errors;
using Collector.Testing;
using Xunit.Abstractions;

namespace Collector.SystemTests;

/// <summary>
/// The pulled-stick suite for <c>collector stick clear</c>: the stick is an exFAT image served by
/// exfat-fuse; between pulls the real collect adds captures and the real collector syncs some of
/// them into a hub on the desk's disk; then a clear runs and, at a random moment (fixed seed),
/// the FUSE process is killed. After every pull (fsck.exfat -y, remount) no capture the hub does
/// not hold is missing, the database passes integrity_check with its device count right, no
/// sequence number is given twice, the next collect works, and a clear cut short works when run
/// again.
/// </summary>
public sealed class PulledStickClearFaultTests(ITestOutputHelper output)
{
    private const int Seed = 1414;

    /// <summary>
    /// At least 100 pulls (half the collect suites' count when more are asked for); outside CI a
    /// developer may ask for fewer with COLLECTOR_FAULT_ITERATIONS, as for the other suites.
    /// </summary>
    private static int Iterations =>
        Environment.GetEnvironmentVariable("COLLECTOR_FAULT_ITERATIONS") is not null && Environment.GetEnvironmentVariable("CI") != "true"
            ? FaultSuite.Iterations
            : Math.Max(100, FaultSuite.Iterations / 2);

    [Fact]
    public void Pulling_the_stick_while_it_is_cleared_loses_nothing_the_hub_does_not_hold_and_never_reuses_a_sequence_number()
    {
        using var stick = new ExfatStick();
        using var desk = new TempDirectory("collector-clear-desk-");
        using var suite = new FaultSuite(stick.MountPoint, Seed);
        var hub = desk.File("hub.db");
        var iterations = Iterations;
        var plans = new Dictionary<string, int> { ["timed"] = 0, ["in-transaction"] = 0 };
        int pulledMidRun = 0, finishedFirst = 0, hotJournals = 0, fsckRepaired = 0, fsckFailed = 0, hung = 0, syncs = 0, syncFailed = 0, rerunFailed = 0;
        var clearExits = new SortedDictionary<int, int>();
        var clear = MeasureClear(suite, hub);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < iterations; i++)
        {
            for (var n = suite.Random.Next(1, 3); n > 0; n--)
            {
                suite.NextCollectMustWork(i);
            }

            if (suite.Random.Next(10) < 7)
            {
                syncs++;
                syncFailed += Sync(suite, hub, i) ? 0 : 1;
            }

            if (suite.Random.Next(10) < 3)
            {
                suite.NextCollectMustWork(i); // on the stick, not in the hub: a clear must keep it
            }

            using var victim = Programs.Start(Programs.LinuxCollector, ClearArguments(suite, hub));
            plans[suite.WaitForMoment(victim, clear)]++;
            var pulled = !victim.HasExited;
            stick.Pull();
            if (!victim.WaitForExit(30_000))
            {
                hung++;
                suite.Problems.Add($"iteration {i}: stick clear did not exit within 30 s of the pull");
                victim.Kill();
            }

            victim.WaitForExit();
            if (victim.ExitCode == ExitCodes.Ok)
            {
                finishedFirst++;
            }
            else if (pulled)
            {
                pulledMidRun++;
                clearExits[victim.ExitCode] = clearExits.GetValueOrDefault(victim.ExitCode) + 1;
            }

            var (fsck, fsckOutput) = stick.Repair();
            fsckRepaired += fsck == 1 ? 1 : 0;
            if (fsck > 1)
            {
                fsckFailed++;
                suite.Problems.Add($"iteration {i}: fsck.exfat -y exited {fsck}: {fsckOutput.Trim()}");
            }

            stick.Mount();
            hotJournals += File.Exists(suite.Database + "-journal") ? 1 : 0;
            suite.Check(i, id => HubHolds(hub, id));
            if (victim.ExitCode != ExitCodes.Ok)
            {
                // A clear cut short: run again, it must finish and take what the hub holds.
                var again = Programs.Run(Programs.LinuxCollector, ClearArguments(suite, hub), timeout: TimeSpan.FromMinutes(1));
                if (again.ExitCode != ExitCodes.Ok)
                {
                    rerunFailed++;
                    suite.Problems.Add($"iteration {i}: stick clear run again after the pull failed: {again}");
                }

                suite.Check(i, id => HubHolds(hub, id));
            }
        }

        suite.NextCollectMustWork(iterations);
        suite.Check(iterations, id => HubHolds(hub, id));

        output.WriteLine($"pulled-stick clear suite, seed {Seed}: {iterations} pulls (kill -9 of exfat-fuse during collector stick clear; {plans["timed"]} at a random moment, {plans["in-transaction"]} just after the journal appeared; a clear takes {clear.TotalMilliseconds:N0} ms) in {watch.Elapsed.TotalSeconds:N0} s; {syncs} syncs between ({syncFailed} failed)");
        output.WriteLine($"  pulled mid-run {pulledMidRun} (clear exit codes: {string.Join(", ", clearExits.Select(kv => $"{kv.Key}: {kv.Value}"))}), hot journal found after remount {hotJournals}; finished before the pull {finishedFirst}; hung {hung}; run again and failed {rerunFailed}");
        output.WriteLine($"  fsck.exfat -y: clean {iterations - fsckRepaired - fsckFailed}, repaired {fsckRepaired}, failed {fsckFailed}");
        output.WriteLine($"  acknowledged captures {suite.Acknowledged + suite.Removed}, removed (the hub holds them) {suite.Removed}, lost {suite.Lost}; unreadable databases {suite.Unreadable}; sequence numbers given twice {suite.SequencesReused}; next collect failed {suite.NextCollectFailed}");
        foreach (var problem in suite.Problems.Take(10))
        {
            output.WriteLine("  " + problem);
        }

        Assert.Equal(0, suite.Lost);
        Assert.Equal(0, suite.Unreadable);
        Assert.Equal(0, suite.SequencesReused);
        Assert.Equal(0, suite.NextCollectFailed);
        Assert.Equal(0, rerunFailed);
        Assert.Equal(0, syncFailed);
        Assert.Equal(0, hung);
        Assert.Equal(0, fsckFailed);
        Assert.True(suite.Removed > iterations / 2, $"only {suite.Removed} captures were cleared: the suite did not test much");
        Assert.True(pulledMidRun >= iterations / 4, $"only {pulledMidRun} of {iterations} pulls landed while stick clear ran: the suite did not test much");
    }

    /// <summary>Median wall time of a whole clear (a few captures synced, then cleared), from a few runs.</summary>
    private static TimeSpan MeasureClear(FaultSuite suite, string hub)
    {
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            suite.NextCollectMustWork(-1);
            suite.NextCollectMustWork(-1);
            Assert.True(Sync(suite, hub, -1), string.Join("\n", suite.Problems));
            var run = Programs.Run(Programs.LinuxCollector, ClearArguments(suite, hub));
            Assert.True(run.ExitCode == 0, run.ToString());
            times.Add(run.Elapsed.TotalSeconds);
        }

        suite.Check(-1, id => HubHolds(hub, id));
        return TimeSpan.FromSeconds(times.Order().ElementAt(times.Count / 2));
    }

    private static bool Sync(FaultSuite suite, string hub, int iteration)
    {
        var sync = Programs.Run(Programs.LinuxCollector, ["sync", suite.StickRoot, "--hub", hub], timeout: TimeSpan.FromMinutes(1));
        if (sync.ExitCode != ExitCodes.Ok)
        {
            suite.Problems.Add($"iteration {iteration}: sync failed: {sync}");
        }

        return sync.ExitCode == ExitCodes.Ok;
    }

    private static string[] ClearArguments(FaultSuite suite, string hub) => ["stick", "clear", suite.StickRoot, "--hub", hub, "--json"];

    private static bool HubHolds(string hub, Guid captureId) => HubFile.CaptureIds(hub).Contains(captureId);
}
