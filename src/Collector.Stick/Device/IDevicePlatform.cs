namespace Collector.Stick.Device;

/// <summary>Which kind of system <c>collect</c> runs on: it decides where the hash can come from.</summary>
public enum DeviceOs
{
    /// <summary>Not Windows: only <c>--oa3-report</c> can supply a hash (tests, a desk).</summary>
    NotWindows,

    /// <summary>Full Windows: OOBE (Shift+F10), audit mode or a running OS. WMI has the hash.</summary>
    FullWindows,

    /// <summary>WinPE (the MiniNT registry key exists): no Autopilot WMI class; oa3tool reads the hash.</summary>
    WinPE,
}

/// <summary>What the device is and may do: answered by the OS, faked in tests.</summary>
public interface IDevicePlatform
{
    DeviceOs Os { get; }

    /// <summary>True when the process runs elevated (WMI's Autopilot class needs it).</summary>
    bool IsElevated { get; }

    /// <summary>Where PCPKsp.dll is registered and rundll32.exe and shutdown.exe live (System32).</summary>
    string SystemDirectory { get; }

    /// <summary>The build of collect that runs (x64 or ARM64).</summary>
    System.Runtime.InteropServices.Architecture ProcessArchitecture { get; }

    /// <summary>The machine's architecture as Windows tells it, emulation or not (see <see cref="CollectRun"/>).</summary>
    System.Runtime.InteropServices.Architecture MachineArchitecture { get; }
}
