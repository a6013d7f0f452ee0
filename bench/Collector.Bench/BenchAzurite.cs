using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Collector.Testing;

namespace Collector.Bench;

/// <summary>
/// Azurite as the benches use it: on a core of its own where there is one, and seen through a
/// <see cref="LatencyProxy"/> (<see cref="BenchContext.NetworkLatency"/> each way) as a storage
/// account a real network away; the proxy is left out at a latency of 0.
/// </summary>
public sealed class BenchAzurite : IDisposable
{
    private readonly Azurite azurite = new();
    private readonly LatencyProxy? proxy;

    public BenchAzurite()
    {
        OwnCore = GiveAzuriteItsOwnCore();
        if (BenchContext.NetworkLatency > TimeSpan.Zero)
        {
            proxy = new LatencyProxy(azurite.Port, BenchContext.NetworkLatency);
        }

        ConnectionString = proxy?.ConnectionString(azurite) ?? azurite.ConnectionString;
    }

    /// <summary>True when Azurite got core 1 and this process keeps core 0.</summary>
    public bool OwnCore { get; }

    /// <summary>Through the proxy: what every measured client uses.</summary>
    public string ConnectionString { get; }

    /// <summary>Straight to Azurite: for filling and clearing tables, which is not measured.</summary>
    public string DirectConnectionString => azurite.ConnectionString;

    public string Describe() =>
        (proxy is null ? "Azurite on loopback, no latency added" : $"Azurite behind a proxy adding {proxy.OneWay.TotalMilliseconds:N0} ms each way")
        + (OwnCore ? "; Azurite on core 1, this process and collector on core 0" : "; Azurite sharing the cores with this process");

    /// <summary>A new empty table; the client reaches it through the proxy (<paramref name="direct"/>: straight).</summary>
    public TableClient CreateTable(bool direct = false)
    {
        var name = Azurite.NewTableName("bench");
        new TableClient(DirectConnectionString, name).CreateIfNotExists();
        return new TableClient(direct ? DirectConnectionString : ConnectionString, name);
    }

    /// <summary>Azurite keeps every table in memory: the benches drop theirs.</summary>
    public void DropAllTables()
    {
        var service = new TableServiceClient(DirectConnectionString);
        foreach (var name in service.Query().Select(t => t.Name).ToList())
        {
            service.DeleteTable(name);
        }
    }

    public void Dispose()
    {
        proxy?.Dispose();
        azurite.Dispose();
    }

    /// <summary>
    /// run.sh pins the bench to core 0; Azurite, started by it, inherited that. The table service
    /// is the far end of a network in real use, so it gets core 1 to itself, and the client under
    /// test keeps core 0 (with two cores or more; otherwise everything shares).
    /// </summary>
    private static bool GiveAzuriteItsOwnCore()
    {
        // Not Environment.ProcessorCount: it counts the cores this process may use (1, pinned).
        // On a one-core machine taskset refuses core 1 and everything shares.
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var moved = false;
        foreach (var pid in Descendants(Environment.ProcessId))
        {
            var command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (!command.Contains("azurite", StringComparison.Ordinal))
            {
                continue;
            }

            using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", "1", pid.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            taskset?.WaitForExit();
            moved |= taskset?.ExitCode == 0;
        }

        return moved;
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
            }
        }

        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in parents.Where(p => p.Value == parent).Select(p => p.Key))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }

        return found;
    }
}
