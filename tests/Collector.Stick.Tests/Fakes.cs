using Collector.Stick.Device;

namespace Collector.Stick.Tests;

/// <summary>A device the test describes: which OS, elevated or not, and where its System32 is.</summary>
public sealed class FakePlatform(DeviceOs os, string systemDirectory) : IDevicePlatform
{
    public DeviceOs Os { get; set; } = os;

    public bool IsElevated { get; set; } = true;

    public string SystemDirectory { get; } = systemDirectory;

    public System.Runtime.InteropServices.Architecture ProcessArchitecture { get; set; } = System.Runtime.InteropServices.Architecture.X64;

    public System.Runtime.InteropServices.Architecture MachineArchitecture { get; set; } = System.Runtime.InteropServices.Architecture.X64;
}

/// <summary>WMI as the test wants it to answer: a reading, or a failure. Counts the questions.</summary>
public sealed class FakeWmi : IWmiHashSource
{
    public WmiReading? Reading { get; set; }

    public string? Failure { get; set; } = "WMI is not available in this test";

    public int Calls { get; private set; }

    public WmiReading Read()
    {
        Calls++;
        return Reading ?? throw new WmiUnavailableException(Failure!);
    }
}
