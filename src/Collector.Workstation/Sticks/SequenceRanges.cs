namespace Collector.Workstation.Sticks;

/// <summary>Stick sequence numbers as people read them: "#1–#35, #37" (sync's salvage, stick clear).</summary>
public static class SequenceRanges
{
    /// <summary>The numbers as ranges in order, at most <paramref name="shown"/> of them and a count of the rest; "" for none.</summary>
    public static string Format(IEnumerable<long> sequences, int shown = 12)
    {
        var ranges = new List<string>();
        long? start = null, previous = null;
        foreach (var seq in sequences.Distinct().Order())
        {
            if (start is { } from && seq != previous + 1)
            {
                ranges.Add(Range(from, previous!.Value));
                start = null;
            }

            start ??= seq;
            previous = seq;
        }

        if (start is { } last)
        {
            ranges.Add(Range(last, previous!.Value));
        }

        return ranges.Count <= shown ? string.Join(", ", ranges) : string.Join(", ", ranges.Take(shown)) + $" and {ranges.Count - shown} more range(s)";
    }

    private static string Range(long from, long to) => from == to ? $"#{from}" : $"#{from}–#{to}";
}
