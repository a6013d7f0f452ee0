using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Testing;

namespace Collector.Stick.Tests.Commands;

/// <summary>Which stick collect writes to without --stick: the one its executable sits on, or none.</summary>
public sealed class CaptureStickLocationTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TestStick stick = new();

    public void Dispose() => stick.Dispose();

    [Fact]
    public async Task Without_stick_the_stick_is_the_one_the_executable_sits_on()
    {
        stick.ExecutablePath = Path.Combine(stick.Root, "collector", "x64", "collect.exe");
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunOnStickAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Single(stick.Captures());
    }

    [Fact]
    public async Task Without_stick_an_executable_outside_a_stick_layout_says_to_pass_stick()
    {
        stick.ExecutablePath = stick.Scratch("collect");
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunOnStickAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("pass --stick DIR", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stick_folder_that_does_not_exist_is_refused()
    {
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunOnStickAsync("--stick", stick.Scratch("E-drive"), "--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("no such folder", result.Error, StringComparison.Ordinal);
    }
}
