namespace Collector.Stick.Device;

/// <summary>What WMI said: the hash (MDM_DevDetail_Ext01) and the BIOS serial (Win32_BIOS) for the cross-check.</summary>
public sealed record WmiReading(string? HardwareHash, string? BiosSerial);

/// <summary>
/// Reads the hash through WMI on full Windows. The one part of a capture that nothing real can
/// answer in a test (System.Management does not work under Wine), so tests hand-write a fake.
/// </summary>
public interface IWmiHashSource
{
    /// <summary>Throws <see cref="WmiUnavailableException"/> when WMI cannot answer.</summary>
    WmiReading Read();
}

/// <summary>WMI could not be asked, or did not answer: the message says why in plain words.</summary>
public sealed class WmiUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
