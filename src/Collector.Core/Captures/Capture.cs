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
