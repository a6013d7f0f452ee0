namespace Collector.Core.Captures;

/// <summary>
/// One capture of one device: a row of the stick's append-only table and of the hub (design
/// section 4). Every capture is kept; the history is the audit trail.
/// </summary>
public sealed record Capture
{
    /// <summary>UUID v7, made on the device.</summary>
    public required Guid CaptureId { get; init; }

    /// <summary>1, 2, 3… per stick: orders the captures of one stick whatever the device clocks said.</summary>
    public required long StickSequence { get; init; }

    public required Guid TenantId { get; init; }

    /// <summary>The serial from record 14 of the hash (the one Autopilot uses).</summary>
    public required string Serial { get; init; }

    /// <summary>See <see cref="Hashing.DeviceIdentity"/>.</summary>
    public required string DeviceKey { get; init; }

    /// <summary>Base64, whitespace removed.</summary>
    public required string HardwareHash { get; init; }

    public required Guid? SmbiosUuid { get; init; }
    public required string Manufacturer { get; init; }
    public required string Model { get; init; }
    public required bool TpmPresent { get; init; }
    public required int NicCount { get; init; }
    public required string ProductKeyId { get; init; }
    public required string GroupTag { get; init; }
    public required string AssignedUser { get; init; }

    /// <summary>The device's clock at capture, in UTC. Device clocks lie; see the hub's effective time.</summary>
    public required DateTimeOffset CapturedAt { get; init; }

    public required string Technician { get; init; }
    public required string Site { get; init; }
    public required Guid StickId { get; init; }

    /// <summary>One of <see cref="CaptureMethods"/>.</summary>
    public required string Method { get; init; }

    public required string CollectorVersion { get; init; }

    /// <summary>Flag names from <see cref="Hashing.HashFlags"/>.</summary>
    public required IReadOnlyList<string> Flags { get; init; }

    /// <summary>How collect ran on the device: one of <see cref="CollectArchitectures"/> ('' when not known).</summary>
    public string CollectArchitecture { get; init; } = CollectArchitectures.Unknown;
}

/// <summary>How a hash was read: stored with every capture.</summary>
public static class CaptureMethods
{
    public const string Wmi = "wmi";
    public const string Oa3Tool = "oa3tool";
    public const string Oa3Report = "oa3-report";
    public const string CsvImport = "csv-import";

    /// <summary>Every method a capture may name: a row that names another was not written by us.</summary>
    public static readonly IReadOnlyList<string> All = [Wmi, Oa3Tool, Oa3Report, CsvImport];
}

/// <summary>
/// How <c>collect</c> ran on the device, stored with every capture: its own build, and whether
/// Windows ran that build under emulation. An ARM64 device without an ARM64 build is captured by
/// the x64 build under Windows 11's x64 emulation.
/// </summary>
public static class CollectArchitectures
{
    /// <summary>The ARM64 build, natively.</summary>
    public const string Arm64 = "arm64";

    /// <summary>The x64 build on an ARM64 device, under Windows 11's x64 emulation.</summary>
    public const string X64OnArm64 = "x64-on-arm64";

    /// <summary>The x64 build on an x64 device.</summary>
    public const string X64 = "x64";

    /// <summary>Not known: a capture older than this column, a CSV import, or elsewhere than Windows.</summary>
    public const string Unknown = "";

    /// <summary>Every value a capture may carry.</summary>
    public static readonly IReadOnlyList<string> All = [Arm64, X64OnArm64, X64, Unknown];
}
