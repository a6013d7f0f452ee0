using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Collector.Workstation.Tables;

/// <summary>How long table calls may take: each try (the SDK's network timeout) and each request with all its retries.</summary>
public sealed record TableWaits(string Endpoint, TimeSpan NetworkTimeout, TimeSpan Deadline);

/// <summary>
/// The request outlived <see cref="TableWaits.Deadline"/>: the SDK was about to try again, and
/// is stopped instead. Not retriable, so the SDK's retry policy gives up with it.
/// </summary>
public sealed class TableDeadlineException(TimeSpan deadline, int tries)
    : TimeoutException($"no answer within {deadline.TotalSeconds:N0} s ({tries} tries)")
{
    public int Tries { get; } = tries;
}

/// <summary>
/// Watches every try of every table request (a per-retry pipeline policy): from the second try
/// on it says so, once per try number, so a desk whose table does not answer sees why sync
/// waits; and when a request has been going for longer than its deadline it stops the SDK's
/// retrying (<see cref="TableDeadlineException"/>), so a table that accepts connections and never
/// answers holds sync (and the hub's lock) for minutes, not for seven network timeouts of 100 s.
/// </summary>
internal sealed class TableRetryWatch(TimeSpan deadline, int tries) : HttpPipelinePolicy
{
    private int highestTryReported = 1;

    /// <summary>Where the lines go (the command's stderr); null: nowhere.</summary>
    public Action<string>? Report { get; set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Watch(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Watch(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Watch(HttpMessage message)
    {
        if (!message.TryGetProperty(typeof(TableRetryWatch), out var property) || property is not Attempts attempts)
        {
            message.SetProperty(typeof(TableRetryWatch), new Attempts(Stopwatch.GetTimestamp()));
            return;
        }

        var attempt = ++attempts.Tries;
        if (Stopwatch.GetElapsedTime(attempts.Started) >= deadline)
        {
            throw new TableDeadlineException(deadline, attempt - 1);
        }

        // Once per try number: parallel point reads all retrying would otherwise say it 32 times.
        int reported;
        do
        {
            reported = Volatile.Read(ref highestTryReported);
            if (attempt <= reported)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref highestTryReported, attempt, reported) != reported);

        var previous = message.HasResponse ? $"answered {message.Response.Status}" : "no answer yet";
        Report?.Invoke($"the table service at {message.Request.Uri.Host}:{message.Request.Uri.Port}: {previous} (try {attempt} of {tries}); trying again, for at most {deadline.TotalSeconds:N0} s in all");
    }

    /// <summary>When a request was first sent, and how many tries it has had.</summary>
    private sealed class Attempts(long started)
    {
        public long Started { get; } = started;

        public int Tries { get; set; } = 1;
    }
}
