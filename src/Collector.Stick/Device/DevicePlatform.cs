using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Principal;
using Microsoft.Win32;

namespace Collector.Stick.Device;

/// <summary>The real platform: the OS, the MiniNT registry key and the process token.</summary>
public sealed class DevicePlatform : IDevicePlatform
{
    /// <summary>WinPE's marker (design section 3): present only when booted into Windows PE.</summary>
    public const string WinPEKey = @"SYSTEM\CurrentControlSet\Control\MiniNT";

    public DeviceOs Os { get; } = OperatingSystem.IsWindows() ? (IsWinPE() ? DeviceOs.WinPE : DeviceOs.FullWindows) : DeviceOs.NotWindows;

    public bool IsElevated => OperatingSystem.IsWindows() && IsAdministrator();

    public string SystemDirectory => Environment.SystemDirectory;

    public Architecture ProcessArchitecture => RuntimeInformation.ProcessArchitecture;

    // .NET 7 and later read this with IsWow64Process2: Arm64 for an x64 process emulated on ARM64.
    public Architecture MachineArchitecture => RuntimeInformation.OSArchitecture;

    [SupportedOSPlatform("windows")]
    private static bool IsWinPE()
    {
        using var key = Registry.LocalMachine.OpenSubKey(WinPEKey);
        return key is not null;
    }

    [SupportedOSPlatform("windows")]
    private static bool IsAdministrator()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return new WindowsPrincipal(identity).IsInRole(WindowsBuiltInRole.Administrator);
    }
}
