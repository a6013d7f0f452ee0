using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>The Linux collect on a real exFAT stick (exfat-fuse): a read-only stick and a full one.</summary>
public sealed class ExfatStickTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new("collect-exfat-test-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_write_protected_stick_is_a_storage_error_that_says_so_and_its_captures_stay_readable()
    {
        using var stick = new ExfatStick(16L * 1024 * 1024);
        var report = Report(1);
        Assert.Equal(0, Collect(stick, report).ExitCode);
        var before = Captures(stick);
        stick.Unmount();
        stick.Mount(readOnly: true);

        var result = Collect(stick, Report(2));
        var list = Programs.Run(Programs.LinuxCollect, ["list", "--stick", stick.MountPoint]);
        var verify = Programs.Run(Programs.LinuxCollect, ["verify", "--stick", stick.MountPoint]);

        Assert.True(result.ExitCode == ExitCodes.Storage, result.ToString());
        Assert.Contains("write-protected", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Captures(stick));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("CLT-0000001", list.Out, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("Integrity       ok", verify.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_write_protected_stick_without_a_database_is_a_storage_error_that_says_so()
    {
        using var stick = new ExfatStick(16L * 1024 * 1024);
        stick.Unmount();
        stick.Mount(readOnly: true);

        var result = Collect(stick, Report(2));

        Assert.True(result.ExitCode == ExitCodes.Storage, result.ToString());
        Assert.Contains("write-protected", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_stick_is_a_storage_error_that_says_so_and_its_captures_are_intact()
    {
        using var stick = new ExfatStick(16L * 1024 * 1024);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(0, Collect(stick, Report(i)).ExitCode);
        }

        var before = Captures(stick);
        stick.Fill();

        var result = Collect(stick, Report(4));

        Assert.True(result.ExitCode == ExitCodes.Storage, result.ToString());
        Assert.Contains("stick is full", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Captures(stick));
        File.Delete(Path.Combine(stick.MountPoint, "filler.bin"));
        var after = Collect(stick, Report(4));
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal(4, Captures(stick).Count);
    }

    [Fact]
    public void A_full_stick_without_a_database_is_a_storage_error_that_says_so()
    {
        using var stick = new ExfatStick(16L * 1024 * 1024);
        stick.Fill();

        var result = Collect(stick, Report(4));

        Assert.True(result.ExitCode == ExitCodes.Storage, result.ToString());
        Assert.Contains("stick is full", result.Error, StringComparison.Ordinal);
    }

    private string Report(int sample) => temp.Write($"OA3-{sample}.xml", Oa3Reports.For(HashBuilder.Sample(sample).Build()));

    private static ProcessResult Collect(ExfatStick stick, string report) =>
        Programs.Run(Programs.LinuxCollect, ["--stick", stick.MountPoint, "--oa3-report", report, "--tenant", Tenant]);

    private static List<string> Captures(ExfatStick stick)
    {
        using var store = StickStore.OpenExisting(new StickPathsOnMount(stick.MountPoint).Database);
        return store.ReadCaptures().Select(c => $"{c.StickSequence} {c.CaptureId} {c.HardwareHash}").ToList();
    }

    private sealed record StickPathsOnMount(string Root)
    {
        public string Database => Path.Combine(Root, "collector", "data", "captures.db");
    }
}
