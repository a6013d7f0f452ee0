using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tests.Sync;

namespace Collector.Workstation.Tests.Commands;

/// <summary>
/// A stick is a file anyone can edit: sync decodes every capture's hash again and takes the
/// device's fields from it, refusing (and naming) a row that fails while the rest still merges.
/// </summary>
public sealed class SyncUntrustedStickTests : IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-3);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string HubPath => temp.File("desk", "hub.db");

    [Fact]
    public async Task A_capture_whose_hash_is_not_base64_is_refused_named_and_the_rest_of_the_stick_merges()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(root), "UPDATE captures SET hardware_hash = '!!!notbase64' WHERE seq = 2");

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"collector: refused capture #2 of {TestSticks.Database(root)}: its hash is invalid: the hash is not base64", result.Error, StringComparison.Ordinal);
        Assert.Contains("Captures: 2 new, 0 already in the hub, 1 invalid (not merged).", result.Out, StringComparison.Ordinal);
        Assert.Equal(["CLT-0000001", "CLT-0000003"], HubFile.NewestCaptures(HubPath).Select(c => c.Capture.DeviceKey));
    }

    [Fact]
    public async Task A_capture_with_one_flipped_bit_in_its_hash_is_refused()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        var flipped = HashBuilder.Sample(3).BuildBytes();
        flipped[200] ^= 0x04;
        TestSticks.Execute(TestSticks.Database(root), "UPDATE captures SET hardware_hash = $hash WHERE seq = 3", ("$hash", Convert.ToBase64String(flipped)));

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath, "--json");

        Assert.Equal(5, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var invalid = Assert.Single(json.RootElement.GetProperty("invalidCaptures").EnumerateArray());
        Assert.Equal(TestSticks.Database(root), invalid.GetProperty("path").GetString());
        Assert.Equal(3, invalid.GetProperty("sequence").GetInt64());
        Assert.Contains("the checksum does not match", invalid.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, json.RootElement.GetProperty("captures").GetProperty("invalid").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("captures").GetProperty("new").GetInt32());
        Assert.DoesNotContain(HubFile.NewestCaptures(HubPath), c => c.Capture.DeviceKey == "CLT-0000003");
    }

    [Fact]
    public async Task The_device_fields_come_from_the_hash_never_from_the_rows_own_columns()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(root), """
            UPDATE captures SET serial = 'CLT-0000099', device_key = 'CLT-0000099', manufacturer = 'Evil', model = 'Forged',
                smbios_uuid = '00000000-0000-0000-0000-000000000042', tpm_present = 1, nic_count = 9, product_key_id = '1'
            WHERE seq = 2
            """);
        var truth = HashCodec.Check(HashBuilder.Sample(2).Build()).Hash!;

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(0, result.ExitCode);
        var device = Assert.Single(HubFile.NewestCaptures(HubPath), c => c.Capture.StickSequence == 2).Capture;
        Assert.Equal(("CLT-0000002", "CLT-0000002", truth.Manufacturer, truth.Model), (device.DeviceKey, device.Serial, device.Manufacturer, device.Model));
        Assert.Equal((truth.SmbiosUuid, truth.TpmPresent, truth.NicCount, truth.ProductKeyId), (device.SmbiosUuid, device.TpmPresent, device.NicCount, device.ProductKeyId));
        Assert.DoesNotContain(HubFile.NewestCaptures(HubPath), c => c.Capture.DeviceKey == "CLT-0000099");
    }

    [Fact]
    public async Task A_collision_suffix_and_flag_the_stick_claims_are_recomputed_by_the_hub()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        var uuid = HashBuilder.Sample(2).SmbiosUuid!.Value;
        TestSticks.Execute(TestSticks.Database(root), "UPDATE captures SET device_key = $key, flags = 'serial-collision,checksum-bad' WHERE seq = 2",
            ("$key", DeviceIdentity.CollisionKey("CLT-0000002", uuid)));

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(0, result.ExitCode);
        var device = Assert.Single(HubFile.NewestCaptures(HubPath), c => c.Capture.StickSequence == 2).Capture;
        Assert.Equal("CLT-0000002", device.DeviceKey);
        Assert.Empty(device.Flags);
    }

    [Fact]
    public async Task A_serial_mismatch_the_stick_recorded_is_kept_it_is_what_the_bios_said()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 1, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(root), "UPDATE captures SET flags = 'serial-mismatch,made-up-flag' WHERE seq = 1");

        await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal([HashFlags.SerialMismatch], Assert.Single(HubFile.NewestCaptures(HubPath)).Capture.Flags);
    }

    [Fact]
    public async Task A_capture_with_a_tenant_that_is_not_a_guid_is_refused_and_the_rest_of_the_stick_merges()
    {
        var root = TestSticks.Create(temp.File("odd"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(root), "UPDATE captures SET tenant_id = 'contoso.example' WHERE seq = 2");

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"refused capture #2 of {TestSticks.Database(root)}: its tenant id 'contoso.example' is not a GUID", result.Error, StringComparison.Ordinal);
        using var hub = HubStore.Open(HubPath, TimeProvider.System, readOnly: true);
        Assert.Equal(2, hub.CountCaptures());
    }

    [Theory]
    [InlineData("tenant_id = '00000000-0000-0000-0000-000000000000'", "its tenant id is the empty GUID")]
    [InlineData("method = 'made-up'", "its method 'made-up' is none of wmi, oa3tool, oa3-report, csv-import")]
    [InlineData("captured_at = 'yesterday'", "its capture time 'yesterday' is not a time")]
    public async Task A_capture_whose_own_values_say_no_tenant_or_no_method_we_write_is_refused(string edit, string reason)
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(root), $"UPDATE captures SET {edit} WHERE seq = 1");

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("refused capture #1 of", result.Error, StringComparison.Ordinal);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Equal(["CLT-0000002"], HubFile.NewestCaptures(HubPath).Select(c => c.Capture.DeviceKey));
    }

    [Fact]
    public async Task Refused_captures_are_refused_again_on_every_sync_and_nothing_of_them_reaches_the_hub()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(root), "UPDATE captures SET hardware_hash = 'AAAA' WHERE seq = 1");
        await Cli.RunAsync("sync", root, "--hub", HubPath);

        var again = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(5, again.ExitCode);
        Assert.Contains("Captures: 0 new, 1 already in the hub, 1 invalid (not merged).", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_tag_collect_would_have_refused_stays_with_its_capture_and_export_leaves_the_device_out_by_name()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(root), "UPDATE captures SET group_tag = '=1+2' WHERE seq = 1");
        await Cli.RunAsync("sync", root, "--hub", HubPath);

        var export = await Cli.RunAsync("export", "--hub", HubPath, "--out", temp.File("out"));

        Assert.Equal(5, export.ExitCode);
        Assert.Contains("left out CLT-0000001: group tag '=1+2' begins with '='", export.Error, StringComparison.Ordinal);
    }
}
