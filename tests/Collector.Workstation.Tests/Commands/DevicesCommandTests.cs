using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Testing;

namespace Collector.Workstation.Tests.Commands;

public sealed class DevicesCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();
    private readonly TestHub hub;

    public DevicesCommandTests() => hub = new TestHub(temp, new ManualClock(Day));

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Devices_lists_one_line_per_device_under_its_tenant_with_newest_capture_and_what_it_waits_for()
    {
        hub.Merge(
            TestHub.Draft(HashBuilder.Sample(1), Day.AddMinutes(10)),
            TestHub.Draft(new HashBuilder { Serial = "CLT-NOTPM", Tpm = false, Model = "Fabrikam 5" }, Day.AddMinutes(20)),
            TestHub.Draft(HashBuilder.Sample(2), Day.AddMinutes(30), tenant: TestCaptures.OtherTenant));
        hub.MarkExported("batch-1", "CLT-0000001");

        var result = await Cli.RunAsync("devices", "--hub", hub.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
        Assert.Equal($"Tenant {TestCaptures.OtherTenant:D}", lines[0]);
        Assert.StartsWith("  DEVICE KEY", lines[1], StringComparison.Ordinal);
        Assert.Matches(@"^  CLT-0000002 +CLT-0000002 +Northwind, Northwind Desk 5 +2026-11-20 08:30 +waiting +waiting +- *$", lines[2]);
        Assert.Equal($"Tenant {TestCaptures.Tenant:D}", lines[3]);
        Assert.Matches(@"^  CLT-0000001 +CLT-0000001 +Fabrikam, Fabrikam Pro 13 +2026-11-20 08:10 +waiting +yes +- *$", lines[5]);
        Assert.Matches(@"^  CLT-NOTPM +CLT-NOTPM +Contoso, Fabrikam 5 +2026-11-20 08:20 +waiting +waiting +- +no-tpm$", lines[6]);
        Assert.Equal("3 devices.", lines[7]);
        Assert.Equal(8, lines.Count);
    }

    [Fact]
    public async Task Filters_combine_tenant_flag_and_waiting()
    {
        hub.Merge(
            TestHub.Draft(new HashBuilder { Serial = "NOTPM-A", Tpm = false }, Day),
            TestHub.Draft(new HashBuilder { Serial = "NOTPM-B", Tpm = false, SmbiosUuid = Guid.NewGuid() }, Day),
            TestHub.Draft(new HashBuilder { Serial = "TPM-C" }, Day),
            TestHub.Draft(new HashBuilder { Serial = "NOTPM-D", Tpm = false }, Day, tenant: TestCaptures.OtherTenant));
        hub.MarkExported("batch-1", "NOTPM-A");
        hub.MarkUploaded("NOTPM-B");

        var both = await Json("devices", "--hub", hub.Path, "--tenant", TestCaptures.Tenant.ToString(), "--flag", "no-tpm", "--waiting", "export");
        var upload = await Json("devices", "--hub", hub.Path, "--flag", "no-tpm", "--waiting", "upload");
        var bySerial = await Json("devices", "--hub", hub.Path, "--serial", " notpm-b ");

        Assert.Equal(["NOTPM-B"], both.Select(d => d.GetProperty("deviceKey").GetString()));
        Assert.Equal(["NOTPM-D", "NOTPM-A"], upload.Select(d => d.GetProperty("deviceKey").GetString()));
        var b = Assert.Single(bySerial);
        Assert.Equal(("NOTPM-B", false, true, "no-tpm"), (b.GetProperty("serial").GetString(), b.GetProperty("waitingForUpload").GetBoolean(),
            b.GetProperty("waitingForExport").GetBoolean(), b.GetProperty("flags")[0].GetString()));
        Assert.Equal(JsonValueKind.Null, b.GetProperty("registration").ValueKind);
        Assert.Equal(Day, b.GetProperty("newestCaptureAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Several_flags_must_all_be_on_the_device()
    {
        hub.Merge(
            TestHub.Draft(new HashBuilder { Serial = "0", Tpm = false }, Day),
            TestHub.Draft(new HashBuilder { Serial = "NOTPM", Tpm = false, SmbiosUuid = Guid.NewGuid() }, Day));

        var result = await Json("devices", "--hub", hub.Path, "--flag", "no-tpm", "--flag", "placeholder-serial");

        Assert.Equal(["0"], result.Select(d => d.GetProperty("serial").GetString()));
    }

    [Fact]
    public async Task An_unknown_flag_is_a_usage_error_that_lists_the_flags()
    {
        hub.Merge(TestHub.Draft(HashBuilder.Sample(1), Day));

        var result = await Cli.RunAsync("devices", "--hub", hub.Path, "--flag", "no-tmp");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--flag 'no-tmp' is not a flag; the flags are: checksum-bad, truncated, no-serial", result.Error, StringComparison.Ordinal);
        Assert.Contains("clock-suspect, unpadded-input", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("CLT-0000001", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waiting_for_something_else_is_a_usage_error()
    {
        var result = await Cli.RunAsync("devices", "--hub", hub.Path, "--waiting", "lunch");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("lunch", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_autopilot_does_not_have_waits_for_registration()
    {
        hub.Merge(TestHub.Draft(HashBuilder.Sample(1), Day));

        var result = await Cli.RunAsync("devices", "--hub", hub.Path, "--waiting", "registration", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var device = Assert.Single(JsonDocument.Parse(result.Out).RootElement.EnumerateArray());
        Assert.Equal(JsonValueKind.Null, device.GetProperty("registration").ValueKind);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task A_hub_older_than_register_lists_every_device_as_waiting_for_registration_and_says_why()
    {
        var old = temp.File("old", "hub.db");
        OldHubDatabases.CreateSchema1(old, Guid.NewGuid());

        var waiting = await Cli.RunAsync("devices", "--hub", old, "--waiting", "registration", "--json");
        var text = await Cli.RunAsync("devices", "--hub", old);

        Assert.True(waiting.ExitCode == 0, waiting.ToString());
        Assert.Single(JsonDocument.Parse(waiting.Out).RootElement.EnumerateArray());
        Assert.Contains("this hub predates 'collector register' and records no registration", waiting.Error, StringComparison.Ordinal);
        Assert.EndsWith("1 device; this hub predates 'collector register' and records no registration (REGISTERED shows -).\n", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_serial_with_terminal_control_characters_is_shown_escaped()
    {
        hub.Merge(TestHub.Draft(new HashBuilder { Serial = "EVIL\u001b]0;owned\u0007" }, Day));

        var result = await Cli.RunAsync("devices", "--hub", hub.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain('\u001b', result.Out);
        Assert.Contains(@"EVIL\x1b]0;owned\x07", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_tenant_is_invalid_input_and_a_missing_hub_a_storage_error()
    {
        var tenant = await Cli.RunAsync("devices", "--hub", hub.Path, "--tenant", "contoso");
        var missing = await Cli.RunAsync("devices", "--hub", temp.File("nowhere", "hub.db"));

        Assert.Equal(2, tenant.ExitCode);
        Assert.Contains("is not a GUID", tenant.Error, StringComparison.Ordinal);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("no hub at", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_match_is_an_empty_list_not_an_error()
    {
        hub.Merge(TestHub.Draft(HashBuilder.Sample(1), Day));

        var text = await Cli.RunAsync("devices", "--hub", hub.Path, "--serial", "NOPE");
        var json = await Json("devices", "--hub", hub.Path, "--serial", "NOPE");

        Assert.Equal((0, "No device matches."), (text.ExitCode, text.Out.Trim()));
        Assert.Empty(json);
    }

    [Fact]
    public async Task A_listing_longer_than_one_output_piece_has_every_device_once_in_order()
    {
        using (var store = Collector.Workstation.Hub.HubStore.Open(hub.Path, hub.Clock))
        using (var import = store.BeginImport())
        {
            for (var i = 1; i <= 400; i++)
            {
                import.Add(TestHub.Draft(HashBuilder.Sample(i), Day).ToCapture(Guid.CreateVersion7(), i, Guid.Empty));
            }

            import.Commit();
        }

        var text = await Cli.RunAsync("devices", "--hub", hub.Path);
        var json = await Json("devices", "--hub", hub.Path);

        Assert.True(text.Out.Length > 2 * 16 * 1024, $"only {text.Out.Length} characters: fewer than three pieces");
        var keys = Enumerable.Range(1, 400).Select(i => $"CLT-{i:D7}").ToList();
        Assert.Equal(keys, text.Out.Split('\n').Where(l => l.StartsWith("  CLT-", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]));
        Assert.Equal(keys, json.Select(d => d.GetProperty("deviceKey").GetString()));
        Assert.EndsWith("400 devices.\n", text.Out, StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> Json(params string[] args)
    {
        var result = await Cli.RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Out);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
