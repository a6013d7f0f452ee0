using System.Text.Json;

namespace Collector.Testing.Graph;

/// <summary>What the stand-in's Autopilot answers for a serial (design section 6b's outcomes).</summary>
public enum StandInOutcome
{
    /// <summary><c>complete</c>, with a deviceRegistrationId.</summary>
    Complete,

    /// <summary><c>error</c> 806 ZtdDeviceAlreadyAssigned.</summary>
    AlreadyAssigned,

    /// <summary><c>error</c> 808 ZtdDeviceAssignedToOtherTenant.</summary>
    OtherTenant,

    /// <summary><c>error</c> 802 InvalidZtdHardwareHash.</summary>
    InvalidHash,

    /// <summary>Stays <c>unknown</c>: Autopilot never gets to it.</summary>
    StaysUnknown,
}

/// <summary>One importedWindowsAutopilotDeviceIdentity in the stand-in (Graph v1.0's resource, as documented).</summary>
public sealed class StandInRecord
{
    public required string Id { get; init; }
    public required Guid Tenant { get; init; }
    public required string Serial { get; init; }
    public required string HardwareIdentifier { get; init; }
    public required string GroupTag { get; init; }
    public required string AssignedUser { get; init; }
    public required string ProductKey { get; init; }
    public required string ImportId { get; init; }
    /// <summary>What Autopilot will answer; a test may change it (a device that stayed unknown, answered later).</summary>
    public required StandInOutcome Outcome { get; set; }

    /// <summary>Times the record was read (listed or got): the answer shows after <c>ReadsBeforeAnswer</c> of them.</summary>
    public int Reads { get; set; }

    /// <summary>Writes the record as Graph does, only <paramref name="select"/>'s properties when given.</summary>
    public void Write(Utf8JsonWriter json, bool answered, IReadOnlySet<string>? select)
    {
        json.WriteStartObject();
        json.WriteString("@odata.type", "#microsoft.graph.importedWindowsAutopilotDeviceIdentity");
        json.WriteString("id", Id);
        void Text(string name, string value)
        {
            if (select is null || select.Contains(name))
            {
                json.WriteString(name, value);
            }
        }

        Text("groupTag", GroupTag);
        Text("serialNumber", Serial);
        Text("productKey", ProductKey);
        Text("importId", ImportId);
        Text("hardwareIdentifier", HardwareIdentifier);
        Text("assignedUserPrincipalName", AssignedUser);
        if (select is null || select.Contains("state"))
        {
            var (status, registration, code, name) = !answered || Outcome == StandInOutcome.StaysUnknown ? ("unknown", "", 0, "")
                : Outcome switch
                {
                    StandInOutcome.Complete => ("complete", RegistrationId, 0, ""),
                    StandInOutcome.AlreadyAssigned => ("error", "", 806, "ZtdDeviceAlreadyAssigned"),
                    StandInOutcome.OtherTenant => ("error", "", 808, "ZtdDeviceAssignedToOtherTenant"),
                    _ => ("error", "", 802, "InvalidZtdHardwareHash"),
                };
            json.WriteStartObject("state");
            json.WriteString("@odata.type", "microsoft.graph.importedWindowsAutopilotDeviceIdentityState");
            json.WriteString("deviceImportStatus", status);
            json.WriteString("deviceRegistrationId", registration);
            json.WriteNumber("deviceErrorCode", code);
            json.WriteString("deviceErrorName", name);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>The Autopilot device id a complete import gets (derived from the record's id, so tests can expect it).</summary>
    public string RegistrationId => "ztd-" + Id;
}
