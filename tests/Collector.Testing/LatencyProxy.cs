using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Collector.Testing;

/// <summary>
/// A loopback TCP proxy that makes a service on 127.0.0.1 as far away as a real one: every byte
/// is delivered a fixed one-way latency after it was sent, in each direction, so a request and
/// its answer take two latencies more than they would; a new connection costs one round trip more
/// before its first byte arrives (TCP's handshake; TLS's is not modelled). Bandwidth is not
/// limited and nothing is lost or reordered. It works on bytes, not HTTP, so what passes is exactly
/// what the client and service send (keep-alive, batches, continuation links naming the proxy's
/// own address). Listens and connects on 127.0.0.1 only.
/// </summary>
/// <remarks>
/// Why not <c>tc qdisc … netem delay</c> in a network namespace: the machine's kernel is built
/// without it (<c>CONFIG_NET_SCH_NETEM is not set</c>), and a proxy runs wherever .NET does.
/// </remarks>
public sealed class LatencyProxy : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int upstreamPort;
    private readonly long delayTicks;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private int connections;

    /// <summary>A proxy to 127.0.0.1:<paramref name="upstreamPort"/>, adding <paramref name="oneWay"/> each way.</summary>
    public LatencyProxy(int upstreamPort, TimeSpan oneWay)
    {
        this.upstreamPort = upstreamPort;
        OneWay = oneWay;
        delayTicks = (long)(oneWay.TotalSeconds * Stopwatch.Frequency);
        listener.Start();
        loop = Task.Run(AcceptAsync);
    }

    public TimeSpan OneWay { get; }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Connections the proxy has taken (each paid a handshake's round trip).</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary><paramref name="uri"/> with its port replaced by the proxy's (the upstream's address seen from afar).</summary>
    public Uri Through(Uri uri) => new UriBuilder(uri) { Host = "127.0.0.1", Port = Port }.Uri;

    /// <summary>An Azurite connection string whose table endpoint is this proxy.</summary>
    public string ConnectionString(Azurite azurite) =>
        $"DefaultEndpointsProtocol=http;AccountName={Azurite.AccountName};AccountKey={Azurite.AccountKey};TableEndpoint={Through(azurite.AccountUri)};";

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

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref connections);
            _ = Task.Run(() => ServeAsync(client, Stopwatch.GetTimestamp()));
        }
    }

    private async Task ServeAsync(Socket client, long accepted)
    {
        using (client)
        using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, upstreamPort), stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                Reset(client);
                return;
            }

            // The client's first byte reaches the service after SYN, SYN-ACK and the byte itself
            // have crossed: three one-way trips after the client connected.
            var towardService = PumpAsync(client, server, accepted + 3 * delayTicks);
            var towardClient = PumpAsync(server, client, 0);
            await Task.WhenAll(towardService, towardClient);
        }
    }

    /// <summary>
    /// Copies <paramref name="from"/> to <paramref name="to"/>, each chunk held until one latency
    /// after it was read (and not before <paramref name="notBefore"/>); an end or a reset reaches
    /// the other side as late as the bytes before it.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, long notBefore)
    {
        var queue = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var n = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                    var due = Math.Max(Stopwatch.GetTimestamp() + delayTicks, notBefore);
                    queue.Writer.TryWrite(new Chunk(due, n == 0 ? null : buffer.AsSpan(0, n).ToArray(), Reset: false));
                    if (n == 0)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                queue.Writer.TryWrite(new Chunk(Stopwatch.GetTimestamp() + delayTicks, null, Reset: true));
            }
            finally
            {
                queue.Writer.TryComplete();
            }
        });

        try
        {
            await foreach (var chunk in queue.Reader.ReadAllAsync(stop.Token))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), chunk.Due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop.Token);
                }

                if (chunk.Reset)
                {
                    Reset(to);
                    break;
                }

                if (chunk.Bytes is null)
                {
                    to.Shutdown(SocketShutdown.Send);
                    break;
                }

                await to.SendAsync(chunk.Bytes, SocketFlags.None, stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The receiving side is gone: drop the sending side too, as a broken path does.
            Reset(from);
        }

        await reading;
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private sealed record Chunk(long Due, byte[]? Bytes, bool Reset);
}
