using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Inputs;

namespace Collector.Stick.Device;

/// <summary>A hash as read from the device, before validation.</summary>
/// <param name="BiosSerial">Win32_BIOS's serial, for the cross-check; null when not read.</param>
/// <param name="Notes">What the technician should know about how it was read.</param>
public sealed record HashReading(string Base64, string Method, string? BiosSerial, IReadOnlyList<string> Notes);

/// <summary>
/// Finds the hash in the design's order (section 3): <c>--oa3-report FILE</c>; WMI on full
/// Windows (elevated); oa3tool from the stick in WinPE or when WMI failed; otherwise exit 6
/// saying what to do.
/// </summary>
public sealed class HashReader(IDevicePlatform platform, IWmiHashSource wmi, IProcessRunner processes)
{
    public async Task<HashReading> ReadAsync(string? oa3Report, StickPaths stick, TimeSpan oa3ToolTimeout, CancellationToken cancellationToken)
    {
        if (oa3Report is not null)
        {
            return new HashReading(Oa3Report.ReadHash(oa3Report), CaptureMethods.Oa3Report, null, []);
        }

        var oa3Tool = new Oa3Tool(platform, processes);
        var haveOa3Tool = Oa3Tool.IsPresent(stick.Tools);
        switch (platform.Os)
        {
            case DeviceOs.WinPE when haveOa3Tool:
                var registered = await oa3Tool.RegisterPcpKspAsync(stick.Tools, cancellationToken).ConfigureAwait(false);
                return await FromOa3ToolAsync(oa3Tool, stick, oa3ToolTimeout, registered is null ? [] : [registered], cancellationToken).ConfigureAwait(false);

            case DeviceOs.WinPE:
                throw new NoHashException(
                    $"this is WinPE, which has no Autopilot WMI class: copy oa3tool.exe (Windows ADK) into {stick.Tools}, or boot the device to OOBE and run from Shift+F10");

            case DeviceOs.FullWindows when !platform.IsElevated:
                throw new NoHashException(
                    "not running as administrator, and reading the hash needs it: run from Shift+F10 in OOBE (that prompt is elevated) or from an elevated Command Prompt");

            case DeviceOs.FullWindows:
                string problem;
                try
                {
                    var reading = wmi.Read();
                    if (!string.IsNullOrWhiteSpace(reading.HardwareHash))
                    {
                        return new HashReading(reading.HardwareHash, CaptureMethods.Wmi, reading.BiosSerial, []);
                    }

                    // An empty hash is an error, never a record (design section 3).
                    problem = "WMI's MDM_DevDetail_Ext01 gave no hash";
                }
                catch (WmiUnavailableException e)
                {
                    problem = e.Message;
                }

                return haveOa3Tool
                    ? await FromOa3ToolAsync(oa3Tool, stick, oa3ToolTimeout, [$"{problem}; read it with oa3tool.exe instead"], cancellationToken).ConfigureAwait(false)
                    : throw new NoHashException(
                        $"{problem}: run from Shift+F10 in OOBE on this device, or copy oa3tool.exe (Windows ADK) into {stick.Tools} so collect can read the hash another way");

            default:
                throw new NoHashException(
                    "no hardware hash can be read here: collect reads it on the device itself, in Windows (OOBE, Shift+F10) or WinPE; elsewhere pass --oa3-report FILE");
        }
    }

    private static async Task<HashReading> FromOa3ToolAsync(
        Oa3Tool tool, StickPaths stick, TimeSpan timeout, IReadOnlyList<string> notes, CancellationToken cancellationToken)
    {
        var hash = await tool.ReadHashAsync(stick.Tools, timeout, cancellationToken).ConfigureAwait(false);
        return new HashReading(hash, CaptureMethods.Oa3Tool, null, notes);
    }
}
