using Azure.Core;
using Azure.Core.Pipeline;

namespace Collector.Bench;

/// <summary>Counts a table client's requests on the wire (per retry): writes are anything but GET.</summary>
public sealed class RequestCounter : HttpPipelinePolicy
{
    private int writes, reads;

    public int Writes => writes;
    public int Reads => reads;

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        await ProcessNextAsync(message, pipeline);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    private void Count(HttpMessage message) => _ = message.Request.Method == RequestMethod.Get
        ? Interlocked.Increment(ref reads)
        : Interlocked.Increment(ref writes);
}
