using System.Security.Cryptography;
using System.Text;

namespace Collector.Core.Hashing;

/// <summary>
/// How a device is told apart from another (design section 2, "Device identity"). Two captures
/// of one device differ byte for byte, so never compare raw hashes: a device is its tenant, the
/// serial in record 14 and its SMBIOS UUID. The placeholder list lives here and only here.
/// </summary>
public static class DeviceIdentity
{
    public const string UuidKeyPrefix = "uuid:";
    public const string HardwareKeyPrefix = "hwid:";
    public const char CollisionSeparator = '~';

    // Compared after trimming, upper-casing and dropping trailing dots ("To be filled by O.E.M."
    // and "To be filled by O.E.M" are one entry). The strings OEMs leave in SMBIOS serial fields,
    // as the blocklists of public inventory tools list them; some manufacturers also ship one
    // serial on several machines (https://github.com/fleetdm/fleet/issues/51180).
    private static readonly HashSet<string> Placeholders = new(StringComparer.Ordinal)
    {
        "TO BE FILLED BY O.E.M", "TO BE FILLED BY OEM", "DEFAULT STRING", "SYSTEM SERIAL NUMBER",
        "CHASSIS SERIAL NUMBER", "BASE BOARD SERIAL NUMBER", "NOT SPECIFIED", "NOT APPLICABLE",
        "NONE", "N/A", "NA", "UNKNOWN", "INVALID", "EMPTY", "<BAD INDEX>", "NULL", "SERIAL",
        "0123456789", "123456789", "1234567890", "0123456789ABCDEF", "OEM", "O.E.M",
    };

    /// <summary>True for an empty serial or one an OEM left as a placeholder.</summary>
    public static bool IsPlaceholderSerial(string? serial)
    {
        var s = Normalise(serial);
        if (s.Length == 0)
        {
            return true;
        }

        if (Placeholders.Contains(s) || s.StartsWith("SMBIOS_STRING_INDEX_", StringComparison.Ordinal))
        {
            return true;
        }

        // "0", "00000000", "XXXXXXXXXXXX", "................": one character repeated.
        return s.AsSpan().TrimStart(s[0]).IsEmpty;
    }

    /// <summary>
    /// The key a device is deduplicated by and stored under (RowKey before encoding): the trimmed
    /// serial, or <c>uuid:&lt;smbios uuid&gt;</c> when the serial is empty or a placeholder.
    /// </summary>
    public static string KeyFor(HardwareHash hash)
    {
        if (!IsPlaceholderSerial(hash.Serial))
        {
            return hash.Serial.Trim();
        }

        if (hash.SmbiosUuid is { } uuid)
        {
            return UuidKeyPrefix + uuid.ToString("D");
        }

        // No serial and no UUID record: a real hash always carries record 12, so this is rare.
        // Key by what stays the same across captures of one machine.
        var identity = string.Join('|', hash.Manufacturer, hash.Model, hash.DiskSerial, string.Join(',', hash.MacAddresses));
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        return HardwareKeyPrefix + Convert.ToHexStringLower(digest.AsSpan(0, 16));
    }

    /// <summary>The key of the later of two devices that share a serial but not a UUID.</summary>
    public static string CollisionKey(string serialKey, Guid? uuid) =>
        $"{serialKey}{CollisionSeparator}{(uuid ?? Guid.Empty).ToString("D")}";

    /// <summary>The key without the collision suffix of this device's UUID (<see cref="CollisionKey"/> undone); the same key when it has none.</summary>
    public static string SerialKeyOf(string deviceKey, Guid? uuid)
    {
        var suffix = CollisionSeparator + (uuid ?? Guid.Empty).ToString("D");
        return deviceKey.Length > suffix.Length && deviceKey.EndsWith(suffix, StringComparison.Ordinal) ? deviceKey[..^suffix.Length] : deviceKey;
    }

    private static string Normalise(string? serial) =>
        (serial ?? "").Trim().TrimEnd('.').Trim().ToUpperInvariant();
}
