using System.Text;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

public sealed class ImportCommandTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);
    private readonly string hub;

    public ImportCommandTests() => hub = temp.File("hub.db");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_file_as_get_windows_autopilot_info_writes_it_becomes_csv_import_captures()
    {
        var csv = $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1))}\r\n{CsvLine(HashBuilder.Sample(2))}\r\n";
        var file = temp.Write("AutopilotHWID.csv", Utf16WithBom(csv));
        File.SetLastWriteTimeUtc(file, Day.AddDays(-2).UtcDateTime);

        var result = await ImportAsync(file);

        AssertExit(0, result);
        Assert.Equal("", result.Error);
        Assert.Contains($"{file}: 2 row(s): 2 new, 0 already in the hub, 0 not imported", result.Out, StringComparison.Ordinal);
        var captures = Newest();
        Assert.Equal(["CLT-0000001", "CLT-0000002"], captures.Select(c => c.Capture.DeviceKey));
        Assert.All(captures, c => Assert.Equal(CaptureMethods.CsvImport, c.Capture.Method));
        Assert.All(captures, c => Assert.Equal(Day.AddDays(-2), c.Capture.CapturedAt));
        Assert.Equal(HashBuilder.Sample(2).Build(), captures[1].Capture.HardwareHash);
    }

    public static TheoryData<string, string> Encodings() => new()
    {
        { "utf-8", "\r\n" },
        { "utf-8 with bom", "\r\n" },
        { "utf-8", "\n" },
        { "utf-16be with bom", "\r\n" },
        { "quoted utf-8", "\r\n" },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task Other_encodings_line_ends_and_quotes_read_the_same(string encoding, string newline)
    {
        string[] lines = [Header3, CsvLine(HashBuilder.Sample(1)), CsvLine(HashBuilder.Sample(2))];
        if (encoding.StartsWith("quoted", StringComparison.Ordinal))
        {
            lines = [.. lines.Select(l => string.Join(',', l.Split(',').Select(v => $"\"{v}\"")))];
        }

        var text = string.Join(newline, lines) + newline;
        byte[] bytes = encoding switch
        {
            "utf-8 with bom" => [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)],
            "utf-16be with bom" => [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes(text)],
            _ => Encoding.UTF8.GetBytes(text),
        };

        var result = await ImportAsync(temp.Write("devices.csv", bytes));

        AssertExit(0, result);
        Assert.Equal(["CLT-0000001", "CLT-0000002"], Newest().Select(c => c.Capture.DeviceKey));
    }

    [Fact]
    public async Task Four_and_five_column_files_bring_their_group_tags_and_users()
    {
        var four = temp.Write("four.csv", Utf16WithBom($"{Header3},Group Tag\r\n{CsvLine(HashBuilder.Sample(1), null, "Kiosk")}\r\n"));
        var five = temp.Write("five.csv", Utf16WithBom($"{Header3},Group Tag,Assigned User\r\n{CsvLine(HashBuilder.Sample(2), null, "", "ada@contoso.example")}\r\n"));

        var result = await ImportAsync(four, five);

        AssertExit(0, result);
        Assert.Equal([("Kiosk", ""), ("", "ada@contoso.example")], Newest().Select(c => (c.Capture.GroupTag, c.Capture.AssignedUser)));
    }

    [Fact]
    public async Task The_partner_form_is_read_even_with_a_quoted_comma_and_make_and_model_come_from_the_hash()
    {
        var device = HashBuilder.Sample(2);
        var csv = $"Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\r\n{CsvLine(device, null, "Contoso Ltd", "\"Desk 5, gen 2\"")}\r\n";

        var result = await ImportAsync(temp.Write("partner.csv", Utf16WithBom(csv)));

        AssertExit(0, result);
        var capture = Newest().Single().Capture;
        Assert.Equal(("CLT-0000002", "Northwind", "Northwind Desk 5"), (capture.Serial, capture.Manufacturer, capture.Model));
    }

    [Fact]
    public async Task Importing_the_same_file_twice_adds_nothing()
    {
        var file = temp.Write("devices.csv", $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1))}\r\n{CsvLine(HashBuilder.Sample(2))}\r\n");
        await ImportAsync(file);

        var again = await ImportAsync(file);

        AssertExit(0, again);
        Assert.Contains("2 row(s): 0 new, 2 already in the hub", again.Out, StringComparison.Ordinal);
        using var store = HubStore.Open(hub, clock);
        Assert.Equal(2, store.CountCaptures());
    }

    [Fact]
    public async Task A_row_naming_another_serial_or_none_is_kept_flagged_and_exported_with_the_hash_serial()
    {
        var csv = $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1), "BIOS-SAYS-1")}\r\n{CsvLine(HashBuilder.Sample(2), "")}\r\n";

        var result = await ImportAsync(temp.Write("devices.csv", csv));
        var export = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("out"));

        AssertExit(0, result);
        Assert.Contains("devices.csv:2: kept, flagged serial-mismatch: the serial column says 'BIOS-SAYS-1', the hash says 'CLT-0000001'", result.Out, StringComparison.Ordinal);
        Assert.Contains("devices.csv:3: kept, flagged serial-mismatch: the serial column is empty", result.Out, StringComparison.Ordinal);
        Assert.All(Newest(), c => Assert.Contains(HashFlags.SerialMismatch, c.Capture.Flags));
        AssertExit(0, export);
        Assert.Equal(["CLT-0000001", "CLT-0000002"], Rows(Directory.GetFiles(temp.File("out"), "*.csv").Single()).Select(r => r[0]));
    }

    [Fact]
    public async Task Bad_rows_are_reported_with_their_line_numbers_exit_5_and_the_good_rows_are_kept()
    {
        var broken = HashBuilder.Sample(3).BuildBytes();
        broken[80] ^= 0x01;
        var csv = string.Join("\r\n",
            $"{Header3},Group Tag,Assigned User",
            CsvLine(HashBuilder.Sample(1), null, "", ""),
            $"CLT-0000003,,{Convert.ToBase64String(broken)},,",
            "CLT-0000004,,,,",
            CsvLine(HashBuilder.Sample(5), null, "\"Lobby,East\"", ""),
            CsvLine(HashBuilder.Sample(6), null, "Lobby,East", ""),
            CsvLine(HashBuilder.Sample(7), null, "", "not-a-upn"),
            CsvLine(HashBuilder.Sample(8), null, "Kiosk", "")) + "\r\n";
        var file = temp.Write("mixed.csv", csv);

        var result = await ImportAsync(file);

        AssertExit(5, result);
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, errors.Length);
        Assert.StartsWith($"collector: {file}:3: rejected: the hardware hash is invalid:", errors[0], StringComparison.Ordinal);
        Assert.Equal($"collector: {file}:4: rejected: no hardware hash in this row", errors[1]);
        Assert.StartsWith($"collector: {file}:5: rejected: group tag 'Lobby,East' holds a comma", errors[2], StringComparison.Ordinal);
        Assert.StartsWith($"collector: {file}:6: rejected: 6 values where the header has 5 columns", errors[3], StringComparison.Ordinal);
        Assert.StartsWith($"collector: {file}:7: rejected: assigned user 'not-a-upn' is not a UPN", errors[4], StringComparison.Ordinal);
        Assert.Contains("7 row(s): 2 new, 0 already in the hub, 5 not imported", result.Out, StringComparison.Ordinal);
        Assert.Equal(["CLT-0000001", "CLT-0000008"], Newest().Select(c => c.Capture.DeviceKey));
    }

    [Fact]
    public async Task The_same_device_twice_in_a_file_is_reported_and_the_first_row_kept()
    {
        var recaptured = HashBuilder.Sample(1);
        recaptured.DiskModel = "other bytes, same device";
        var csv = $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1))}\r\n{CsvLine(HashBuilder.Sample(2))}\r\n{CsvLine(recaptured)}\r\n";
        var file = temp.Write("twice.csv", csv);

        var result = await ImportAsync(file);

        AssertExit(5, result);
        Assert.Equal($"collector: {file}:4: skipped: the same device (CLT-0000001) as line 2, which is kept\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Equal(HashBuilder.Sample(1).Build(), Newest().First().Capture.HardwareHash);
        using var store = HubStore.Open(hub, clock);
        Assert.Equal(2, store.CountCaptures());
    }

    [Fact]
    public async Task Two_devices_sharing_a_serial_are_both_kept()
    {
        var twin = HashBuilder.Sample(12);
        twin.Serial = "CLT-0000001";
        var file = temp.Write("twins.csv", $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1))}\r\n{CsvLine(twin)}\r\n");

        var result = await ImportAsync(file);

        AssertExit(0, result);
        Assert.Equal(["CLT-0000001", $"CLT-0000001~{twin.SmbiosUuid:D}"], Newest().Select(c => c.Capture.DeviceKey));
    }

    [Theory]
    [InlineData("Serial Number,Hash", "column 'Serial Number' is not one of Intune's")]
    [InlineData("Device Serial Nummer,Windows Product ID,Hardware Hash", "column 'Device Serial Nummer' should be spelled 'Device Serial Number'")]
    [InlineData("device serial number,Windows Product ID,Hardware Hash", "should be spelled 'Device Serial Number' (Intune compares headers exactly)")]
    [InlineData("Device Serial Number,Windows Product ID,Hardware Hash,Asset Tag", "column 'Asset Tag' is not one of Intune's")]
    [InlineData("Device Serial Number,Windows Product ID", "no 'Hardware Hash' column in the header")]
    public async Task A_wrong_header_exits_2_and_leaves_the_hub_untouched(string header, string expected)
    {
        var file = temp.Write("bad.csv", $"{header}\r\n{CsvLine(HashBuilder.Sample(1))}\r\n");

        var result = await ImportAsync(file);

        AssertExit(2, result);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(hub));
    }

    [Fact]
    public async Task An_empty_file_exits_2()
    {
        var result = await ImportAsync(temp.Write("empty.csv", ""));

        AssertExit(2, result);
        Assert.Contains("empty.csv is empty", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(hub));
    }

    [Fact]
    public async Task A_binary_file_exits_2()
    {
        var file = temp.Write("photo.csv", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]);

        var result = await ImportAsync(file);

        AssertExit(2, result);
        Assert.Contains("photo.csv is a binary file", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(hub));
    }

    [Fact]
    public async Task A_missing_file_exits_2_and_no_other_file_is_imported()
    {
        var good = temp.Write("good.csv", $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1))}\r\n");

        var result = await ImportAsync(good, temp.File("typo.csv"));

        AssertExit(2, result);
        Assert.Contains("typo.csv: no such file", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(hub));
    }

    [Fact]
    public async Task A_file_that_turns_unreadable_halfway_is_not_kept_and_the_other_files_are()
    {
        var lines = Enumerable.Range(1, 60).Select(i => CsvLine(HashBuilder.Sample(i))).ToList();
        var bytes = Encoding.UTF8.GetBytes($"{Header3}\r\n{string.Join("\r\n", lines)}\r\n").ToList();
        bytes.InsertRange(bytes.Count - 10, [0xC3, 0x28]); // not UTF-8, 240 KB in: past what the header check reads
        var spoilt = temp.Write("spoilt.csv", bytes.ToArray());
        var good = temp.Write("good.csv", $"{Header3}\r\n{CsvLine(HashBuilder.Sample(9))}\r\n");

        var result = await ImportAsync(spoilt, good);

        AssertExit(5, result);
        Assert.Contains("spoilt.csv is a binary file", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing from this file was imported", result.Error, StringComparison.Ordinal);
        Assert.Equal(["CLT-0000009"], Newest().Select(c => c.Capture.DeviceKey));
    }

    [Fact]
    public async Task A_tenant_that_is_not_a_guid_exits_2_and_a_missing_one_is_a_usage_error()
    {
        var file = temp.Write("devices.csv", $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1))}\r\n");

        var notGuid = await RunAsync(clock, "import", file, "--tenant", "contoso", "--hub", hub);
        var missing = await RunAsync(clock, "import", file, "--hub", hub);

        AssertExit(2, notGuid);
        Assert.Contains("tenant id 'contoso' is not a GUID", notGuid.Error, StringComparison.Ordinal);
        AssertExit(1, missing);
        Assert.Contains("--tenant", missing.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(hub));
    }

    [Fact]
    public async Task The_group_tag_option_tags_every_row_and_must_itself_be_exportable()
    {
        var file = temp.Write("devices.csv", $"{Header3},Group Tag\r\n{CsvLine(HashBuilder.Sample(1), null, "Old")}\r\n{CsvLine(HashBuilder.Sample(2), null, "")}\r\n");

        var bad = await RunAsync(clock, "import", file, "--tenant", Tenant, "--hub", hub, "--group-tag", "Caf\u00e9");
        var good = await RunAsync(clock, "import", file, "--tenant", Tenant, "--hub", hub, "--group-tag", "Warehouse-7");

        AssertExit(2, bad);
        Assert.Contains("non-ASCII", bad.Error, StringComparison.Ordinal);
        AssertExit(0, good);
        Assert.All(Newest(), c => Assert.Equal("Warehouse-7", c.Capture.GroupTag));
    }

    private Task<CliResult> ImportAsync(params string[] files) =>
        RunAsync(clock, ["import", .. files, "--tenant", Tenant, "--hub", hub]);

    private List<HubCapture> Newest()
    {
        using var store = HubStore.Open(hub, clock);
        return [.. store.NewestCaptures()];
    }
}
