using System.Text;
using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Commands;
using Collector.Workstation.Export;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

public sealed class ExportCommandTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);
    private readonly string hub;
    private readonly string output;

    public ExportCommandTests()
    {
        hub = temp.File("hub.db");
        output = temp.File("out");
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Export_writes_files_of_the_batch_size_that_sort_in_order_with_a_manifest_beside_them()
    {
        Merge(hub, clock, Draft(1), Draft(2), Draft(3), Draft(4), Draft(5));
        clock.Now = new DateTimeOffset(2026, 11, 21, 14, 5, 9, TimeSpan.Zero);

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--batch-size", "2");

        AssertExit(0, result);
        Assert.Equal("", result.Error);
        var stem = $"autopilot-{Tenant}-20261121-140509-";
        string[] expected = [$"{stem}001.csv", $"{stem}002.csv", $"{stem}003.csv", $"{stem}manifest.json"];
        Assert.Equal(expected, Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([["CLT-0000001", "CLT-0000002"], ["CLT-0000003", "CLT-0000004"], ["CLT-0000005"]],
            expected[..3].Select(f => Rows(Path.Combine(output, f)).Select(r => r[0]).ToArray()));
        Assert.Contains("Exported 5 device(s)", result.Out, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(output, $"{stem}001.csv"), result.Out, StringComparison.Ordinal);
        Assert.Contains("Devices > Windows > Enrollment > Windows Autopilot > Devices > Import", result.Out, StringComparison.Ordinal);
        Assert.Contains("upload one file at a time", result.Out, StringComparison.Ordinal);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, expected[3])));
        var files = manifest.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(Tenant, manifest.RootElement.GetProperty("tenant").GetString());
        Assert.Equal([$"{stem}001.csv", $"{stem}002.csv", $"{stem}003.csv"], files.Select(f => f.GetProperty("file").GetString()));
        Assert.Equal([2, 2, 1], files.Select(f => f.GetProperty("devices").GetInt32()));
        Assert.Equal(["CLT-0000003", "CLT-0000004"], files[1].GetProperty("serials").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task The_files_hold_intune_exact_bytes_with_the_hash_and_its_serial()
    {
        var device = HashBuilder.Sample(7);
        Merge(hub, clock, TestCaptures.Draft(device, Day.AddHours(1)));

        await RunAsync(clock, "export", "--hub", hub, "--out", output);

        var bytes = File.ReadAllBytes(Directory.GetFiles(output, "*.csv").Single());
        Assert.Equal($"{Header3}\r\nCLT-0000007,,{device.Build()}\r\n", Encoding.ASCII.GetString(bytes));
        Assert.All(bytes, b => Assert.InRange(b, (byte)0x0A, (byte)0x7E));
    }

    [Fact]
    public async Task Group_tags_and_users_bring_their_columns_to_the_whole_file()
    {
        Merge(hub, clock, Draft(1, groupTag: "Kiosk"), Draft(2, user: "ada@contoso.example"), Draft(3));

        await RunAsync(clock, "export", "--hub", hub, "--out", output);

        var lines = File.ReadAllText(Directory.GetFiles(output, "*.csv").Single()).Split("\r\n");
        Assert.Equal(Header3 + ",Group Tag,Assigned User", lines[0]);
        Assert.Equal([["CLT-0000001", "", "Kiosk", ""], ["CLT-0000002", "", "", "ada@contoso.example"], ["CLT-0000003", "", "", ""]],
            lines[1..4].Select(l => { var v = l.Split(','); return new[] { v[0], v[1], v[3], v[4] }; }));
    }

    [Fact]
    public async Task Devices_exported_before_are_not_exported_again_unless_all()
    {
        Merge(hub, clock, Draft(1), Draft(2));
        await RunAsync(clock, "export", "--hub", hub, "--out", output);

        var again = await RunAsync(clock, "export", "--hub", hub, "--out", output);
        var all = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--all", "--json");

        AssertExit(0, again);
        Assert.Contains("Nothing to export", again.Out, StringComparison.Ordinal);
        AssertExit(0, all);
        Assert.Equal(2, JsonDocument.Parse(all.Out).RootElement.GetProperty("devices").GetInt32());
        Assert.Equal(2, Directory.GetFiles(output, "*.csv").Length);
        Assert.Equal(2, Directory.GetFiles(output, "*manifest.json").Length);
    }

    [Fact]
    public async Task A_device_captured_again_after_its_export_is_exported_again_with_its_newer_hash()
    {
        Merge(hub, clock, Draft(1), Draft(2));
        await RunAsync(clock, "export", "--hub", hub, "--out", output);
        var recaptured = HashBuilder.Sample(2);
        recaptured.DiskModel = "replacement disk";
        clock.Advance(TimeSpan.FromHours(1));
        Merge(hub, clock, TestCaptures.Draft(recaptured, clock.Now));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("second"), "--json");

        AssertExit(0, result);
        var file = JsonDocument.Parse(result.Out).RootElement.GetProperty("files").EnumerateArray().Single().GetString()!;
        Assert.Equal([["CLT-0000002", "", recaptured.Build()]], Rows(file));
    }

    [Fact]
    public async Task Json_prints_one_object_with_files_devices_and_left_out_and_exits_5_when_any_is_left_out()
    {
        Merge(hub, clock, Draft(1), Draft(2, groupTag: "Lobby,East"), TestCaptures.Draft(new HashBuilder { Serial = "CLT-NOMAKE", Manufacturer = null }, Day));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--json");

        AssertExit(5, result);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(["files", "devices", "leftOut", "registered"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, json.RootElement.GetProperty("devices").GetInt32());
        Assert.Equal(Directory.GetFiles(output, "*.csv"), json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        var leftOut = json.RootElement.GetProperty("leftOut").EnumerateArray().ToList();
        Assert.Equal(["CLT-0000002", "CLT-NOMAKE"], leftOut.Select(l => l.GetProperty("deviceKey").GetString()));
        Assert.Contains("a comma", leftOut[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("InvalidZtdHardwareHash", leftOut[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("collector: left out CLT-0000002: group tag 'Lobby,East' holds a comma", result.Error, StringComparison.Ordinal);
        Assert.Equal(["CLT-0000002", "CLT-NOMAKE"], Waiting(hub, clock).Order());
    }

    [Fact]
    public async Task The_group_tag_option_overrides_every_device_tag()
    {
        Merge(hub, clock, Draft(1, groupTag: "Old"), Draft(2, groupTag: "Lobby,East"));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--group-tag", "Warehouse-7");

        AssertExit(0, result);
        Assert.All(Rows(Directory.GetFiles(output, "*.csv").Single()), r => Assert.Equal("Warehouse-7", r[3]));
    }

    [Fact]
    public async Task A_group_tag_option_intune_cannot_carry_exits_2_before_anything_is_written()
    {
        Merge(hub, clock, Draft(1));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--group-tag", "a\"b");

        AssertExit(2, result);
        Assert.Contains("--group-tag: group tag 'a\"b' holds a double quote", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task A_thousand_and_one_devices_make_files_of_500_500_and_1()
    {
        Fill(hub, clock, Enumerable.Range(1, 1001).Select(HashBuilder.Sample));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output);

        AssertExit(0, result);
        Assert.Equal([500, 500, 1], Directory.GetFiles(output, "*.csv").Order(StringComparer.Ordinal).Select(f => Rows(f).Count));
        Assert.Empty(Waiting(hub, clock));
    }

    [Fact]
    public async Task Each_tenant_gets_its_own_files_and_tenant_limits_the_export_to_one()
    {
        Merge(hub, clock, Draft(1), Draft(2, tenant: TestCaptures.OtherTenant));

        var one = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("one"), "--tenant", TestCaptures.OtherTenant.ToString("D").ToUpperInvariant());
        var rest = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("rest"));

        AssertExit(0, one);
        Assert.Equal([$"autopilot-{TestCaptures.OtherTenant:D}-20261120-081000-001.csv"], Directory.GetFiles(temp.File("one"), "*.csv").Select(Path.GetFileName));
        Assert.Equal([$"autopilot-{Tenant}-20261120-081000-001.csv"], Directory.GetFiles(temp.File("rest"), "*.csv").Select(Path.GetFileName));
    }

    [Fact]
    public async Task Two_exports_in_the_same_second_never_share_a_name()
    {
        Merge(hub, clock, Draft(1), Draft(2));
        await RunAsync(clock, "export", "--hub", hub, "--out", output, "--batch-size", "1");

        await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("elsewhere"), "--all", "--batch-size", "1");
        await RunAsync(clock, "export", "--hub", hub, "--out", output, "--all", "--batch-size", "1");

        Assert.Equal([$"autopilot-{Tenant}-20261120-081000-001.csv", $"autopilot-{Tenant}-20261120-081000-002.csv",
                      $"autopilot-{Tenant}-20261120-081002-001.csv", $"autopilot-{Tenant}-20261120-081002-002.csv"],
            Directory.GetFiles(output, "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([$"autopilot-{Tenant}-20261120-081001-001.csv", $"autopilot-{Tenant}-20261120-081001-002.csv"],
            Directory.GetFiles(temp.File("elsewhere"), "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("501")]
    [InlineData("0")]
    [InlineData("-3")]
    public async Task A_batch_size_outside_1_to_500_is_a_usage_error_and_writes_nothing(string size)
    {
        Merge(hub, clock, Draft(1));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--batch-size", size);

        AssertExit(1, result);
        Assert.Contains("--batch-size must be 1 to 500", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
        Assert.Single(Waiting(hub, clock));
    }

    [Fact]
    public async Task A_tenant_that_is_not_a_guid_exits_2()
    {
        Merge(hub, clock, Draft(1));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--tenant", "contoso.onmicrosoft.com");

        AssertExit(2, result);
        Assert.Contains("tenant id 'contoso.onmicrosoft.com' is not a GUID", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Hub_and_table_together_is_a_usage_error()
    {
        var result = await RunAsync(clock, "export", "--hub", hub, "--table", "UseDevelopmentStorage=true", "--out", output);

        AssertExit(1, result);
        Assert.Contains("export from one of them", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_hub_exits_3_and_creates_none()
    {
        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output);

        AssertExit(3, result);
        Assert.Contains($"no hub at {hub}", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(hub));
    }

    [Fact]
    public async Task An_output_folder_that_cannot_be_made_exits_3_and_marks_nothing()
    {
        Merge(hub, clock, Draft(1), Draft(2));
        var underAFile = Path.Combine(temp.Write("plain-file.txt", "not a folder"), "exports");

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", underAFile);

        AssertExit(3, result);
        Assert.Contains($"cannot create the output folder {underAFile}", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, Waiting(hub, clock).Count);
    }

    [Fact]
    public async Task A_read_only_output_folder_exits_3_and_marks_nothing()
    {
        Merge(hub, clock, Draft(1), Draft(2));
        using var mount = new TmpfsMount(output, 1024, readOnly: true);

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output);

        AssertExit(3, result);
        Assert.Contains("Read-only file system", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was marked exported", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, Waiting(hub, clock).Count);
        Assert.Empty(Directory.GetFiles(output));
    }

    [Fact]
    public async Task A_disk_that_fills_up_keeps_the_complete_files_marked_and_the_rest_waiting_for_the_next_export()
    {
        Fill(hub, clock, Enumerable.Range(1, 40).Select(HashBuilder.Sample));
        int exitCode;
        string[] complete;
        using (var mount = new TmpfsMount(output, 64, readOnly: false))
        {
            exitCode = (await RunAsync(clock, "export", "--hub", hub, "--out", output, "--batch-size", "5")).ExitCode;
            complete = Directory.GetFiles(output, "*.csv");
            foreach (var file in complete)
            {
                File.Copy(file, temp.File(Path.GetFileName(file)));
            }
        }

        var waiting = Waiting(hub, clock);
        clock.Advance(TimeSpan.FromMinutes(1));
        var rest = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("roomy"), "--batch-size", "5");

        Assert.Equal(3, exitCode);
        Assert.InRange(complete.Length, 1, 7);
        var inComplete = complete.SelectMany(f => Rows(temp.File(Path.GetFileName(f)))).Select(r => r[0]).ToList();
        Assert.All(complete, f => Assert.Equal(5, Rows(temp.File(Path.GetFileName(f))).Count));
        Assert.Equal(40 - inComplete.Count, waiting.Count);
        Assert.Empty(waiting.Intersect(inComplete));
        AssertExit(0, rest);
        var inRest = Directory.GetFiles(temp.File("roomy"), "*.csv").SelectMany(Rows).Select(r => r[0]).ToList();
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"CLT-{i:D7}"), inComplete.Concat(inRest).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_crash_after_two_files_re_exports_the_rest_and_skips_nothing()
    {
        Fill(hub, clock, Enumerable.Range(1, 12).Select(HashBuilder.Sample));
        var crashing = new CrashingWriter(new DurableBatchFileWriter(), crashOnCsv: 3);
        using var output1 = new StringWriter();
        using var error1 = new StringWriter();
        var options = new ExportCommand.Options(hub, false, null, null, null, null, output, 4, false, false);

        await Assert.ThrowsAsync<SimulatedCrash>(() => ExportCommand.RunAsync(options, Context(clock, output1, error1), crashing, CancellationToken.None));
        var afterCrash = Directory.GetFiles(output, "*.csv").Order(StringComparer.Ordinal).ToList();
        var waiting = Waiting(hub, clock);
        clock.Advance(TimeSpan.FromMinutes(1));
        var resumed = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--batch-size", "4");

        Assert.Equal(2, afterCrash.Count);
        Assert.Equal(Enumerable.Range(9, 4).Select(i => $"CLT-{i:D7}"), waiting.Order(StringComparer.Ordinal));
        AssertExit(0, resumed);
        var everyRow = Directory.GetFiles(output, "*.csv").SelectMany(Rows).Select(r => r[0]).ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"CLT-{i:D7}"), everyRow.Order(StringComparer.Ordinal));
        Assert.Empty(Waiting(hub, clock));
    }

    /// <summary>Stands in for the process dying while the Nth file is being written.</summary>
    private sealed class CrashingWriter(IBatchFileWriter inner, int crashOnCsv) : IBatchFileWriter
    {
        private int csvFiles;

        public void Write(string path, ReadOnlySpan<byte> content)
        {
            if (path.EndsWith(".csv", StringComparison.Ordinal) && ++csvFiles == crashOnCsv)
            {
                File.WriteAllBytes(path + DurableBatchFileWriter.PartialSuffix, content[..(content.Length / 2)]);
                throw new SimulatedCrash();
            }

            inner.Write(path, content);
        }
    }

    private sealed class SimulatedCrash : Exception;
}
