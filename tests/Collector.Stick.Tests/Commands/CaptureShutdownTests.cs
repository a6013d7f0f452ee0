using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Stick.Device;
using Collector.Testing;

namespace Collector.Stick.Tests.Commands;

/// <summary>collect --shutdown / --reboot: run only after the capture is saved, and never undo it.</summary>
public sealed class CaptureShutdownTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TestStick stick = new();

    public void Dispose() => stick.Dispose();

    [Theory]
    [InlineData("--shutdown", "/s /t 0")]
    [InlineData("--reboot", "/r /t 0")]
    public async Task Shutdown_and_reboot_run_after_the_capture_is_saved(string option, string arguments)
    {
        stick.Platform.Os = DeviceOs.FullWindows;
        var log = stick.Scratch("shutdown.log");
        // The stand-in records whether the capture was already committed when it ran.
        stick.WriteProgram(Path.Combine(stick.SystemDirectory, "shutdown.exe"),
            $"echo \"$*\" > '{log}'\nls '{stick.Paths.Database}' >> '{log}'\n");
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, option);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([arguments, stick.Paths.Database], File.ReadAllLines(log));
        Assert.Contains("the capture is saved", result.Error, StringComparison.Ordinal);
        Assert.Single(stick.Captures());
    }

    [Theory]
    [InlineData("--shutdown", "shutdown")]
    [InlineData("--reboot", "reboot")]
    public async Task In_winpe_shutdown_and_reboot_go_through_wpeutil(string option, string argument)
    {
        stick.Platform.Os = DeviceOs.WinPE;
        var log = stick.Scratch("wpeutil.log");
        stick.WriteProgram(Path.Combine(stick.SystemDirectory, "wpeutil.exe"), $"echo \"$*\" > '{log}'\n");
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, option);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([argument], File.ReadAllLines(log));
        Assert.Single(stick.Captures());
    }

    [Fact]
    public async Task A_failing_shutdown_is_reported_and_the_capture_stays_saved()
    {
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.WriteProgram(Path.Combine(stick.SystemDirectory, "shutdown.exe"), "exit 5\n");
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, "--shutdown");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--shutdown failed (shutdown.exe exit code 5)", result.Error, StringComparison.Ordinal);
        Assert.Single(stick.Captures());
    }

    [Fact]
    public async Task Shutdown_elsewhere_than_windows_is_not_supported_but_the_capture_is_saved()
    {
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, "--shutdown");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--shutdown is not supported on this system", result.Error, StringComparison.Ordinal);
        Assert.Single(stick.Captures());
    }

    [Fact]
    public async Task Shutdown_and_reboot_together_are_a_usage_error()
    {
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, "--shutdown", "--reboot");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("exclude each other", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }
}
