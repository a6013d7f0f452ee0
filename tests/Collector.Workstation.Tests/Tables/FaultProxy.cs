using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Collector.Workstation.Tests.Tables;

/// <summary>
/// A loopback HTTP/1.1 proxy in front of Azurite that fails a share of requests the ways a real
/// network and a busy service do: 503 Server Busy, 500 Operation Timeout, a connection reset
/// before the request reaches the service, and one reset after the service has done it (the
/// write landed, the client never heard — its retry then meets its own write). Every Nth read and
/// every Nth write fails, the four faults in turn, so each kind hits reads and transactions alike
/// whatever the run's length. It listens and forwards on 127.0.0.1 only. Written on raw sockets:
/// HttpListener's Abort() answers an empty 200 instead of dropping the connection.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Expect", "Proxy-Connection", "TE", "Upgrade",
    };

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly HttpClient upstream;
    private readonly Uri target;
    private readonly int every;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private int busy, timeouts, droppedBefore, droppedAfter, droppedAfterWrite, forwarded, reads, writes;

    /// <summary>A proxy to <paramref name="target"/> failing every <paramref name="faultEvery"/>th read and write.</summary>
    public FaultProxy(Uri target, int faultEvery)
    {
        this.target = target;
        every = faultEvery;
        upstream = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        listener.Start();
        loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Stands in for Azurite's account URI: http://127.0.0.1:PROXY/ACCOUNT.</summary>
    public Uri AccountUri(string account) => new($"http://127.0.0.1:{Port}/{account}");

    public int Busy => Volatile.Read(ref busy);
    public int Timeouts => Volatile.Read(ref timeouts);
    public int DroppedBefore => Volatile.Read(ref droppedBefore);
    public int DroppedAfter => Volatile.Read(ref droppedAfter);

    /// <summary>Transactions that landed in Azurite but whose answer was dropped.</summary>
    public int DroppedAfterWrite => Volatile.Read(ref droppedAfterWrite);
    public int Forwarded => Volatile.Read(ref forwarded);

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
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
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    /// <summary>Serves one connection, request after request (keep-alive), until it closes or is dropped.</summary>
    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var connection = new Connection(client.GetStream());
            try
            {
                while (await connection.ReadRequestAsync(stop.Token) is { } request)
                {
                    if (!await HandleAsync(client, connection, request))
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or HttpRequestException or OperationCanceledException or ObjectDisposedException)
            {
                Reset(client);
            }
        }
    }

    /// <summary>Answers one request; false when the connection was closed or dropped.</summary>
    private async Task<bool> HandleAsync(TcpClient client, Connection connection, Request request)
    {
        var write = request.Method != "GET";
        var n = write ? Interlocked.Increment(ref writes) : Interlocked.Increment(ref reads);
        var fault = n % every == 0 ? n / every % 4 : -1;
        switch (fault)
        {
            case 0:
                Interlocked.Increment(ref busy);
                await connection.WriteErrorAsync(503, "Server Busy", "ServerBusy");
                return false;
            case 1:
                Interlocked.Increment(ref timeouts);
                await connection.WriteErrorAsync(500, "Operation Timeout", "OperationTimedOut");
                return false;
            case 2:
                Interlocked.Increment(ref droppedBefore);
                Reset(client);
                return false;
        }

        using var response = await ForwardAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (fault == 3)
        {
            Interlocked.Increment(ref droppedAfter);
            if (write)
            {
                Interlocked.Increment(ref droppedAfterWrite);
            }

            Reset(client);
            return false;
        }

        Interlocked.Increment(ref forwarded);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !HopHeaders.Contains(h.Key))
            .SelectMany(h => h.Value.Select(v => (h.Key, v)));
        await connection.WriteResponseAsync((int)response.StatusCode, response.ReasonPhrase ?? "", headers, body);
        return true;
    }

    private async Task<HttpResponseMessage> ForwardAsync(Request request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, request.Target));
        if (request.Body.Length > 0 || request.Method is "POST" or "PUT" or "MERGE" or "PATCH")
        {
            message.Content = new ByteArrayContent(request.Body);
        }

        foreach (var (name, value) in request.Headers.Where(h => !HopHeaders.Contains(h.Name)))
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await upstream.SendAsync(message, HttpCompletionOption.ResponseContentRead);
    }

    /// <summary>Drops the connection with a TCP reset, as a failing network does.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private sealed record Request(string Method, string Target, List<(string Name, string Value)> Headers, byte[] Body);

    /// <summary>Just enough HTTP/1.1 for the SDK's requests: a head, then a Content-Length body.</summary>
    private sealed class Connection(NetworkStream stream)
    {
        private readonly byte[] buffer = new byte[64 * 1024];
        private int start, end;

        public async Task<Request?> ReadRequestAsync(CancellationToken cancellationToken)
        {
            var head = new MemoryStream();
            while (true)
            {
                if (start == end && !await FillAsync(cancellationToken))
                {
                    return null; // the client closed the connection between requests
                }

                var b = buffer[start++];
                head.WriteByte(b);
                var bytes = head.GetBuffer();
                if (b == '\n' && head.Length >= 4 && bytes[head.Length - 2] == '\r' && bytes[head.Length - 3] == '\n' && bytes[head.Length - 4] == '\r')
                {
                    break;
                }
            }

            var lines = Encoding.ASCII.GetString(head.GetBuffer(), 0, (int)head.Length).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var requestLine = lines[0].Split(' ');
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(p => (p[0].Trim(), p[1].Trim())).ToList();
            if (headers.Any(h => h.Item1.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException("the test proxy does not read chunked requests");
            }

            var length = headers.Where(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(h => int.Parse(h.Item2, CultureInfo.InvariantCulture)).FirstOrDefault();
            var body = new byte[length];
            for (var read = 0; read < length;)
            {
                if (start == end && !await FillAsync(cancellationToken))
                {
                    throw new IOException("the client closed the connection inside a request body");
                }

                var n = Math.Min(length - read, end - start);
                Array.Copy(buffer, start, body, read, n);
                start += n;
                read += n;
            }

            return new Request(requestLine[0], requestLine[1], headers, body);
        }

        public Task WriteErrorAsync(int status, string reason, string code)
        {
            var body = Encoding.UTF8.GetBytes($"{{\"odata.error\":{{\"code\":\"{code}\",\"message\":{{\"lang\":\"en-US\",\"value\":\"injected by the test proxy\"}}}}}}");
            return WriteResponseAsync(status, reason,
                [("Content-Type", "application/json;odata=minimalmetadata"), ("x-ms-error-code", code), ("Connection", "close")], body);
        }

        public async Task WriteResponseAsync(int status, string reason, IEnumerable<(string Name, string Value)> headers, byte[] body)
        {
            var head = new StringBuilder().Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\n");
            foreach (var (name, value) in headers)
            {
                head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
            }

            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
            await stream.WriteAsync(body);
            await stream.FlushAsync();
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            start = 0;
            end = await stream.ReadAsync(buffer, cancellationToken);
            return end > 0;
        }
    }
}
