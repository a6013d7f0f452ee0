using System.Runtime.Versioning;

namespace Collector.Stick.Device;

/// <summary>
/// The real WMI source, through WMI's COM API (<see cref="WmiSession"/>): <c>root\cimv2\mdm\dmmap</c>
/// <c>MDM_DevDetail_Ext01</c> where <c>InstanceID='Ext' AND ParentID='./DevDetail'</c> (what
/// Get-WindowsAutopilotInfo queries), and <c>Win32_BIOS.SerialNumber</c> from <c>root\cimv2</c>.
/// Windows only; the caller checks elevation first.
/// </summary>
public sealed class WmiHashSource : IWmiHashSource
{
    public const string MdmNamespace = @"root\cimv2\mdm\dmmap";
    public const string HashQuery = "SELECT DeviceHardwareData FROM MDM_DevDetail_Ext01 WHERE InstanceID='Ext' AND ParentID='./DevDetail'";
    public const string HashProperty = "DeviceHardwareData";
    public const string BiosNamespace = @"root\cimv2";
    public const string SerialQuery = "SELECT SerialNumber FROM Win32_BIOS";
    public const string SerialProperty = "SerialNumber";

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
        WmiSession session;
        try
        {
            session = WmiSession.Open();
        }
        catch (WmiQueryException e)
        {
            throw new WmiUnavailableException($"WMI cannot be used on this device: {e.Message}", e);
        }

        using (session)
        {
            string? hash;
            try
            {
                hash = session.QueryFirst(MdmNamespace, HashQuery, HashProperty);
            }
            catch (WmiQueryException e)
            {
                throw new WmiUnavailableException(Explain(e), e);
            }

            string? serial = null;
            try
            {
                serial = session.QueryFirst(BiosNamespace, SerialQuery, SerialProperty);
            }
            catch (WmiQueryException)
            {
                // The BIOS serial only cross-checks the hash's own serial; the capture goes on without it.
            }

            return new WmiReading(hash, serial);
        }
    }

    private static string Explain(WmiQueryException e) =>
        WmiErrors.IsMissing(e.HResult)
            ? $"this Windows has no Autopilot WMI class: {e.Message}"
            : WmiErrors.IsAccessDenied(e.HResult)
                ? $"WMI refused to give the hash ({e.Message}); it needs an elevated prompt"
                : $"WMI's MDM_DevDetail_Ext01 could not be read: {e.Message}";
}
