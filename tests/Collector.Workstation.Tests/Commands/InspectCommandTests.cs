using System.Text;
using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Testing;

namespace Collector.Workstation.Tests.Commands;

public sealed class InspectCommandTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_valid_hash_is_shown_in_plain_words_and_exits_0()
    {
        var hash = new HashBuilder { Serial = "CLT-4242", Tpm = false }.Build();

        var result = await Cli.RunAsync("inspect", hash);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Hash (argument): valid", result.Out, StringComparison.Ordinal);
        Assert.Contains("Serial        CLT-4242", result.Out, StringComparison.Ordinal);
        Assert.Contains("Make, model   Contoso, Contoso Book 14", result.Out, StringComparison.Ordinal);
        Assert.Contains("TPM           no", result.Out, StringComparison.Ordinal);
        Assert.Contains("Warning       no TPM data", result.Out, StringComparison.Ordinal);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Json_prints_one_object_per_hash_with_exactly_the_contract_names()
    {
        var builder = HashBuilder.Sample(5);
        var hash = builder.Build();

        var result = await Cli.RunAsync("inspect", hash, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var item = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(
            ["serial", "manufacturer", "model", "smbiosUuid", "tpm", "nicCount", "productKeyId", "bytes", "checksumValid", "valid", "flags", "deviceKey", "padded"],
            item.EnumerateObject().Select(p => p.Name));
        Assert.Equal("CLT-0000005", item.GetProperty("serial").GetString());
        Assert.Equal(builder.SmbiosUuid!.Value.ToString("D"), item.GetProperty("smbiosUuid").GetString());
        Assert.True(item.GetProperty("tpm").GetBoolean());
        Assert.Equal(2, item.GetProperty("nicCount").GetInt32());
        Assert.Equal(3000, item.GetProperty("bytes").GetInt32());
        Assert.True(item.GetProperty("valid").GetBoolean());
        Assert.Equal("CLT-0000005", item.GetProperty("deviceKey").GetString());
        Assert.True(item.GetProperty("padded").GetBoolean());
    }

    [Fact]
    public async Task An_unpadded_hash_is_valid_and_json_says_it_came_unpadded()
    {
        var padded = new HashBuilder { Length = 2998 }.Build();

        var json = await Cli.RunAsync("inspect", padded.TrimEnd('='), "--json");
        var plain = await Cli.RunAsync("inspect", padded.TrimEnd('='));

        Assert.Equal(0, json.ExitCode);
        var item = Assert.Single(JsonDocument.Parse(json.Out).RootElement.EnumerateArray());
        Assert.False(item.GetProperty("padded").GetBoolean());
        Assert.True(item.GetProperty("valid").GetBoolean());
        Assert.Equal(2998, item.GetProperty("bytes").GetInt32());
        Assert.Equal([HashFlags.Truncated, HashFlags.UnpaddedInput], item.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("Note          the hash came unpadded", plain.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, "leave one over a whole number of base64 quads")]
    [InlineData(-1, "'=' at position 101")]
    public async Task A_hash_one_character_over_whole_quads_or_with_a_stray_equals_sign_exits_2(int cut, string why)
    {
        var text = new HashBuilder().Build();
        var bad = cut > 0 ? text[..^cut] : text[..100] + "=" + text[101..];

        var result = await Cli.RunAsync("inspect", bad);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(why, result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_csv_with_one_bad_row_exits_2_and_says_which_and_why()
    {
        var good = HashBuilder.Sample(1).Build();
        var bad = HashBuilder.Sample(2).BuildBytes();
        bad[50] ^= 0xFF;
        var csv = $"Device Serial Number,Windows Product ID,Hardware Hash\r\nCLT-0000001,,{good}\r\nCLT-0000002,,{Convert.ToBase64String(bad)}\r\n";
        var path = temp.Write("AutopilotHWID.csv", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(csv)]);

        var result = await Cli.RunAsync("inspect", path, "--json");

        Assert.Equal(2, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal([true, false], json.RootElement.EnumerateArray().Select(e => e.GetProperty("valid").GetBoolean()));
        Assert.Equal(["checksum-bad"], json.RootElement[1].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("line 3: invalid: the checksum does not match", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_csv_row_whose_serial_differs_from_the_hash_is_flagged()
    {
        var csv = $"Device Serial Number,Windows Product ID,Hardware Hash\r\nTYPO-1,,{HashBuilder.Sample(1).Build()}\r\n";
        var path = temp.Write("devices.csv", csv);

        var result = await Cli.RunAsync("inspect", path, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("CLT-0000001", json.RootElement[0].GetProperty("serial").GetString());
        Assert.Contains("serial-mismatch", json.RootElement[0].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task An_invalid_hash_exits_2_with_the_reason_in_plain_words()
    {
        var result = await Cli.RunAsync("inspect", "T0FB&&&&");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("INVALID", result.Out, StringComparison.Ordinal);
        Assert.Contains("not base64: '&' at position 5", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dtd")]
    [InlineData("no-hash-xml")]
    [InlineData("no-hash-column")]
    [InlineData("binary")]
    [InlineData("huge")]
    [InlineData("missing")]
    public async Task Bad_files_give_one_line_on_stderr_and_exit_2(string kind)
    {
        var path = kind switch
        {
            "dtd" => temp.Write("a.xml", "<?xml version=\"1.0\"?><!DOCTYPE Key [<!ENTITY e \"x\">]><Key><HardwareHash>&e;</HardwareHash></Key>"),
            "no-hash-xml" => temp.Write("b.xml", "<Key><ProductKey>X</ProductKey></Key>"),
            "no-hash-column" => temp.Write("c.csv", "Device Serial Number,Windows Product ID\r\nA,\r\n"),
            "binary" => temp.Write("d.bin", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0x0D]),
            "huge" => temp.Write("e.txt", new string('A', 10 * 1024 * 1024)),
            _ => temp.File("nope.txt"),
        };

        var result = await Cli.RunAsync("inspect", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("collector: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_argument_is_a_usage_error()
    {
        var result = await Cli.RunAsync("inspect");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Required argument missing", result.Error, StringComparison.Ordinal);
    }
}
