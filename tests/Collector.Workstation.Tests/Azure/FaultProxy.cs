using System.Net;

namespace Collector.Workstation.Tests.Azure;

/// <summary>
/// A loopback HTTP proxy in front of Azurite that fails a share of requests the ways a real
/// network and a busy service do: 503 Server Busy, 500 Operation Timeout, a connection dropped
/// before the request reaches the service, and one dropped after the service has done it (the
/// write landed, the client never heard — its retry then meets its own write). Faults follow a
/// seeded random sequence; requests only go to 127.0.0.1.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Expect", "Proxy-Connection", "TE", "Upgrade",
    };

    private readonly HttpListener listener = new();
    private readonly HttpClient upstream;
    private readonly Uri target;
    private readonly double share;
    private readonly Random random;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private int busy, timeouts, droppedBefore, droppedAfter, forwarded;

    public FaultProxy(Uri target, double faultShare, int seed)
    {
        this.target = target;
        share = faultShare;
        random = new Random(seed);
        upstream = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromSeconds(60) };
        for (var attempt = 0; ; attempt++)
        {
            Port = Random.Shared.Next(20000, 60000);
            listener.Prefixes.Clear();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
            }
        }

        loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>Stands in for Azurite's account URI: http://127.0.0.1:PROXY/devstoreaccount1.</summary>
    public Uri AccountUri(string account) => new($"http://127.0.0.1:{Port}/{account}");

    public int Busy => Volatile.Read(ref busy);
    public int Timeouts => Volatile.Read(ref timeouts);
    public int DroppedBefore => Volatile.Read(ref droppedBefore);
    public int DroppedAfter => Volatile.Read(ref droppedAfter);
    public int Forwarded => Volatile.Read(ref forwarded);

    public void Dispose()
    {
        stop.Cancel();
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        upstream.Dispose();
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        double roll;
        lock (gate)
        {
            roll = random.NextDouble() / share;
        }

        try
        {
            switch (roll)
            {
                case < 0.25:
                    Interlocked.Increment(ref busy);
                    Answer(context.Response, 503, "ServerBusy");
                    return;
                case < 0.5:
                    Interlocked.Increment(ref timeouts);
                    Answer(context.Response, 500, "OperationTimedOut");
                    return;
                case < 0.75:
                    Interlocked.Increment(ref droppedBefore);
                    context.Response.Abort();
                    return;
            }

            using var response = await ForwardAsync(context.Request);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (roll < 1)
            {
                Interlocked.Increment(ref droppedAfter);
                context.Response.Abort();
                return;
            }

            Interlocked.Increment(ref forwarded);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers).Where(h => !HopHeaders.Contains(h.Key)))
            {
                foreach (var value in header.Value)
                {
                    context.Response.AppendHeader(header.Key, value);
                }
            }

            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or HttpRequestException or ObjectDisposedException or TaskCanceledException)
        {
            context.Response.Abort();
        }
    }

    private async Task<HttpResponseMessage> ForwardAsync(HttpListenerRequest request)
    {
        using var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body);
        var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(target, request.RawUrl));
        if (body.Length > 0 || request.HttpMethod is "POST" or "PUT" or "MERGE" or "PATCH")
        {
            message.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var name in request.Headers.AllKeys.OfType<string>().Where(n => !HopHeaders.Contains(n)))
        {
            var values = request.Headers.GetValues(name) ?? [];
            if (!message.Headers.TryAddWithoutValidation(name, values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, values);
            }
        }

        return await upstream.SendAsync(message, HttpCompletionOption.ResponseContentRead);
    }

    private static void Answer(HttpListenerResponse response, int status, string code)
    {
        var body = System.Text.Encoding.UTF8.GetBytes($"{{\"odata.error\":{{\"code\":\"{code}\",\"message\":{{\"lang\":\"en-US\",\"value\":\"injected by the test proxy\"}}}}}}");
        response.StatusCode = status;
        response.ContentType = "application/json;odata=minimalmetadata";
        response.AppendHeader("x-ms-error-code", code);
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }
}
