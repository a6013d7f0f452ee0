using Microsoft.Graph.Models;

namespace Collector.Workstation.Register;

/// <summary>
/// A device's registration state, as the hub and the table row record it and <c>--json</c> counts
/// it. The names are a contract (hub rows, <c>Registration_State</c>, JSON keys).
/// </summary>
public static class RegistrationStates
{
    /// <summary>Imported; Autopilot has not answered yet (or the run stopped before it did).</summary>
    public const string Pending = "pending";

    /// <summary><c>complete</c>: Autopilot registered the device.</summary>
    public const string Registered = "registered";

    /// <summary>806 ZtdDeviceAlreadyAssigned: the tenant already has it (fine for the admin).</summary>
    public const string AlreadyRegistered = "alreadyRegistered";

    /// <summary>808 ZtdDeviceAssignedToOtherTenant: another tenant has it; Microsoft support can release it.</summary>
    public const string OtherTenant = "otherTenant";

    /// <summary>802 InvalidZtdHardwareHash, or any other error code.</summary>
    public const string Refused = "refused";

    /// <summary>The device is in Autopilot in its tenant: nothing more to send.</summary>
    public static bool IsRegistered(string state) => state is Registered or AlreadyRegistered;

    /// <summary>Autopilot refused this capture: not sent again unless asked (<c>--all</c>).</summary>
    public static bool IsRefusal(string state) => state is OtherTenant or Refused;
}

/// <summary>
/// What Autopilot said of one import record (<c>state</c> of an importedWindowsAutopilotDeviceIdentity):
/// <c>complete</c> or <c>error</c> decide; <c>unknown</c>, <c>pending</c> (and <c>partial</c>, which
/// Graph does not explain for one device) mean it is still working.
/// </summary>
public sealed record ImportOutcome(string State, string? RegistrationId = null, int? ErrorCode = null, string? ErrorName = null)
{
    public const int AlreadyAssigned = 806;
    public const int AssignedToOtherTenant = 808;
    public const int InvalidHardwareHash = 802;

    public static readonly ImportOutcome Pending = new(RegistrationStates.Pending);

    public bool Decided => State != RegistrationStates.Pending;

    /// <summary>"808 ZtdDeviceAssignedToOtherTenant", or empty when there is no error.</summary>
    public string ErrorText => ErrorCode is { } code ? $"{code} {ErrorName}".TrimEnd() : ErrorName ?? "";

    public static ImportOutcome From(ImportedWindowsAutopilotDeviceIdentityState? state) => state?.DeviceImportStatus switch
    {
        ImportedWindowsAutopilotDeviceIdentityImportStatus.Complete => new(RegistrationStates.Registered, Blank(state.DeviceRegistrationId)),
        ImportedWindowsAutopilotDeviceIdentityImportStatus.Error => state.DeviceErrorCode switch
        {
            AlreadyAssigned => new(RegistrationStates.AlreadyRegistered, null, AlreadyAssigned, Blank(state.DeviceErrorName)),
            AssignedToOtherTenant => new(RegistrationStates.OtherTenant, null, AssignedToOtherTenant, Blank(state.DeviceErrorName)),
            var code => new(RegistrationStates.Refused, null, code, Blank(state.DeviceErrorName)),
        },
        _ => Pending,
    };

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
