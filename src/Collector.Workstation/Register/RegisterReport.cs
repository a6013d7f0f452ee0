using Collector.Workstation.Hub;

namespace Collector.Workstation.Register;

/// <summary>A device that did not end registered: why, with Autopilot's code where it gave one.</summary>
public sealed record RegisterProblem(string DeviceKey, string Serial, int? Code, string Reason);

/// <summary>
/// What one <c>collector register</c> run did: import requests sent, and every device it dealt
/// with by outcome (those Autopilot answered for this run, those still pending at its end, and
/// those left out unsent). Its <see cref="ToJson"/> shape is the <c>--json</c> contract.
/// </summary>
public sealed class RegisterReport
{
    private readonly Dictionary<string, int> devices = new(StringComparer.Ordinal)
    {
        [RegistrationStates.Registered] = 0,
        [RegistrationStates.AlreadyRegistered] = 0,
        [RegistrationStates.OtherTenant] = 0,
        [RegistrationStates.Refused] = 0,
        [RegistrationStates.Pending] = 0,
    };

    /// <summary>Import requests sent (each up to 500 devices).</summary>
    public int Imports { get; set; }

    public List<RegisterProblem> Problems { get; } = [];

    /// <summary>Devices 808'd: Microsoft support must release them, with the capture history as proof.</summary>
    public List<RegisterProblem> OtherTenant { get; } = [];

    /// <summary>The last failure to reach Graph that the run could not get past (exit 4), if any.</summary>
    public string? Unreachable { get; set; }

    public int Count(string state) => devices[state];

    /// <summary>Autopilot answered for this device.</summary>
    public void Decided(Registration row, ImportOutcome outcome)
    {
        devices[outcome.State]++;
        if (outcome.State == RegistrationStates.OtherTenant)
        {
            var problem = new RegisterProblem(row.DeviceKey, row.Serial, outcome.ErrorCode,
                $"{outcome.ErrorText}: registered in another tenant; Microsoft support must release it with proof of ownership " +
                $"('collector device {row.Serial}' prints its capture history to attach)");
            Problems.Add(problem);
            OtherTenant.Add(problem);
        }
        else if (outcome.State == RegistrationStates.Refused)
        {
            Problems.Add(new RegisterProblem(row.DeviceKey, row.Serial, outcome.ErrorCode, $"{outcome.ErrorText}: {Explain(outcome.ErrorCode)}"));
        }
    }

    /// <summary>Still pending when the run ended: the next run resumes it (or, with no import record, imports it).</summary>
    public void StillPending(string deviceKey, string serial, string reason)
    {
        devices[RegistrationStates.Pending]++;
        Problems.Add(new RegisterProblem(deviceKey, serial, null, reason));
    }

    /// <summary>Not sent: Autopilot would refuse it as it stands (no serial in its hash, say).</summary>
    public void LeftOut(string deviceKey, string serial, string reason)
    {
        devices[RegistrationStates.Refused]++;
        Problems.Add(new RegisterProblem(deviceKey, serial, null, $"not sent: {reason}"));
    }

    public bool AllRegistered => devices[RegistrationStates.OtherTenant] + devices[RegistrationStates.Refused] + devices[RegistrationStates.Pending] == 0;

    /// <summary>The <c>--json</c> object; its names are a contract.</summary>
    public JsonRegister ToJson() => new(Imports,
        new JsonDevices(devices[RegistrationStates.Registered], devices[RegistrationStates.AlreadyRegistered],
            devices[RegistrationStates.OtherTenant], devices[RegistrationStates.Refused], devices[RegistrationStates.Pending]),
        [.. Problems.Select(p => new JsonProblem(p.DeviceKey, p.Serial, p.Code, p.Reason))]);

    private static string Explain(int? code) => code switch
    {
        ImportOutcome.InvalidHardwareHash => "Autopilot cannot read this hardware hash; capture the device again (in full Windows, with its TPM)",
        _ => "Autopilot refused this device",
    };

    public sealed record JsonRegister(int Imports, JsonDevices Devices, IReadOnlyList<JsonProblem> Problems);

    public sealed record JsonDevices(int Registered, int AlreadyRegistered, int OtherTenant, int Refused, int Pending);

    public sealed record JsonProblem(string DeviceKey, string Serial, int? Code, string Reason);
}
