using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Collector.Testing;

/// <summary>
/// A real Azurite table service (npm azurite, pinned by build/tools.sh) on a free loopback port,
/// in memory, started for the test class that holds it (xunit IClassFixture) and stopped on
/// Dispose. It runs under <c>timeout</c>, so it stops by itself even if the test host dies.
/// </summary>
public sealed class Azurite : IDisposable
{
    /// <summary>Azurite's well-known development account (public, documented, not a secret).</summary>
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;

    public Azurite()
    {
        var executable = RepoPaths.AzuriteTable;
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var start = new ProcessStartInfo("timeout")
            {
                ArgumentList =
                {
                    "--signal=KILL", "3600", executable,
                    "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Log.Add(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (WaitUntilListening(TimeSpan.FromSeconds(30)))
            {
                return;
            }

            Stop();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"Azurite did not start on 127.0.0.1:{Port}: {string.Join(" | ", Log)}");
            }
        }
    }

    public int Port { get; private set; }

    /// <summary>What Azurite wrote to stderr (for a failing test's message).</summary>
    public List<string> Log { get; } = [];

    /// <summary>http://127.0.0.1:PORT/devstoreaccount1</summary>
    public Uri AccountUri => new($"http://127.0.0.1:{Port}/{AccountName}");

    /// <summary>A shared-key connection string (batches work with it; a table SAS does not on Azurite).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};TableEndpoint={AccountUri};";

    /// <summary>A fresh table name, so tests sharing one Azurite never share a table.</summary>
    public static string NewTableName(string prefix = "t") => prefix + Guid.NewGuid().ToString("N")[..20];

    public void Dispose() => Stop();

    private void Stop()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    private bool WaitUntilListening(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
