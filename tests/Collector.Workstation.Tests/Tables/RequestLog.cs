using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Collector.Workstation.Tests.Tables;

/// <summary>
/// A pipeline policy (added through the client options, per retry) that records every request
/// sent to the table service: how many reads, how many writes, and which were range queries.
/// </summary>
public sealed class RequestLog : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<(string Method, string Uri, int Status)> requests = new();

    /// <summary>Called before each request is sent; a test uses it to stop a sync between batches.</summary>
    public Action<HttpMessage>? BeforeRequest { get; set; }

    /// <summary>Called after each response; a test uses it to cancel a sync midway.</summary>
    public Action<HttpMessage>? AfterResponse { get; set; }

    public IReadOnlyList<(string Method, string Uri, int Status)> Requests => [.. requests];

    public int Writes => Requests.Count(r => r.Method is not ("GET" or "HEAD"));

    public int Batches => Requests.Count(r => r.Method == "POST" && r.Uri.Contains("$batch", StringComparison.Ordinal));

    public int Reads => Requests.Count(r => r.Method == "GET");

    public int RangeQueries => Requests.Count(r => r.Method == "GET" && Uri.UnescapeDataString(r.Uri).Contains("RowKey ge", StringComparison.Ordinal));

    public void Clear() => requests.Clear();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        BeforeRequest?.Invoke(message);
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        finally
        {
            Log(message);
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        BeforeRequest?.Invoke(message);
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            Log(message);
        }
    }

    private void Log(HttpMessage message)
    {
        requests.Enqueue((message.Request.Method.Method, message.Request.Uri.ToString(), message.HasResponse ? message.Response.Status : 0));
        if (message.HasResponse)
        {
            AfterResponse?.Invoke(message);
        }
    }
}
