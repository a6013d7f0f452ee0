using System.Text;
using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Register;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

/// <summary>export --format identifiers and partner, from builder-made devices merged off a stick.</summary>
public sealed class ExportFormatsTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);
    private readonly string hub;
    private readonly string output;

    public ExportFormatsTests()
    {
        hub = temp.File("hub.db");
        output = temp.File("out");
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Identifiers_are_manufacturer_model_and_serial_lines_with_no_header_in_exact_bytes()
    {
        var lenovo = new HashBuilder { Serial = "PF3ABC12", Manufacturer = "LENOVO", Model = "21HD0052UK", SmbiosUuid = Guid.NewGuid() };
        Merge(hub, clock, Draft(2), TestCaptures.Draft(lenovo, Day.AddHours(1)));
        clock.Now = new DateTimeOffset(2026, 11, 21, 14, 5, 9, TimeSpan.Zero);

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "identifiers");

        AssertExit(0, result);
        var stem = $"identifiers-{Tenant}-20261121-140509-";
        Assert.Equal([$"{stem}001.csv", $"{stem}manifest.json"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var bytes = File.ReadAllBytes(Path.Combine(output, $"{stem}001.csv"));
        Assert.Equal(Line(2) + "LENOVO,21HD0052UK,PF3ABC12\r\n", Encoding.ASCII.GetString(bytes));
        Assert.All(bytes, b => Assert.InRange(b, (byte)0x0A, (byte)0x7E));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, $"{stem}manifest.json")));
        Assert.Equal("identifiers", manifest.RootElement.GetProperty("format").GetString());
        Assert.Contains("Corporate device identifiers", result.Out, StringComparison.Ordinal);
        Assert.Contains("ignores device preparation", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Contoso, Inc.", "Book", "SN-1", "the manufacturer in the hash 'Contoso, Inc.' holds a comma")]
    [InlineData("Contoso", "Book \"14\"", "SN-2", "the model in the hash 'Book \"14\"' holds a double quote")]
    [InlineData("Contoso", "Book", "SNé3", "the serial in the hash 'SNé3' holds the non-ASCII character 'é'")]
    [InlineData("=HYPERLINK(\"x\")", "Book", "SN-4", "holds a double quote")]
    [InlineData("@SUM(1)", "Book", "SN-5", "begins with '@', which a spreadsheet would read as a formula")]
    [InlineData("Contoso", "-2+3", "SN-6", "begins with '-', which a spreadsheet would read as a formula")]
    [InlineData("Contoso", "Book", "To be filled by O.E.M.", "is a placeholder")]
    [InlineData("Contoso", "Book", "Default string", "is a placeholder")]
    [InlineData("Contoso", null, "SN-9", "no model (product name) in the hash")]
    [InlineData(null, "Book", "SN-10", "no manufacturer")]
    public async Task A_device_identifiers_cannot_carry_is_left_out_and_named_and_the_rest_is_written(string? manufacturer, string? model, string serial, string why)
    {
        var odd = new HashBuilder { Serial = serial, Manufacturer = manufacturer, Model = model, SmbiosUuid = Guid.NewGuid() };
        Merge(hub, clock, Draft(1), TestCaptures.Draft(odd, Day.AddHours(1)));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "identifiers", "--json");

        AssertExit(5, result);
        Assert.Contains(why, result.Error, StringComparison.Ordinal);
        Assert.Contains("left out ", result.Error, StringComparison.Ordinal);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(1, json.GetProperty("devices").GetInt32());
        Assert.Single(json.GetProperty("leftOut").EnumerateArray());
        Assert.Equal(Line(1), File.ReadAllText(Directory.GetFiles(output, "*.csv").Single()));
        Assert.Single(Waiting(hub, clock, "identifiers"));
    }

    [Fact]
    public async Task Two_devices_identifiers_cannot_tell_apart_are_written_once_and_the_second_is_named()
    {
        var first = HashBuilder.Sample(1);
        var twin = HashBuilder.Sample(12); // another SMBIOS UUID: another device, with the same three values
        (twin.Serial, twin.Manufacturer, twin.Model) = (first.Serial, first.Manufacturer, first.Model);
        Merge(hub, clock, Draft(1), TestCaptures.Draft(twin, Day.AddHours(2)));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "identifiers");

        AssertExit(5, result);
        Assert.Contains("corporate identifiers cannot tell the two apart", result.Error, StringComparison.Ordinal);
        Assert.Equal(Line(1), File.ReadAllText(Directory.GetFiles(output, "*.csv").Single()));
    }

    [Fact]
    public async Task Identifiers_files_hold_at_most_5000_devices()
    {
        Fill(hub, clock, Enumerable.Range(1, 5_001).Select(HashBuilder.Sample));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "identifiers", "--json");

        AssertExit(0, result);
        var files = JsonDocument.Parse(result.Out).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Equal([5_000, 1], files.Select(f => File.ReadAllText(f).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 5L * 1024 * 1024));
    }

    [Fact]
    public async Task A_device_exported_one_way_still_waits_for_the_other_and_all_works_per_format()
    {
        Merge(hub, clock, Draft(1), Draft(2));

        var autopilot = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("a1"), "--json");
        var identifiers = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("i1"), "--format", "identifiers", "--json");
        var identifiersAgain = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("i2"), "--format", "identifiers", "--json");
        var partner = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("p1"), "--format", "partner", "--json");
        var autopilotAgain = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("a2"), "--json");
        var identifiersAll = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("i3"), "--format", "identifiers", "--all", "--json");

        Assert.Equal([2, 2, 0, 2, 0, 2], new[] { autopilot, identifiers, identifiersAgain, partner, autopilotAgain, identifiersAll }
            .Select(r => JsonDocument.Parse(r.Out).RootElement.GetProperty("devices").GetInt32()));
        Assert.Empty(Waiting(hub, clock));
        using var status = HubStore.Open(hub, clock, readOnly: true);
        Assert.Equal(0, Assert.Single(status.TenantStatuses()).WaitingForExport); // status counts the Autopilot CSV, as ever
    }

    [Fact]
    public async Task A_newer_capture_waits_again_in_every_format()
    {
        Merge(hub, clock, Draft(1));
        await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("a"));
        await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("i"), "--format", "identifiers");
        var recaptured = HashBuilder.Sample(1);
        recaptured.DiskModel = "replacement disk";
        clock.Advance(TimeSpan.FromHours(2));
        Merge(hub, clock, TestCaptures.Draft(recaptured, clock.Now));

        Assert.Single(Waiting(hub, clock));
        Assert.Single(Waiting(hub, clock, "identifiers"));
        Assert.Single(Waiting(hub, clock, "partner"));
    }

    [Fact]
    public async Task Devices_registered_in_autopilot_are_left_out_of_identifiers_saying_they_ignore_device_preparation()
    {
        Merge(hub, clock, Draft(1), Draft(2));
        using (var store = HubStore.Open(hub, clock))
        {
            var first = store.ExportCandidates(null, true).First();
            var key = new RegistrationKey(first.DeviceKey, first.CaptureId);
            store.RecordSubmitted(TestCaptures.Tenant, "import-1", [(key, first.Serial)]);
            store.RecordOutcomes(TestCaptures.Tenant, [(key, new ImportOutcome(RegistrationStates.Registered, "reg-1"))]);
        }

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "identifiers");

        AssertExit(0, result);
        Assert.Contains("1 device(s) left out: registered in Autopilot by 'collector register', so they follow their Autopilot profile and ignore device preparation", result.Out, StringComparison.Ordinal);
        Assert.Equal(Line(2), File.ReadAllText(Directory.GetFiles(output, "*.csv").Single()));
    }

    [Fact]
    public async Task Partner_files_have_partner_centers_header_and_the_hashs_manufacturer_and_model_in_exact_bytes()
    {
        var device = HashBuilder.Sample(3);
        Merge(hub, clock, TestCaptures.Draft(device, Day.AddHours(1)));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "partner");

        AssertExit(0, result);
        var file = Assert.Single(Directory.GetFiles(output, "partner-*.csv"));
        Assert.Equal(
            "Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\r\n" +
            $"CLT-0000003,,{device.Build()},Contoso,Contoso Book 14\r\n",
            Encoding.ASCII.GetString(File.ReadAllBytes(file)));
        Assert.Contains("Partner Center", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Partner_leaves_out_a_model_it_cannot_carry()
    {
        var odd = new HashBuilder { Serial = "SN-Q", Model = "Book, 14", SmbiosUuid = Guid.NewGuid() };
        Merge(hub, clock, Draft(1), TestCaptures.Draft(odd, Day.AddHours(1)));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "partner");

        AssertExit(5, result);
        Assert.Contains("left out SN-Q: the model in the hash 'Book, 14' holds a comma", result.Error, StringComparison.Ordinal);
        Assert.Contains("Partner Center's device batch CSV cannot carry them", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_export_imported_into_a_fresh_hub_gives_the_same_devices()
    {
        Merge(hub, clock, [.. SampleDevices.All.Select((d, i) => TestCaptures.Draft(d.Builder, Day.AddMinutes(i)))]);
        var exported = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "partner", "--json");
        var files = JsonDocument.Parse(exported.Out).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToArray();
        var fresh = temp.File("fresh.db");

        var imported = await RunAsync(clock, ["import", .. files, "--tenant", Tenant, "--hub", fresh]);

        AssertExit(0, exported);
        AssertExit(0, imported);
        Assert.Equal(Devices(hub), Devices(fresh));
        Assert.Equal(SampleDevices.All.Count, Devices(fresh).Count);
    }

    [Fact]
    public async Task An_unknown_format_is_a_usage_error_and_writes_nothing()
    {
        Merge(hub, clock, Draft(1));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", "csv");

        AssertExit(1, result);
        Assert.Contains("'csv'", result.Error, StringComparison.Ordinal);
        Assert.Contains("autopilot", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
        Assert.Single(Waiting(hub, clock));
    }

    [Theory]
    [InlineData("autopilot", "600", 1, "--batch-size must be 1 to 500")]
    [InlineData("partner", "501", 1, "--batch-size must be 1 to 500")]
    [InlineData("identifiers", "5001", 1, "--batch-size must be 1 to 5000")]
    [InlineData("identifiers", "600", 0, "")]
    public async Task The_batch_size_is_held_to_the_formats_limit(string format, string size, int exit, string why)
    {
        Merge(hub, clock, Draft(1));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", format, "--batch-size", size);

        AssertExit(exit, result);
        Assert.Contains(why, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identifiers")]
    [InlineData("partner")]
    public async Task Group_tag_is_a_usage_error_with_a_format_that_has_no_group_tag(string format)
    {
        Merge(hub, clock, Draft(1));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--format", format, "--group-tag", "Kiosk");

        AssertExit(1, result);
        Assert.Contains("--group-tag goes with --format autopilot", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    /// <summary>Sample device <paramref name="sample"/>'s line in a corporate identifiers file.</summary>
    private static string Line(int sample)
    {
        var device = HashBuilder.Sample(sample);
        return $"{device.Manufacturer},{device.Model},{device.Serial}\r\n";
    }

    private static List<(string Key, string Serial, string Hash)> Devices(string path) =>
        [.. HubFile.NewestCaptures(path).Select(c => (c.Capture.DeviceKey, c.Capture.Serial, c.Capture.HardwareHash))];
}
