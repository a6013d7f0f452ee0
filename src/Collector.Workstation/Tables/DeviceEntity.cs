using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tables;

/// <summary>
/// One device as an Azure Table entity (design section 5). PartitionKey = tenant id (lower-case
/// D format), RowKey = device key, percent-encoded where the service forbids characters. The
/// first five property names are the seed script's, so tables it filled stay usable.
/// </summary>
public static class DeviceEntity
{
    public const string SerialNumber = "Device_Serial_Number";
    public const string ProductId = "Windows_Product_ID";
    public const string HardwareHash = "Hardware_Hash";
    public const string GroupTag = "Group_Tag";
    public const string AssignedUser = "Assigned_User";
    public const string Manufacturer = "Manufacturer";
    public const string Model = "Model";
    public const string SmbiosUuid = "Smbios_Uuid";
    public const string TpmPresent = "Tpm_Present";
    public const string CapturedAt = "Captured_At";
    public const string Technician = "Technician";
    public const string Site = "Site";
    public const string CaptureId = "Capture_Id";
    public const string StickId = "Stick_Id";
    public const string CaptureMethod = "Capture_Method";
    public const string CollectorVersion = "Collector_Version";
    public const string Flags = "Flags";

    /// <summary>How collect ran on the device (arm64, x64-on-arm64, x64; empty when not known). Rows written before it lack it.</summary>
    public const string CollectArchitecture = "Collect_Architecture";
    public const string ExportedAt = "Exported_At";
    public const string ExportBatch = "Export_Batch";

    // Export marks of the formats after the Autopilot CSV (collector export --format), so a
    // device exported one way still waits for the other; Exported_At/Export_Batch stay the
    // Autopilot CSV's, as the seed and every earlier export meant them.
    public const string IdentifiersExportedAt = "Identifiers_Exported_At";
    public const string IdentifiersExportBatch = "Identifiers_Export_Batch";
    public const string PartnerExportedAt = "Partner_Exported_At";
    public const string PartnerExportBatch = "Partner_Export_Batch";

    // Merged in by collector register: the outcome for the capture the row holds (a sync that
    // replaces the row with a newer capture drops them with the rest).
    public const string RegistrationState = "Registration_State";
    public const string RegistrationError = "Registration_Error";
    public const string RegisteredAt = "Registered_At";

    /// <summary>Keys above this many UTF-16 characters are refused (1 KiB; Azurite enforces 512 chars).</summary>
    public const int MaxKeyLength = 512;

    /// <summary>String properties above this many characters are refused (64 KiB of UTF-16); collect holds a capture's names to it too.</summary>
    public const int MaxStringLength = Core.Captures.CaptureRules.MaxTextLength;

    public static string PartitionKey(Guid tenant) => tenant.ToString("D");

    /// <summary>The properties that mark a row exported as <paramref name="format"/> (an <c>export --format</c> value).</summary>
    public static (string At, string Batch) ExportMarks(string format) => format switch
    {
        "identifiers" => (IdentifiersExportedAt, IdentifiersExportBatch),
        "partner" => (PartnerExportedAt, PartnerExportBatch),
        _ => (ExportedAt, ExportBatch),
    };

    /// <summary>
    /// Percent-encodes <c>%</c>, <c>/</c>, <c>\</c>, <c>#</c>, <c>?</c> and control characters
    /// (U+0000–U+001F, U+007F–U+009F), the characters the service forbids in keys; nothing else.
    /// </summary>
    public static string EncodeRowKey(string deviceKey)
    {
        var builder = new StringBuilder(deviceKey.Length + 8);
        foreach (var c in deviceKey)
        {
            if (c is '%' or '/' or '\\' or '#' or '?' || c <= '\u001F' || c is >= '\u007F' and <= '\u009F')
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The device key a RowKey stands for: the inverse of <see cref="EncodeRowKey"/>, each
    /// <c>%XX</c> back to the one character it stood for (not UTF-8 decoding: U+0080–U+009F are
    /// encoded as single <c>%8X</c>/<c>%9X</c>). Seed rows hold the raw serial and read the same way.
    /// </summary>
    public static string DecodeRowKey(string rowKey)
    {
        if (!rowKey.Contains('%', StringComparison.Ordinal))
        {
            return rowKey;
        }

        var builder = new StringBuilder(rowKey.Length);
        for (var i = 0; i < rowKey.Length; i++)
        {
            if (rowKey[i] == '%' && i + 2 < rowKey.Length
                && int.TryParse(rowKey.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                builder.Append((char)code);
                i += 2;
            }
            else
            {
                builder.Append(rowKey[i]);
            }
        }

        return builder.ToString();
    }

    /// <summary>The entity for a device's newest capture, with every property the design lists.</summary>
    public static TableEntity From(HubCapture hubCapture)
    {
        var c = hubCapture.Capture;
        return new TableEntity(PartitionKey(c.TenantId), EncodeRowKey(c.DeviceKey))
        {
            [SerialNumber] = c.Serial,
            [ProductId] = "",
            [HardwareHash] = c.HardwareHash,
            [GroupTag] = c.GroupTag,
            [AssignedUser] = c.AssignedUser,
            [Manufacturer] = c.Manufacturer,
            [Model] = c.Model,
            [SmbiosUuid] = c.SmbiosUuid?.ToString("D") ?? "",
            [TpmPresent] = c.TpmPresent,
            [CapturedAt] = hubCapture.EffectiveAt.UtcDateTime,
            [Technician] = c.Technician,
            [Site] = c.Site,
            [CaptureId] = c.CaptureId.ToString("D"),
            [StickId] = c.StickId.ToString("D"),
            [CaptureMethod] = c.Method,
            [CollectorVersion] = c.CollectorVersion,
            [Flags] = string.Join(',', c.Flags),
            [CollectArchitecture] = c.CollectArchitecture,
        };
    }
}
