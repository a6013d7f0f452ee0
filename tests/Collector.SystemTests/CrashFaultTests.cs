using Collector.Testing;
using Xunit.Abstractions;

namespace Collector.SystemTests;

/// <summary>
/// The crash suite: kill -9 of the real collect at random moments (fixed seed) while it captures,
/// again and again. After every kill the next collect must work, every capture whose collect
/// exited 0 must be there, and the database must pass integrity_check.
/// </summary>
public sealed class CrashFaultTests(ITestOutputHelper output)
{
    private const int Seed = 20261127;

    [Fact]
    public void Killing_collect_at_random_moments_loses_no_acknowledged_capture_and_never_damages_the_database()
    {
        using var temp = new TempDirectory("collect-crash-");
        using var suite = new FaultSuite(temp.Path, Seed);
        var iterations = FaultSuite.Iterations;
        var capture = suite.MeasureCapture();
        var plans = new Dictionary<string, int> { ["timed"] = 0, ["in-transaction"] = 0 };
        int killedMidRun = 0, finishedFirst = 0, hotJournals = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < iterations; i++)
        {
            using var victim = suite.StartCollect();
            plans[suite.WaitForMoment(victim, capture)]++;
            var killed = !victim.HasExited;
            if (killed)
            {
                victim.Kill(); // SIGKILL: no finally block, no Dispose, nothing flushed by us
            }

            if (suite.Finish(victim) == 0)
            {
                finishedFirst++;
            }
            else if (killed)
            {
                killedMidRun++;
            }

            if (File.Exists(suite.Database + "-journal"))
            {
                hotJournals++; // killed inside a transaction: the next open must roll it back
            }

            suite.NextCollectMustWork(i);
            suite.Check(i);
        }

        output.WriteLine($"crash suite, seed {Seed}: {iterations} kill -9 ({plans["timed"]} at a random moment, {plans["in-transaction"]} just after the journal appeared; a capture takes {capture.TotalMilliseconds:N0} ms) in {watch.Elapsed.TotalSeconds:N0} s");
        output.WriteLine($"  killed mid-run {killedMidRun}, leaving a hot journal (killed inside the transaction) {hotJournals}; finished before the kill {finishedFirst}");
        output.WriteLine($"  acknowledged captures {suite.Acknowledged}, lost {suite.Lost}; unreadable databases {suite.Unreadable}; next collect failed {suite.NextCollectFailed}");
        foreach (var problem in suite.Problems.Take(10))
        {
            output.WriteLine("  " + problem);
        }

        Assert.Equal(0, suite.Lost);
        Assert.Equal(0, suite.Unreadable);
        Assert.Equal(0, suite.NextCollectFailed);
        Assert.True(killedMidRun >= iterations / 4, $"only {killedMidRun} of {iterations} kills landed while collect ran: the suite did not test much");
        Assert.True(hotJournals > 0, "no kill landed inside a transaction: the suite did not test the commit");
    }
}
