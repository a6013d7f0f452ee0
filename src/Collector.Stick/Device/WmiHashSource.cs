using System.Management;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Collector.Stick.Device;

/// <summary>
/// The real WMI source: <c>root\cimv2\mdm\dmmap</c> <c>MDM_DevDetail_Ext01</c> where
/// <c>InstanceID='Ext' AND ParentID='./DevDetail'</c> (what Get-WindowsAutopilotInfo queries),
/// and <c>Win32_BIOS.SerialNumber</c>. Windows only; the caller checks elevation first.
/// </summary>
public sealed class WmiHashSource : IWmiHashSource
{
    public WmiReading Read()
    {
        if (!OperatingSystem.IsWindows())
        {
            throw new WmiUnavailableException("WMI exists only on Windows");
        }

        return ReadOnWindows();
    }

    [SupportedOSPlatform("windows")]
    private static WmiReading ReadOnWindows()
    {
        string? hash;
        try
        {
            hash = First(@"root\cimv2\mdm\dmmap",
                "SELECT DeviceHardwareData FROM MDM_DevDetail_Ext01 WHERE InstanceID='Ext' AND ParentID='./DevDetail'",
                "DeviceHardwareData");
        }
        catch (Exception e) when (e is ManagementException or COMException or UnauthorizedAccessException or PlatformNotSupportedException or TypeInitializationException)
        {
            throw new WmiUnavailableException($"WMI's MDM_DevDetail_Ext01 could not be read ({e.Message.Trim()})", e);
        }

        string? serial = null;
        try
        {
            serial = First(@"root\cimv2", "SELECT SerialNumber FROM Win32_BIOS", "SerialNumber");
        }
        catch (Exception e) when (e is ManagementException or COMException or UnauthorizedAccessException)
        {
            // The BIOS serial only cross-checks the hash's own serial; the capture goes on without it.
        }

        return new WmiReading(hash, serial);
    }

    [SupportedOSPlatform("windows")]
    private static string? First(string scope, string query, string property)
    {
        using var searcher = new ManagementObjectSearcher(scope, query);
        using var results = searcher.Get();
        foreach (var item in results)
        {
            using (item)
            {
                return item[property]?.ToString();
            }
        }

        return null;
    }
}
