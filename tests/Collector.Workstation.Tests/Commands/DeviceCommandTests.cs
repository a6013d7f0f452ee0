using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Testing;

namespace Collector.Workstation.Tests.Commands;

public sealed class DeviceCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FlatBattery = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();
    private readonly TestHub hub;

    public DeviceCommandTests() => hub = new TestHub(temp, new ManualClock(Day));

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Device_shows_every_capture_newest_first_with_where_it_came_from_and_what_became_of_it()
    {
        var device = HashBuilder.Sample(1);
        var first = hub.Merge(TestHub.Draft(device, Day.AddMinutes(5), technician: "Sam", site: "Leeds"));
        hub.MarkExported("autopilot-batch-001", "CLT-0000001");
        hub.MarkUploaded("CLT-0000001");
        hub.Clock.Advance(TimeSpan.FromDays(2));
        var second = hub.Merge(TestHub.Draft(device, FlatBattery, technician: "Kim", site: "York"));

        var result = await Cli.RunAsync("device", "CLT-0000001", "--hub", hub.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var text = result.Out;
        Assert.Contains("Device CLT-0000001 (tenant 5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01)", text, StringComparison.Ordinal);
        Assert.Contains("  Make, model   Fabrikam, Fabrikam Pro 13", text, StringComparison.Ordinal);
        Assert.Contains("  Uploaded      an older capture (", text, StringComparison.Ordinal);
        Assert.Contains("the current one waits for upload", text, StringComparison.Ordinal);
        Assert.Contains("batch autopilot-batch-001 (/exports/autopilot-batch-001.csv): the current one waits for export", text, StringComparison.Ordinal);
        Assert.Contains("  Registered    no (never sent to Autopilot by 'collector register')", text, StringComparison.Ordinal);
        Assert.Contains("  Captures      2, newest first", text, StringComparison.Ordinal);
        var newest = text.IndexOf("  * 2026-11-22 10:00:00 UTC  capture", StringComparison.Ordinal);
        var older = text.IndexOf("    2026-11-20 08:05:00 UTC  capture", StringComparison.Ordinal);
        Assert.True(newest > 0 && older > newest, text);
        Assert.Contains("device clock 2000-01-01 00:00:00 UTC (clock-suspect: the merge time stands in); merged 2026-11-22 10:00:00 UTC", text, StringComparison.Ordinal);
        Assert.Contains($"stick {second:D} #1; technician Kim; site York; method oa3-report", text, StringComparison.Ordinal);
        Assert.Contains($"stick {first:D} #1; technician Sam; site Leeds; method oa3-report", text, StringComparison.Ordinal);
        Assert.Contains("[uploaded, exported]", text[older..], StringComparison.Ordinal);
        Assert.Contains("flag clock-suspect: the device clock was implausible", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_gives_the_device_and_each_capture_as_the_issue_names_them()
    {
        var stick = hub.Merge(TestHub.Draft(HashBuilder.Sample(3), Day.AddMinutes(1)), TestHub.Draft(HashBuilder.Sample(3), Day.AddMinutes(2)));
        hub.MarkExported("b-1", "CLT-0000003");

        var result = await Cli.RunAsync("device", "clt-0000003", "--hub", hub.Path, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var device = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(("CLT-0000003", "CLT-0000003", "Contoso", "Contoso Book 14"), (device.GetProperty("deviceKey").GetString(),
            device.GetProperty("serial").GetString(), device.GetProperty("manufacturer").GetString(), device.GetProperty("model").GetString()));
        Assert.Equal(HashBuilder.Sample(3).SmbiosUuid?.ToString("D"), device.GetProperty("smbiosUuid").GetString());
        var captures = device.GetProperty("captures").EnumerateArray().ToList();
        Assert.Equal([2L, 1L], captures.Select(c => c.GetProperty("stickSequence").GetInt64()));
        Assert.Equal([true, false], captures.Select(c => c.GetProperty("current").GetBoolean()));
        Assert.Equal([true, false], captures.Select(c => c.GetProperty("exported").GetBoolean()));
        var newest = captures[0];
        Assert.Equal(Day.AddMinutes(2), newest.GetProperty("capturedAt").GetDateTimeOffset());
        Assert.Equal(Day.AddHours(1), newest.GetProperty("mergedAt").GetDateTimeOffset());
        Assert.Equal((stick.ToString("D"), "Sam", "Leeds", "oa3-report"), (newest.GetProperty("stickId").GetString(),
            newest.GetProperty("technician").GetString(), newest.GetProperty("site").GetString(), newest.GetProperty("method").GetString()));
        Assert.Equal(0, newest.GetProperty("flags").GetArrayLength());
        Assert.Equal("b-1", device.GetProperty("exported").GetProperty("batch").GetString());
        Assert.Equal("/exports/b-1.csv", device.GetProperty("exported").GetProperty("file").GetString());
        Assert.Equal(JsonValueKind.Null, device.GetProperty("uploaded").ValueKind);
        Assert.Equal(JsonValueKind.Null, device.GetProperty("registration").ValueKind);
    }

    [Fact]
    public async Task Json_is_plain_ascii_and_still_says_names_no_windows_code_page_holds()
    {
        hub.Merge(TestHub.Draft(HashBuilder.Sample(5), Day, technician: "Łukasz Żółć", site: "Kraków 東"));

        var result = await Cli.RunAsync("device", "CLT-0000005", "--hub", hub.Path, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(result.Out, c => Assert.True(c < 0x7f, $"U+{(int)c:X4} in the JSON"));
        Assert.Contains("\\u0141ukasz", result.Out, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Out);
        var capture = json.RootElement[0].GetProperty("captures")[0];
        Assert.Equal(("Łukasz Żółć", "Kraków 東"), (capture.GetProperty("technician").GetString(), capture.GetProperty("site").GetString()));
    }

    [Fact]
    public async Task A_serial_several_devices_share_lists_each_of_them()
    {
        hub.Merge(
            TestHub.Draft(new HashBuilder { Serial = "SHARED-1", SmbiosUuid = Guid.Parse("11111111-1111-1111-1111-111111111111") }, Day),
            TestHub.Draft(new HashBuilder { Serial = "SHARED-1", SmbiosUuid = Guid.Parse("22222222-2222-2222-2222-222222222222") }, Day.AddMinutes(1)));

        var text = await Cli.RunAsync("device", "SHARED-1", "--hub", hub.Path);
        var json = await Cli.RunAsync("device", "SHARED-1", "--hub", hub.Path, "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.StartsWith("2 devices match 'SHARED-1'.", text.Out, StringComparison.Ordinal);
        Assert.Contains("Device SHARED-1 (tenant", text.Out, StringComparison.Ordinal);
        Assert.Contains("Device SHARED-1~22222222-2222-2222-2222-222222222222 (tenant", text.Out, StringComparison.Ordinal);
        Assert.Contains("flag serial-collision:", text.Out, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(["SHARED-1", "SHARED-1~22222222-2222-2222-2222-222222222222"],
            document.RootElement.EnumerateArray().Select(d => d.GetProperty("deviceKey").GetString()));
    }

    [Fact]
    public async Task A_device_key_finds_a_device_whose_serial_is_a_placeholder()
    {
        var uuid = Guid.Parse("33333333-3333-3333-3333-333333333333");
        hub.Merge(TestHub.Draft(new HashBuilder { Serial = "To be filled by O.E.M.", SmbiosUuid = uuid }, Day));

        var result = await Cli.RunAsync("device", $"uuid:{uuid:D}", "--hub", hub.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("  Serial        To be filled by O.E.M.", result.Out, StringComparison.Ordinal);
        Assert.Contains("flag placeholder-serial:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_serial_that_matches_nothing_exits_2_saying_no_device()
    {
        hub.Merge(TestHub.Draft(HashBuilder.Sample(1), Day));

        var result = await Cli.RunAsync("device", "NOT-HERE", "--hub", hub.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("collector: no device with the key or serial 'NOT-HERE' in the hub", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }
}
