using System.Runtime.InteropServices;
using Collector.Core.Captures;

namespace Collector.Stick.Device;

/// <summary>
/// How collect runs on this device (<see cref="CollectArchitectures"/>), recorded with every
/// capture. The rule: the ARM64 build is <c>arm64</c>; the x64 build is <c>x64-on-arm64</c> when
/// Windows says the machine is ARM64 — <see cref="RuntimeInformation.OSArchitecture"/>, which .NET
/// reads with IsWow64Process2 and which reports Arm64 to an emulated x64 process — or when
/// Collect.cmd says so (<see cref="LauncherVariable"/>); otherwise <c>x64</c>. The launcher's word
/// counts because the script runs natively and reads PROCESSOR_ARCHITECTURE, which inside an x64
/// process says AMD64 even on ARM64; under Wine, which reports an x64 machine whatever it runs on,
/// it is the only witness. Elsewhere than Windows: not known.
/// </summary>
public static class CollectRun
{
    /// <summary>Set by Collect.cmd to the architecture it saw (PROCESSOR_ARCHITECTURE, or PROCESSOR_ARCHITEW6432 when set).</summary>
    public const string LauncherVariable = "COLLECT_DEVICE_ARCH";

    public static string Describe(DeviceOs os, Architecture process, Architecture machine, string? launcherSaw)
    {
        if (os == DeviceOs.NotWindows)
        {
            return CollectArchitectures.Unknown;
        }

        var armMachine = machine == Architecture.Arm64 || string.Equals(launcherSaw?.Trim(), "ARM64", StringComparison.OrdinalIgnoreCase);
        return process switch
        {
            Architecture.Arm64 => CollectArchitectures.Arm64,
            Architecture.X64 when armMachine => CollectArchitectures.X64OnArm64,
            Architecture.X64 => CollectArchitectures.X64,
            _ => CollectArchitectures.Unknown, // x86, never shipped: a value sync would refuse must not reach the stick
        };
    }
}
