using System.Runtime.InteropServices;
using System.Text.Json;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Stick.Device;
using Collector.Testing;

namespace Collector.Stick.Tests.Device;

/// <summary>How collect ran, as the capture records it: the rule, and the row a capture writes.</summary>
public sealed class CollectRunTests : IDisposable
{
    private readonly TestStick stick = new(DeviceOs.FullWindows);

    public void Dispose() => stick.Dispose();

    [Theory]
    [InlineData(Architecture.Arm64, Architecture.Arm64, null, CollectArchitectures.Arm64)]
    [InlineData(Architecture.X64, Architecture.Arm64, null, CollectArchitectures.X64OnArm64)]
    [InlineData(Architecture.X64, Architecture.X64, "ARM64", CollectArchitectures.X64OnArm64)]
    [InlineData(Architecture.X64, Architecture.X64, " arm64 ", CollectArchitectures.X64OnArm64)]
    [InlineData(Architecture.X64, Architecture.X64, "AMD64", CollectArchitectures.X64)]
    [InlineData(Architecture.X64, Architecture.X64, null, CollectArchitectures.X64)]
    public void The_x64_build_counts_as_emulated_when_windows_or_the_launcher_says_the_machine_is_arm64(
        Architecture process, Architecture machine, string? launcher, string expected)
    {
        Assert.Equal(expected, CollectRun.Describe(DeviceOs.FullWindows, process, machine, launcher));
        Assert.Equal(expected, CollectRun.Describe(DeviceOs.WinPE, process, machine, launcher));
    }

    [Fact]
    public void Elsewhere_than_windows_how_collect_ran_is_not_known()
    {
        Assert.Equal(CollectArchitectures.Unknown, CollectRun.Describe(DeviceOs.NotWindows, Architecture.X64, Architecture.Arm64, "ARM64"));
    }

    [Fact]
    public async Task A_capture_by_the_x64_build_on_an_arm64_windows_11_device_says_x64_on_arm64_and_list_shows_it()
    {
        stick.Platform.MachineArchitecture = Architecture.Arm64;
        stick.Wmi.Reading = new WmiReading(HashBuilder.Sample(3).Build(), null);

        var capture = await stick.RunAsync("--tenant", TestCaptures.Tenant.ToString("D"));
        var list = await stick.RunAsync("list");
        var json = await stick.RunAsync("list", "--json");

        Assert.True(capture.ExitCode == 0, capture.ToString());
        Assert.Equal(CollectArchitectures.X64OnArm64, Assert.Single(stick.Captures()).CollectArchitecture);
        Assert.Matches(@"CLT-0000003\s+.*\s+yes  x64-on-arm64", list.Out);
        Assert.Equal("x64-on-arm64", Assert.Single(JsonDocument.Parse(json.Out).RootElement.EnumerateArray()).GetProperty("collectArchitecture").GetString());
    }

    [Fact]
    public async Task Collect_cmd_s_word_is_what_tells_a_capture_under_a_host_that_hides_the_machine()
    {
        stick.Environment[CollectRun.LauncherVariable] = "ARM64";
        stick.Wmi.Reading = new WmiReading(HashBuilder.Sample(4).Build(), null);

        var capture = await stick.RunAsync("--tenant", TestCaptures.Tenant.ToString("D"));

        Assert.True(capture.ExitCode == 0, capture.ToString());
        Assert.Equal(CollectArchitectures.X64OnArm64, Assert.Single(stick.Captures()).CollectArchitecture);
    }

    [Fact]
    public void A_build_of_another_architecture_is_recorded_as_not_known_which_sync_accepts()
    {
        var described = CollectRun.Describe(DeviceOs.FullWindows, Architecture.X86, Architecture.X64, null);

        Assert.Equal(CollectArchitectures.Unknown, described);
        Assert.Contains(described, CollectArchitectures.All);
    }
}
