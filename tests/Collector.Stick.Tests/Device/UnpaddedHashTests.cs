using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Stick.Device;
using Collector.Testing;

namespace Collector.Stick.Tests.Device;

/// <summary>
/// Hashes as devices give them: unpadded base64 (Microsoft's troubleshooting guide), from every
/// source collect reads — WMI, an OA3 report with the hash wrapped over lines, oa3tool — are saved
/// as the canonical padded base64 of their bytes and flagged; a text no byte length gives is refused.
/// </summary>
public sealed class UnpaddedHashTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TestStick stick = new();

    public UnpaddedHashTests() => Directory.CreateDirectory(stick.Paths.Tools);

    public void Dispose() => stick.Dispose();

    /// <summary>Builder hashes whose length needs one '=' (2,999 bytes) and two (2,998 bytes).</summary>
    public static TheoryData<int> Lengths => [2999, 2998];

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task An_unpadded_hash_from_wmi_is_saved_padded_and_flagged(int length)
    {
        var builder = new HashBuilder { Length = length, Serial = "WMI-0001" };
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Reading = new WmiReading(Unpadded(builder), "WMI-0001");

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.True(result.ExitCode == 0, result.ToString());
        var saved = Assert.Single(stick.Captures());
        Assert.Equal(CaptureMethods.Wmi, saved.Method);
        Assert.Equal(builder.Build(), saved.HardwareHash);
        Assert.Equal(builder.BuildBytes(), Convert.FromBase64String(saved.HardwareHash));
        Assert.Equal([HashFlags.Truncated, HashFlags.UnpaddedInput], saved.Flags);
        Assert.Contains($"  Note         {HashFlags.Describe(HashFlags.UnpaddedInput)}", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task An_oa3_report_with_an_unpadded_hash_wrapped_over_lines_is_saved_padded(int length)
    {
        var builder = new HashBuilder { Length = length };
        var wrapped = "\r\n    " + string.Join("\r\n    ", Unpadded(builder).Chunk(76).Select(c => new string(c))) + "\r\n  ";
        var report = stick.WriteReportText(Oa3Reports.For(wrapped));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.True(result.ExitCode == 0, result.ToString());
        var saved = Assert.Single(stick.Captures());
        Assert.Equal(builder.Build(), saved.HardwareHash);
        Assert.Contains(HashFlags.UnpaddedInput, saved.Flags);
    }

    [Fact]
    public async Task An_unpadded_hash_in_the_report_oa3tool_writes_is_saved_padded()
    {
        var builder = new HashBuilder { Length = 2998, Serial = "PE-0001" };
        stick.Platform.Os = DeviceOs.WinPE;
        File.WriteAllText(Path.Combine(stick.Paths.Tools, "report.xml"), Oa3Reports.For(Unpadded(builder)));
        stick.WriteProgram(Path.Combine(stick.Paths.Tools, "oa3tool.exe"), $"cp '{Path.Combine(stick.Paths.Tools, "report.xml")}' OA3.xml\n");

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.True(result.ExitCode == 0, result.ToString());
        var saved = Assert.Single(stick.Captures());
        Assert.Equal((CaptureMethods.Oa3Tool, builder.Build()), (saved.Method, saved.HardwareHash));
    }

    [Theory]
    [InlineData("one over", "leave one over a whole number of base64 quads")]
    [InlineData("stray equals", "'=' at position 41, where only the end may carry padding")]
    [InlineData("three equals", "padding is at most two")]
    public async Task A_hash_no_byte_length_gives_exits_2_and_saves_nothing(string fault, string why)
    {
        stick.Seed(1);
        var before = stick.DatabaseDigest();
        var text = new HashBuilder { Length = 2999 }.Build(); // 4,000 characters ending in one '='
        var bad = fault switch
        {
            "one over" => text[..^4] + "A",
            "stray equals" => text[..40] + "=" + text[41..],
            _ => text[..^1] + "===",
        };
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Reading = new WmiReading(bad, null);

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("(wmi) fails validation: the hash is not base64", result.Error, StringComparison.Ordinal);
        Assert.Contains(why, result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was saved", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    private static string Unpadded(HashBuilder builder) => builder.Build().TrimEnd('=');
}
