using Collector.Core.Hashing;

namespace Collector.Core.Captures;

/// <summary>
/// A capture of a decoded hash about to be saved: everything but the ids and sequence the store
/// (the stick) or the source (a CSV file) assigns.
/// </summary>
public sealed record CaptureDraft(
    Guid TenantId, HardwareHash Hash, string GroupTag, string AssignedUser, DateTimeOffset CapturedAt,
    string Technician, string Site, string Method, string CollectorVersion)
{
    /// <summary>How collect ran (<see cref="CollectArchitectures"/>); unknown unless collect says.</summary>
    public string CollectArchitecture { get; init; } = CollectArchitectures.Unknown;

    /// <summary>
    /// The capture this draft becomes: the device's fields and flags from the hash, the rest from
    /// the draft, and the ids and sequence given here. The one way a capture is made from a hash.
    /// </summary>
    public Capture ToCapture(Guid captureId, long stickSequence, Guid stickId) => new()
    {
        CaptureId = captureId,
        StickSequence = stickSequence,
        TenantId = TenantId,
        Serial = Hash.Serial,
        DeviceKey = Hash.DeviceKey,
        HardwareHash = Hash.Base64,
        SmbiosUuid = Hash.SmbiosUuid,
        Manufacturer = Hash.Manufacturer,
        Model = Hash.Model,
        TpmPresent = Hash.TpmPresent,
        NicCount = Hash.NicCount,
        ProductKeyId = Hash.ProductKeyId,
        GroupTag = GroupTag,
        AssignedUser = AssignedUser,
        CapturedAt = CapturedAt,
        Technician = Technician,
        Site = Site,
        StickId = stickId,
        Method = Method,
        CollectorVersion = CollectorVersion,
        Flags = Hash.Flags,
        CollectArchitecture = CollectArchitecture,
    };
}
