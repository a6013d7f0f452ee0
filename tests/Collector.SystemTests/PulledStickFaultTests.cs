using System.Diagnostics;
using Collector.Testing;
using Xunit.Abstractions;

namespace Collector.SystemTests;

/// <summary>
/// The pulled-stick suite: the stick is an exFAT image served by exfat-fuse; at random moments
/// (fixed seed) while collect captures, the FUSE process is killed (the stick is gone mid-write;
/// collect's every further access fails), then, once collect has exited, the stick is unmounted,
/// checked with fsck.exfat -y and mounted again. After every pull
/// the next collect must work, every capture whose collect exited 0 must be there, and the
/// database must pass integrity_check.
/// </summary>
public sealed class PulledStickFaultTests(ITestOutputHelper output)
{
    private const int Seed = 4242;

    [Fact]
    public void Pulling_the_stick_at_random_moments_loses_no_acknowledged_capture_and_never_damages_the_database()
    {
        using var stick = new ExfatStick();
        using var suite = new FaultSuite(stick.MountPoint, Seed);
        var iterations = FaultSuite.Iterations;
        var capture = suite.MeasureCapture();
        var plans = new Dictionary<string, int> { ["timed"] = 0, ["in-transaction"] = 0 };
        int pulledMidRun = 0, finishedFirst = 0, hotJournals = 0, fsckRepaired = 0, fsckFailed = 0, hung = 0;
        var collectExits = new SortedDictionary<int, int>();
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < iterations; i++)
        {
            using var victim = suite.StartCollect();
            plans[suite.WaitForMoment(victim, capture)]++;
            var pulled = !victim.HasExited;
            stick.Pull();
            if (!victim.WaitForExit(30_000))
            {
                hung++;
                suite.Problems.Add($"iteration {i}: collect did not exit within 30 s of the pull");
                victim.Kill();
            }

            var exit = suite.Finish(victim);
            if (exit == 0)
            {
                finishedFirst++;
            }
            else if (pulled)
            {
                pulledMidRun++;
                collectExits[exit] = collectExits.GetValueOrDefault(exit) + 1;
            }

            var (fsck, fsckOutput) = stick.Repair();
            switch (fsck)
            {
                case 0:
                    break;
                case 1:
                    fsckRepaired++;
                    break;
                default:
                    fsckFailed++;
                    suite.Problems.Add($"iteration {i}: fsck.exfat -y exited {fsck}: {fsckOutput.Trim()}");
                    break;
            }

            stick.Mount();
            if (File.Exists(suite.Database + "-journal"))
            {
                hotJournals++;
            }

            suite.NextCollectMustWork(i);
            suite.Check(i);
        }


        output.WriteLine($"pulled-stick suite, seed {Seed}: {iterations} pulls (kill -9 of exfat-fuse; {plans["timed"]} at a random moment, {plans["in-transaction"]} just after the journal appeared; a capture takes {capture.TotalMilliseconds:N0} ms) in {watch.Elapsed.TotalSeconds:N0} s");
        output.WriteLine($"  pulled mid-run {pulledMidRun} (collect exit codes: {string.Join(", ", collectExits.Select(kv => $"{kv.Key}: {kv.Value}"))}), hot journal found after remount {hotJournals}; finished before the pull {finishedFirst}; hung {hung}");
        output.WriteLine($"  fsck.exfat -y: clean {iterations - fsckRepaired - fsckFailed}, repaired {fsckRepaired}, failed {fsckFailed}");
        output.WriteLine($"  acknowledged captures {suite.Acknowledged}, lost {suite.Lost}; unreadable databases {suite.Unreadable}; next collect failed {suite.NextCollectFailed}");
        foreach (var problem in suite.Problems.Take(10))
        {
            output.WriteLine("  " + problem);
        }

        Assert.Equal(0, suite.Lost);
        Assert.Equal(0, suite.Unreadable);
        Assert.Equal(0, suite.NextCollectFailed);
        Assert.Equal(0, hung);
        Assert.Equal(0, fsckFailed);
        Assert.True(pulledMidRun >= iterations / 4, $"only {pulledMidRun} of {iterations} pulls landed while collect ran: the suite did not test much");
    }
}
