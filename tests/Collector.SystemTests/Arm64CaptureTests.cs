using System.Security.Cryptography;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// An ARM64 device and a stick from a release without an ARM64 build: the stick's own Collect.cmd
/// under Wine (<c>wine64 cmd /c</c>) with <c>PROCESSOR_ARCHITECTURE=ARM64</c> set in cmd, as an
/// ARM64 Windows sets it, and Wine reporting the Windows build the test chooses. On Windows 11 the
/// x64 build captures and the row says so; on Windows 10 or in WinPE nothing runs and nothing is written.
/// </summary>
[Collection(WineCollection.Name)]
public sealed class Arm64CaptureTests : IDisposable
{
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";
    private readonly Wine wine;
    private readonly TempDirectory temp = new("collect-arm64-");

    public Arm64CaptureTests(Wine wine)
    {
        this.wine = wine;
        Release.CopyStickImage(Stick);
        var arm64 = Path.Combine(Stick, "collector", "arm64");
        if (Directory.Exists(arm64))
        {
            Directory.Delete(arm64, recursive: true); // as a release made where the feed lacks the win-arm64 runtime
        }

        Report = temp.Write("OA3.xml", Oa3Reports.For(HashBuilder.Sample(7).Build()));
    }

    private string Stick => temp.File("stick");

    private string Report { get; }

    private string Database => Path.Combine(Stick, "collector", "data", "captures.db");

    public void Dispose()
    {
        wine.LookLikeWinPE(false);
        wine.LookLikeWindowsBuild(null);
        temp.Dispose();
    }

    [Fact]
    public void On_windows_11_the_x64_build_captures_an_arm64_device_and_the_row_says_x64_on_arm64()
    {
        wine.LookLikeWindowsBuild(22621);

        var result = CollectCmd("ARM64");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SAVED - 1 device on this stick.", result.Out, StringComparison.Ordinal);
        var saved = Assert.Single(Captures());
        Assert.Equal(("CLT-0000007", CollectArchitectures.X64OnArm64), (saved.Serial, saved.CollectArchitecture));
    }

    [Fact]
    public void On_an_x64_device_the_row_says_x64()
    {
        wine.LookLikeWindowsBuild(22621);

        var result = CollectCmd("AMD64");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(CollectArchitectures.X64, Assert.Single(Captures()).CollectArchitecture);
    }

    [Theory]
    [InlineData(18362, false, "this stick has no ARM64 build, and this ARM64 device runs Windows older than 11 (build 18362)")]
    [InlineData(22621, true, "this stick has no ARM64 build, and this is WinPE, which cannot run x64 programs on ARM64")]
    public void On_windows_10_on_arm_or_in_winpe_it_exits_6_saying_to_capture_from_windows_11_oobe_and_writes_nothing(int build, bool winPE, string why)
    {
        wine.LookLikeWindowsBuild(build);
        wine.LookLikeWinPE(winPE);
        var before = Snapshot();

        var result = CollectCmd("ARM64");

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains(why, result.Out, StringComparison.Ordinal);
        Assert.Contains("Capture this device from Windows 11 OOBE (Shift+F10)", result.Out, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    /// <summary>Runs the stick's Collect.cmd in a cmd whose PROCESSOR_ARCHITECTURE is <paramref name="architecture"/>.</summary>
    private ProcessResult CollectCmd(string architecture) =>
        wine.Run(["cmd", "/c", $"set PROCESSOR_ARCHITECTURE={architecture}&& {Wine.WindowsPath(Path.Combine(Stick, "Collect.cmd"))} --oa3-report {Wine.WindowsPath(Report)} --tenant {Tenant}"]);

    private List<Capture> Captures()
    {
        using var store = StickStore.OpenExisting(Database);
        return [.. store.ReadCaptures()];
    }

    private SortedDictionary<string, string> Snapshot() =>
        new(Directory.EnumerateFiles(Stick, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(Stick, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);
}
