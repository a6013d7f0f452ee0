using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Collector.Testing;

namespace Collector.Workstation.Tests.Tables;

/// <summary>
/// The benchmarks' stand-in for a distant service: what passes is unchanged, and it is late by
/// the latency each way (a lower bound only: a busy machine makes it later, never earlier).
/// </summary>
public sealed class LatencyProxyTests : IDisposable
{
    private static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(50);
    private readonly TcpListener echo = new(IPAddress.Loopback, 0);
    private readonly Task serving;

    public LatencyProxyTests()
    {
        echo.Start();
        serving = Task.Run(ServeEchoAsync);
    }

    public void Dispose()
    {
        echo.Stop();
        serving.Wait(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_round_trip_takes_two_latencies_and_the_first_one_a_handshake_more()
    {
        using var proxy = new LatencyProxy(EchoPort, OneWay);
        using var client = new TcpClient();

        // The first: connecting (here at once, on loopback) and the first answer, from the connect on.
        var watch = Stopwatch.StartNew();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        var stream = client.GetStream();
        await TimeRoundTripAsync(stream, [1, 2, 3]);
        var first = watch.Elapsed;
        var second = await TimeRoundTripAsync(stream, [4, 5, 6]);

        Assert.True(first >= 4 * OneWay, $"first round trip {first.TotalMilliseconds:N0} ms");
        Assert.True(second >= 2 * OneWay, $"second round trip {second.TotalMilliseconds:N0} ms");
        Assert.Equal(1, proxy.Connections);
    }

    [Fact]
    public async Task Bytes_pass_unchanged_both_ways_and_an_end_arrives_after_them()
    {
        using var proxy = new LatencyProxy(EchoPort, TimeSpan.FromMilliseconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        var stream = client.GetStream();
        var sent = new byte[3 * 1024 * 1024];
        new Random(16).NextBytes(sent);

        var receiving = ReadToEndAsync(stream);
        await stream.WriteAsync(sent);
        client.Client.Shutdown(SocketShutdown.Send);
        var received = await receiving;

        Assert.Equal(sent, received);
    }

    private int EchoPort => ((IPEndPoint)echo.LocalEndpoint).Port;

    private static async Task<TimeSpan> TimeRoundTripAsync(NetworkStream stream, byte[] message)
    {
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync(message);
        var answer = new byte[message.Length];
        await stream.ReadExactlyAsync(answer);
        Assert.Equal(message, answer);
        return watch.Elapsed;
    }

    private static async Task<byte[]> ReadToEndAsync(NetworkStream stream)
    {
        using var all = new MemoryStream();
        await stream.CopyToAsync(all);
        return all.ToArray();
    }

    /// <summary>Echoes every connection's bytes, and closes its side once the client has closed its own.</summary>
    private async Task ServeEchoAsync()
    {
        while (true)
        {
            TcpClient connection;
            try
            {
                connection = await echo.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (connection)
                {
                    await connection.GetStream().CopyToAsync(connection.GetStream());
                    connection.Client.Shutdown(SocketShutdown.Send);
                }
            });
        }
    }
}
