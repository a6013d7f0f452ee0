namespace Collector.Stick.Device;

/// <summary>What WMI said: the hash (MDM_DevDetail_Ext01) and the BIOS serial (Win32_BIOS) for the cross-check.</summary>
public sealed record WmiReading(string? HardwareHash, string? BiosSerial);

/// <summary>
/// Reads the hash through WMI on full Windows. WMI's Autopilot class (MDM_DevDetail_Ext01) is the
/// one part of a capture that nothing real can answer in a test (Wine's WMI has root\cimv2 but no
/// MDM namespace), so unit tests hand-write a fake; the system tests run the real COM path under Wine.
/// </summary>
public interface IWmiHashSource
{
    /// <summary>Throws <see cref="WmiUnavailableException"/> when WMI cannot answer.</summary>
    WmiReading Read();
}

/// <summary>WMI could not be asked, or did not answer: the message says why in plain words.</summary>
public sealed class WmiUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
