using System.Text;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

/// <summary>import against files that are broken or built to hurt: every physical line is accounted for.</summary>
public sealed class ImportHostileFileTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);
    private readonly string hub;

    public ImportHostileFileTests() => hub = temp.File("hub.db");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task An_unterminated_quote_loses_its_own_line_only_and_the_valid_rows_after_it_are_read()
    {
        var lines = new List<string> { Header3, CsvLine(HashBuilder.Sample(1)), $"\"CLT-0000002,,{HashBuilder.Sample(2).Build()}" };
        lines.AddRange(Enumerable.Range(3, 5).Select(i => CsvLine(HashBuilder.Sample(i))));
        var file = temp.Write("broken.csv", string.Join("\r\n", lines) + "\r\n");

        var result = await RunAsync(clock, "import", file, "--tenant", Tenant, "--hub", hub);

        AssertExit(5, result);
        Assert.Contains($"{file}:3: rejected: an unbalanced double quote", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}: 7 row(s): 6 new, 0 already in the hub, 1 not imported", result.Out, StringComparison.Ordinal);
        Assert.Equal(["CLT-0000001", "CLT-0000003", "CLT-0000004", "CLT-0000005", "CLT-0000006", "CLT-0000007"], Newest());
    }

    [Fact]
    public async Task A_quoted_file_whose_values_hold_commas_in_quotes_still_reads()
    {
        var partner = "Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model";
        var file = temp.Write("partner.csv",
            $"{partner}\r\n\"CLT-0000001\",\"\",\"{HashBuilder.Sample(1).Build()}\",\"Micro-Star International Co., Ltd.\",\"MS-7C02\"\r\n");

        var result = await RunAsync(clock, "import", file, "--tenant", Tenant, "--hub", hub);

        AssertExit(0, result);
        Assert.Equal(["CLT-0000001"], Newest());
    }

    [Fact]
    public async Task A_line_over_the_limit_is_refused_with_its_number_and_the_rest_is_read()
    {
        var file = temp.File("huge.csv");
        using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            writer.Write($"{Header3}\r\n{CsvLine(HashBuilder.Sample(1))}\r\nCLT-0000002,,");
            var chunk = new string('A', 1 << 20);
            for (var i = 0; i < 17; i++)
            {
                writer.Write(chunk);
            }

            writer.Write($"\r\n{CsvLine(HashBuilder.Sample(3))}\r\n");
        }

        var result = await RunAsync(clock, "import", file, "--tenant", Tenant, "--hub", hub);

        AssertExit(5, result);
        Assert.Contains($"{file}:3: rejected: the line is 17,825,805 characters long", result.Error, StringComparison.Ordinal);
        Assert.Equal(["CLT-0000001", "CLT-0000003"], Newest());
    }

    [Theory]
    [InlineData("=1+2", "begins with '='")]
    [InlineData("+SUM(A1)", "begins with '+'")]
    [InlineData("@cmd", "begins with '@'")]
    [InlineData("-2+3", "begins with '-'")]
    public async Task A_group_tag_a_spreadsheet_would_run_as_a_formula_is_rejected(string tag, string reason)
    {
        var file = temp.Write("tags.csv", $"{Header3},Group Tag\r\n{CsvLine(HashBuilder.Sample(1), null, tag)}\r\n{CsvLine(HashBuilder.Sample(2), null, "Sales")}\r\n");

        var result = await RunAsync(clock, "import", file, "--tenant", Tenant, "--hub", hub);

        AssertExit(5, result);
        Assert.Contains($"{file}:2: rejected: group tag '{tag}' {reason}", result.Error, StringComparison.Ordinal);
        Assert.Equal(["CLT-0000002"], Newest());
    }

    [Fact]
    public async Task A_serial_column_holding_control_characters_is_shown_escaped()
    {
        var file = temp.Write("evil.csv", $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1), "X\u001b]0;owned\u0007")}\r\n");

        var result = await RunAsync(clock, "import", file, "--tenant", Tenant, "--hub", hub);

        AssertExit(0, result);
        Assert.Contains(@"the serial column says 'X\x1b]0;owned\x07'", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Out + result.Error, c => DisplayText.IsUnsafe(c) && c is not '\n' and not '\r');
    }

    [Fact]
    public async Task A_folder_given_as_a_file_is_called_a_folder()
    {
        var folder = temp.File("csvs");
        Directory.CreateDirectory(folder);

        var result = await RunAsync(clock, "import", folder, "--tenant", Tenant, "--hub", hub);

        AssertExit(2, result);
        Assert.Contains($"{folder} is a folder, not a file", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_all_zero_tenant_is_called_empty_not_malformed()
    {
        var file = temp.Write("ok.csv", $"{Header3}\r\n{CsvLine(HashBuilder.Sample(1))}\r\n");

        var result = await RunAsync(clock, "import", file, "--tenant", Guid.Empty.ToString("D"), "--hub", hub);

        AssertExit(2, result);
        Assert.Contains("is the empty GUID, not a tenant", result.Error, StringComparison.Ordinal);
    }

    private List<string> Newest()
    {
        using var store = HubStore.Open(hub, clock, readOnly: true);
        return [.. store.NewestCaptures().Select(c => c.Capture.DeviceKey)];
    }
}
