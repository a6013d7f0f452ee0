using System.Text.Json;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

/// <summary>
/// export of devices whose text would turn into a spreadsheet formula or steer a terminal, and
/// an export a full disk stops: what was marked is always listed in the manifest.
/// </summary>
public sealed class ExportHostileTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);
    private readonly string hub;
    private readonly string output;

    public ExportHostileTests()
    {
        hub = temp.File("hub.db");
        output = temp.File("out");
    }

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("=1+2", "'='")]
    [InlineData("+1", "'+'")]
    [InlineData("@SUM(1)", "'@'")]
    [InlineData("-2+3", "'-'")]
    public async Task A_serial_a_spreadsheet_would_run_as_a_formula_is_left_out_named_and_never_altered(string serial, string named)
    {
        Merge(hub, clock, TestCaptures.Draft(new HashBuilder { Serial = serial }, Day.AddHours(1)), Draft(2));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output);

        AssertExit(5, result);
        Assert.Contains("collector: left out ", result.Error, StringComparison.Ordinal);
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
        var rows = Rows(Directory.GetFiles(output, "*.csv").Single());
        Assert.Equal(["CLT-0000002"], rows.Select(r => r[0]));
    }

    [Theory]
    [InlineData("-ABC123")]
    [InlineData("5CG-1234-X")]
    public async Task A_serial_with_a_dash_that_cannot_form_a_formula_is_exported(string serial)
    {
        Merge(hub, clock, TestCaptures.Draft(new HashBuilder { Serial = serial }, Day.AddHours(1)));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output);

        AssertExit(0, result);
        Assert.Equal([serial], Rows(Directory.GetFiles(output, "*.csv").Single()).Select(r => r[0]));
    }

    [Fact]
    public async Task A_group_tag_or_user_that_would_be_a_formula_is_left_out_even_if_the_hub_already_holds_it()
    {
        // A hub filled before these values were refused where they come in.
        using (var store = HubStore.Open(hub, clock))
        using (var session = store.BeginImport())
        {
            foreach (var (sample, tag, user) in new[] { (1, "@cmd", ""), (2, "", "=x@contoso.example"), (3, "", "") })
            {
                var device = HashBuilder.Sample(sample);
                var row = new CsvDeviceRow(2, device.Serial, "", device.Build(), "", "", "", "");
                session.Add(CsvImport.ToCapture(row, TestCaptures.Tenant, null, Day, "test").Capture! with { GroupTag = tag, AssignedUser = user });
            }

            session.Commit();
        }

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output, "--json");

        AssertExit(5, result);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(["CLT-0000001", "CLT-0000002"],
            json.RootElement.GetProperty("leftOut").EnumerateArray().Select(d => d.GetProperty("deviceKey").GetString()));
        Assert.Equal(1, json.RootElement.GetProperty("devices").GetInt32());
    }

    [Fact]
    public async Task Device_text_in_left_out_messages_is_shown_escaped()
    {
        Merge(hub, clock, TestCaptures.Draft(new HashBuilder { Serial = "CLT\u001b[31m\u0007" }, Day.AddHours(1)));

        var result = await RunAsync(clock, "export", "--hub", hub, "--out", output);

        AssertExit(5, result);
        Assert.Contains(@"left out CLT\x1b[31m\x07", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Out + result.Error, c => DisplayText.IsUnsafe(c) && c is not '\n' and not '\r');
    }

    [Fact]
    public async Task A_disk_that_fills_up_leaves_a_manifest_listing_every_file_that_was_marked()
    {
        Fill(hub, clock, Enumerable.Range(1, 40).Select(HashBuilder.Sample));
        int exitCode;
        string[] csvs;
        JsonDocument manifest;
        // 40 KB: two files of five devices (20 KB each) fill it to the last page, leaving none for a manifest written at the end.
        using (var mount = new TmpfsMount(output, 40, readOnly: false))
        {
            exitCode = (await RunAsync(clock, "export", "--hub", hub, "--out", output, "--batch-size", "5")).ExitCode;
            csvs = [.. Directory.GetFiles(output, "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
            manifest = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(output, "*-manifest.json").Single()));
        }

        using (manifest)
        {
            Assert.Equal(3, exitCode);
            Assert.NotEmpty(csvs);
            var listed = manifest.RootElement.GetProperty("files").EnumerateArray().ToList();
            Assert.Equal(csvs, listed.Select(f => f.GetProperty("file").GetString()));
            var inManifest = listed.SelectMany(f => f.GetProperty("deviceKeys").EnumerateArray().Select(k => k.GetString()!)).ToHashSet();
            var marked = Enumerable.Range(1, 40).Select(i => $"CLT-{i:D7}").Except(Waiting(hub, clock)).ToHashSet();
            Assert.Equal(marked, inManifest);
        }
    }
}
