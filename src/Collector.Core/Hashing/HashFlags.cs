namespace Collector.Core.Hashing;

/// <summary>
/// Quality flags, named exactly as the design names them. They are stored, printed and exported
/// by these names, so never rename one.
/// </summary>
public static class HashFlags
{
    /// <summary>The SHA-256 in the checksum record does not match: the hash is invalid.</summary>
    public const string ChecksumBad = "checksum-bad";

    /// <summary>Fewer than 3000 bytes, records and checksum intact: importable, but warn.</summary>
    public const string Truncated = "truncated";

    /// <summary>No SMBIOS serial (record 14): Intune rejects it as InvalidZtdHardwareHash.</summary>
    public const string NoSerial = "no-serial";

    /// <summary>No manufacturer (record 16): Intune rejects it as InvalidZtdHardwareHash.</summary>
    public const string NoManufacturer = "no-manufacturer";

    /// <summary>No TPM data (records 13 and 25): self-deploying and pre-provisioning will fail.</summary>
    public const string NoTpm = "no-tpm";

    /// <summary>No network adapter recorded.</summary>
    public const string NoNic = "no-nic";

    /// <summary>The serial is an OEM placeholder; the device is keyed by its SMBIOS UUID.</summary>
    public const string PlaceholderSerial = "placeholder-serial";

    /// <summary>The serial from WMI or a CSV row differs from record 14 (record 14 is kept).</summary>
    public const string SerialMismatch = "serial-mismatch";

    /// <summary>Another device with another UUID already holds this serial.</summary>
    public const string SerialCollision = "serial-collision";

    /// <summary>The capture time is implausible for its stick; the merge time stands in.</summary>
    public const string ClockSuspect = "clock-suspect";

    /// <summary>
    /// The hash came in as unpadded base64 (as Microsoft says devices encode it): it is kept as
    /// bytes and written out padded, which Intune's import needs. Informational, not a warning.
    /// </summary>
    public const string UnpaddedInput = "unpadded-input";

    /// <summary>
    /// True for a flag that is a warning (something about the device or its hash to look at); false
    /// for an informational one (<see cref="UnpaddedInput"/>), which says how a hash came in and
    /// asks nothing of anyone: shown as a note, not counted as flagged.
    /// </summary>
    public static bool IsWarning(string flag) => flag != UnpaddedInput;

    /// <summary>
    /// Flags a capture states that its hash cannot show (the BIOS serial WMI read differed from
    /// record 14; the hash came in unpadded, and what is stored is its padded form): kept from a
    /// stored row. Every other flag is the hash's own, or the hub's (serial-collision,
    /// clock-suspect), and is worked out again, never taken from a row.
    /// </summary>
    public static readonly IReadOnlyList<string> StatedByCapture = [SerialMismatch, UnpaddedInput];

    /// <summary>Every flag name, in the order they are listed to a person (e.g. when a <c>--flag</c> is unknown).</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ChecksumBad, Truncated, NoSerial, NoManufacturer, NoTpm, NoNic, PlaceholderSerial, SerialMismatch, SerialCollision,
        ClockSuspect, UnpaddedInput,
    ];

    /// <summary>Words a technician or admin reads for each flag.</summary>
    public static string Describe(string flag) => flag switch
    {
        ChecksumBad => "the checksum does not match: the hash was altered or cut short",
        Truncated => "the hash is shorter than 3000 bytes (records intact; Intune should still accept it)",
        NoSerial => "no serial number in the hash: Intune will reject it (InvalidZtdHardwareHash)",
        NoManufacturer => "no manufacturer in the hash: Intune will reject it (InvalidZtdHardwareHash)",
        NoTpm => "no TPM data: self-deploying and pre-provisioning will fail (in WinPE add PCPKsp.dll)",
        NoNic => "no network adapter recorded",
        PlaceholderSerial => "the serial is an OEM placeholder: the device is keyed by its SMBIOS UUID",
        SerialMismatch => "the serial Windows reports differs from the one in the hash (the hash's serial is kept)",
        SerialCollision => "another device already has this serial: this one is keyed by serial and UUID",
        ClockSuspect => "the device clock was implausible: the merge time stands in for the capture time",
        UnpaddedInput => "the hash came unpadded, as devices give it: it is kept and written out padded, as Intune needs",
        _ => flag,
    };
}
