using System.Diagnostics;
using System.Text;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Testing.Graph;

namespace Collector.SystemTests;

/// <summary>
/// The published collector registering against the stand-in Graph, killed with SIGKILL while it
/// polls and again while it deletes, then run to the end: no device is imported twice, and every
/// import record it made is deleted.
/// </summary>
public sealed class RegisterResumeTests : IAsyncLifetime
{
    private const int Devices = 60;
    private static readonly Guid Tenant = TestCaptures.Tenant;
    private readonly TempDirectory temp = new("register-resume-");
    private readonly string token = "eyJ0eXAiOiJKV1QifQ.e30." + Guid.NewGuid().ToString("N"); // opaque to us: not a JWT we can read
    private GraphStandIn graph = null!;

    private string Hub => temp.File("hub.db");

    public async Task InitializeAsync()
    {
        graph = await GraphStandIn.StartAsync();
        graph.AddTenant(Tenant, token);
    }

    public async Task DisposeAsync()
    {
        await graph.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task Killed_while_polling_and_while_deleting_the_next_run_imports_nothing_twice_and_deletes_every_record()
    {
        ImportDevices();
        graph.ReadsBeforeAnswer = int.MaxValue; // Autopilot takes its time

        await RunUntilKilledAsync(() => graph.Count(GraphRequestKind.Import) == 1 && graph.Requests.Count(r => r.Kind is GraphRequestKind.List or GraphRequestKind.Batch) >= 2);
        var afterPolling = graph.Records(Tenant).Count;
        graph.ReadsBeforeAnswer = 0;
        graph.Latency = TimeSpan.FromMilliseconds(150);
        await RunUntilKilledAsync(() => graph.Deleted.Count > 0);
        var deletedBeforeKill = graph.Deleted.Count;
        graph.Latency = TimeSpan.Zero;
        var last = Register();

        Assert.Equal(Devices, afterPolling);
        Assert.InRange(deletedBeforeKill, 1, Devices - 1);
        Assert.True(last.ExitCode == 0, last.ToString());
        Assert.Equal(Devices, graph.Imports.Count);
        Assert.All(graph.Imports, i => Assert.Equal(1, i.Value));
        Assert.Empty(graph.Records(Tenant));
        Assert.Equal(Devices, graph.Deleted.Distinct().Count());
        Assert.Equal(1, graph.Count(GraphRequestKind.Import));
        Assert.DoesNotContain(token, last.Out + last.Error, StringComparison.Ordinal);
    }

    private void ImportDevices()
    {
        var csv = new StringBuilder("Device Serial Number,Windows Product ID,Hardware Hash\r\n");
        foreach (var device in Enumerable.Range(1, Devices).Select(HashBuilder.Sample))
        {
            csv.Append(device.Serial).Append(",,").Append(device.Build()).Append("\r\n");
        }

        File.WriteAllText(temp.File("devices.csv"), csv.ToString());
        var import = Programs.Run(Release.Collector, ["import", temp.File("devices.csv"), "--tenant", Tenant.ToString("D"), "--hub", Hub]);
        Assert.True(import.ExitCode == 0, import.ToString());
    }

    private ProcessResult Register() =>
        Programs.Run(Release.Collector, Arguments(), Environment());

    /// <summary>Starts register, waits for <paramref name="moment"/>, then SIGKILL: no finally block of ours runs.</summary>
    private async Task RunUntilKilledAsync(Func<bool> moment)
    {
        using var process = Programs.Start(Release.Collector, Arguments(), Environment());
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        while (!moment() && !process.HasExited && watch.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(10);
        }

        if (process.HasExited)
        {
            Assert.Fail($"register ended (exit {process.ExitCode}) before the moment to kill it:\n{await output}\n{await error}");
        }

        process.Kill();
        await process.WaitForExitAsync();
        Assert.DoesNotContain(token, await output + await error, StringComparison.Ordinal);
    }

    private string[] Arguments() =>
        ["register", "--hub", Hub, "--graph", graph.Root.AbsoluteUri, "--poll-interval", "0.2", "--timeout", "2", "--json"];

    private Dictionary<string, string> Environment() => new() { ["COLLECTOR_GRAPH_TOKEN"] = token };
}
