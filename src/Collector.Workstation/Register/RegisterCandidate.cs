namespace Collector.Workstation.Register;

/// <summary>
/// A device's newest capture as a source (the hub, or a table row) offers it to register.
/// <paramref name="HardwareHash"/> is the base64 text as stored; it is decoded and checked again
/// before it is sent.
/// </summary>
public sealed record RegisterCandidate(
    Guid TenantId, string DeviceKey, Guid CaptureId, string Serial, string HardwareHash, string GroupTag, string AssignedUser)
{
    /// <summary>From a table: the row, as read (keys and ETag), for writing the outcome back into it.</summary>
    public Tables.TableRowRef? Row { get; init; }

    /// <summary>From a table: the row's <c>Registration_State</c> (another desk's registration, say).</summary>
    public string? RowState { get; init; }
}
