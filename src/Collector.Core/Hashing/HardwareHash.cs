namespace Collector.Core.Hashing;

/// <summary>
/// A decoded 4K hardware hash: the fields Collector shows, stores and keys devices by. Made by
/// <see cref="HashCodec.Check(string)"/>; text fields are empty strings when their record is absent.
/// </summary>
public sealed record HardwareHash
{
    /// <summary>
    /// The hash as canonical padded base64 of its bytes, however it came in (unpadded, with line
    /// breaks): what is stored, uploaded and exported, since Intune's import wants padded base64.
    /// </summary>
    public required string Base64 { get; init; }

    /// <summary>Decoded length in bytes (3000 for a full 4K hash).</summary>
    public required int ByteLength { get; init; }

    /// <summary>SMBIOS system serial, record 14: the serial Autopilot shows.</summary>
    public required string Serial { get; init; }

    public required string Manufacturer { get; init; }
    public required string Model { get; init; }
    public required Guid? SmbiosUuid { get; init; }
    public required bool TpmPresent { get; init; }
    public required string TpmVersion { get; init; }
    public required IReadOnlyList<string> MacAddresses { get; init; }
    public int NicCount => MacAddresses.Count;
    public required string ProductKeyId { get; init; }
    public required string DiskSerial { get; init; }
    public required string DiskModel { get; init; }

    /// <summary>The disk record's fields after serial and model (a vendor, on Hyper-V), trimmed and comma-separated; "" for none.</summary>
    public string DiskDetails { get; init; } = "";

    /// <summary>From record 1; null when the hash has none.</summary>
    public required HashOsInfo? Os { get; init; }

    public required bool ChecksumValid { get; init; }

    /// <summary>Quality flags from <see cref="HashFlags"/>, in a stable order.</summary>
    public required IReadOnlyList<string> Flags { get; init; }

    /// <summary>See <see cref="DeviceIdentity.KeyFor"/>.</summary>
    public string DeviceKey => DeviceIdentity.KeyFor(this);

    /// <summary>This hash with one more flag (no-op when it is already there).</summary>
    public HardwareHash WithFlag(string flag) =>
        Flags.Contains(flag) ? this : this with { Flags = [.. Flags, flag] };

    /// <summary>
    /// Compares the serial another source names (Win32_BIOS, a CSV row) with record 14 and flags
    /// a difference: record 14 is what Autopilot uses, so it is the serial we keep.
    /// </summary>
    public HardwareHash CheckStatedSerial(string? statedSerial) =>
        statedSerial is not null && !string.Equals(statedSerial.Trim(), Serial.Trim(), StringComparison.Ordinal)
            ? WithFlag(HashFlags.SerialMismatch)
            : this;
}

/// <summary>Record 1: the OA3 tool build, the OS build, OS type and CPU architecture.</summary>
public sealed record HashOsInfo(string ToolBuild, string OsBuild, int OsType, int Architecture, int ToolVersion)
{
    public const int FullOs = 2;
    public const int ArchX86 = 0;
    public const int ArchX64 = 9;
    public const int ArchArm64 = 12;

    public string ArchitectureName => Architecture switch
    {
        ArchX86 => "x86",
        ArchX64 => "x64",
        ArchArm64 => "arm64",
        _ => $"unknown ({Architecture})",
    };

    public string OsTypeName => OsType == FullOs ? "full OS" : $"OS type {OsType}";
}

/// <summary>
/// The outcome of checking one hash: <see cref="Hash"/> is set whenever the records could be
/// read (even when the checksum is bad); <see cref="Problem"/> says in one sentence why the hash
/// is invalid, and is null for a valid one. <see cref="ByteLength"/> is the decoded length (0 when
/// the text is not base64).
/// </summary>
public sealed record HashCheck(HardwareHash? Hash, string? Problem, int ByteLength)
{
    public bool Valid => Problem is null;

    /// <summary>
    /// True when the input was whole base64 quads (padded, or a length that needs no padding);
    /// false when padding had to be added (the hash is then flagged <see cref="HashFlags.UnpaddedInput"/>).
    /// </summary>
    public bool Padded { get; init; } = true;
}
