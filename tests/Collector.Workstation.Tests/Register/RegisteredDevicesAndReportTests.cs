using System.Text.Json;
using Collector.Testing.Graph;

namespace Collector.Workstation.Tests.Register;

/// <summary>What register records, as the admin's views show it: devices, device and the report.</summary>
public sealed class RegisteredDevicesAndReportTests : RegisterKit
{
    [Fact]
    public async Task Devices_shows_each_device_registered_pending_or_refused_and_waiting_lists_those_autopilot_lacks()
    {
        FillHub(4);
        Graph.Script(Serial(2), StandInOutcome.OtherTenant);
        Graph.Script(Serial(3), StandInOutcome.StaysUnknown);
        Graph.Script(Serial(4), StandInOutcome.AlreadyAssigned);
        await RegisterAsync("--timeout", "0.02");

        var all = await Cli.RunAsync("devices", "--hub", HubPath, "--json");
        var waiting = await Cli.RunAsync("devices", "--hub", HubPath, "--waiting", "registration", "--json");
        var text = await Cli.RunAsync("devices", "--hub", HubPath);

        var states = JsonDocument.Parse(all.Out).RootElement.EnumerateArray()
            .ToDictionary(d => d.GetProperty("serial").GetString()!, d => d.GetProperty("registration").GetProperty("state").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            [Serial(1)] = "registered", [Serial(2)] = "refused", [Serial(3)] = "pending", [Serial(4)] = "registered",
        }, states);
        Assert.Equal([Serial(2), Serial(3)], JsonDocument.Parse(waiting.Out).RootElement.EnumerateArray().Select(d => d.GetProperty("serial").GetString()));
        Assert.Matches($@"(?m)^  {Serial(1)} .* yes$", text.Out);
        Assert.Matches($@"(?m)^  {Serial(2)} .* refused$", text.Out);
    }

    [Fact]
    public async Task Device_says_which_capture_was_registered_and_why_another_was_refused()
    {
        FillHub(2);
        Graph.Script(Serial(2), StandInOutcome.OtherTenant);
        await RegisterAsync();

        var registered = await Cli.RunAsync("device", Serial(1), "--hub", HubPath, "--json");
        var refused = await Cli.RunAsync("device", Serial(2), "--hub", HubPath);

        var device = Assert.Single(JsonDocument.Parse(registered.Out).RootElement.EnumerateArray());
        var capture = Assert.Single(device.GetProperty("captures").EnumerateArray());
        Assert.True(capture.GetProperty("registered").GetBoolean());
        Assert.Equal(capture.GetProperty("captureId").GetString(), device.GetProperty("registration").GetProperty("captureId").GetString());
        Assert.Contains("  Registered    refused, ", refused.Out, StringComparison.Ordinal);
        Assert.Contains(": 808 ZtdDeviceAssignedToOtherTenant", refused.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_counts_registered_and_refused_devices()
    {
        FillHub(3);
        Graph.Script(Serial(3), StandInOutcome.InvalidHash);
        await RegisterAsync();
        var page = Temp.File("report.html");

        var result = await Cli.RunAsync("report", "--hub", HubPath, "--out", page);

        Assert.True(result.ExitCode == 0, result.ToString());
        var html = File.ReadAllText(page);
        Assert.Matches(@"registered</t[dh]>\s*<td[^>]*>2<", html);
        Assert.Matches(@"refused</t[dh]>\s*<td[^>]*>1<", html);
    }
}
