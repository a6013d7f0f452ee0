using Collector.Core.Hashing;

namespace Collector.Bench;

/// <summary>Hashes decoded and validated per second on one thread (run.sh pins the process to one core).</summary>
public static class CodecBench
{
    private const int Hashes = 5000;
    private const double Target = 50_000;

    public static Task RunAsync(BenchContext context)
    {
        var hashes = Enumerable.Range(0, Hashes).Select(i => HashBuilder.Sample(i).Build()).ToArray();

        // warm up the JIT and tiering, then take the best of several timed passes
        for (var i = 0; i < 3; i++)
        {
            CheckAll(hashes);
        }

        var rates = new List<double>();
        for (var pass = 0; pass < 7; pass++)
        {
            var elapsed = BenchContext.Time(() => CheckAll(hashes));
            rates.Add(hashes.Length / elapsed.TotalSeconds);
        }

        var median = BenchContext.Median(rates);
        BenchContext.Figure($"decode+validate, {Hashes:N0} builder hashes, median of 7", median, "hashes/s",
            $"target >= {Target:N0}/s; ratio to target {median / Target:N2}");
        return Task.CompletedTask;
    }

    private static void CheckAll(string[] hashes)
    {
        var valid = 0;
        foreach (var hash in hashes)
        {
            if (HashCodec.Check(hash).Valid)
            {
                valid++;
            }
        }

        if (valid != hashes.Length)
        {
            throw new InvalidOperationException($"only {valid} of {hashes.Length} builder hashes were valid");
        }
    }
}
