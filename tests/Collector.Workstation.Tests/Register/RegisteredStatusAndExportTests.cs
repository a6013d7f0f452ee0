using System.Text.Json;
using Collector.Testing.Graph;

namespace Collector.Workstation.Tests.Register;

/// <summary>What register's records change elsewhere: status counts them, export leaves registered devices out.</summary>
public sealed class RegisteredStatusAndExportTests : RegisterKit
{
    [Fact]
    public async Task Status_counts_registered_pending_and_refused_devices_per_tenant()
    {
        FillHub(5);
        Graph.Script(Serial(2), StandInOutcome.OtherTenant);
        Graph.Script(Serial(3), StandInOutcome.InvalidHash);
        Graph.Script(Serial(4), StandInOutcome.StaysUnknown);
        Graph.Script(Serial(5), StandInOutcome.AlreadyAssigned);
        await RegisterAsync("--timeout", "0.02");

        var json = await Cli.RunAsync("status", "--hub", HubPath, "--json");
        var text = await Cli.RunAsync("status", "--hub", HubPath);

        var tenant = JsonDocument.Parse(json.Out).RootElement.GetProperty("tenants")[0];
        Assert.Equal((2, 1, 2), (tenant.GetProperty("registered").GetInt64(), tenant.GetProperty("registrationPending").GetInt64(), tenant.GetProperty("refused").GetInt64()));
        Assert.Contains("  registered                  2", text.Out, StringComparison.Ordinal);
        Assert.Contains("  pending in Autopilot        1", text.Out, StringComparison.Ordinal);
        Assert.Contains("  refused by Autopilot        2", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_leaves_out_registered_devices_says_how_many_and_all_exports_them_too()
    {
        FillHub(3);
        Graph.Script(Serial(3), StandInOutcome.InvalidHash);
        await RegisterAsync();
        var output = Temp.File("csv");

        var export = await Cli.RunAsync("export", "--hub", HubPath, "--out", output, "--json");
        var text = await Cli.RunAsync("export", "--hub", HubPath, "--out", Temp.File("csv2"));
        var all = await Cli.RunAsync("export", "--hub", HubPath, "--out", Temp.File("csv3"), "--all", "--json");

        var json = JsonDocument.Parse(export.Out).RootElement;
        Assert.Equal((1, 2), (json.GetProperty("devices").GetInt32(), json.GetProperty("registered").GetInt32()));
        var csv = File.ReadAllText(Directory.GetFiles(output, "*.csv").Single());
        Assert.Contains(Serial(3), csv, StringComparison.Ordinal);
        Assert.DoesNotContain(Serial(1), csv, StringComparison.Ordinal);
        Assert.Contains("2 device(s) left out: already registered in Autopilot", text.Out, StringComparison.Ordinal);
        Assert.Equal((3, 0), (JsonDocument.Parse(all.Out).RootElement.GetProperty("devices").GetInt32(), JsonDocument.Parse(all.Out).RootElement.GetProperty("registered").GetInt32()));
    }
}
