using System.Globalization;
using System.Text;
using Collector.Core.Captures;
using Collector.Workstation.Graph;

namespace Collector.Workstation.Register;

/// <summary>The text summary of a register run (stdout), as sync's: counts, then who needs what done.</summary>
public static class RegisterSummary
{
    public static string Text(RegisterReport report, string source, GraphEndpoint endpoint, int tenants)
    {
        var n = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var dealt = report.Count(RegistrationStates.Registered) + report.Count(RegistrationStates.AlreadyRegistered) + report.Count(RegistrationStates.OtherTenant)
            + report.Count(RegistrationStates.Refused) + report.Count(RegistrationStates.Pending);
        if (tenants == 0 && dealt == 0)
        {
            text.AppendLine(n, $"Nothing to register from {source}: every device is registered, or was refused (--all sends those again).");
            return text.ToString();
        }

        text.AppendLine(n, $"Autopilot through {endpoint}, from {source}: {report.Imports:N0} import request(s) in {tenants:N0} tenant(s).");
        text.AppendLine(n, $"Devices: {report.Count(RegistrationStates.Registered):N0} registered, {report.Count(RegistrationStates.AlreadyRegistered):N0} already registered, " +
            $"{report.Count(RegistrationStates.OtherTenant):N0} in another tenant, {report.Count(RegistrationStates.Refused):N0} refused, {report.Count(RegistrationStates.Pending):N0} pending.");
        if (report.OtherTenant.Count > 0)
        {
            text.AppendLine("In another tenant (808 ZtdDeviceAssignedToOtherTenant): Microsoft support must release each with proof of ownership;");
            text.AppendLine("'collector device SERIAL' prints a device's capture history to attach:");
            foreach (var p in report.OtherTenant)
            {
                text.AppendLine(n, $"  {Show(p.Serial)} ({Show(p.DeviceKey)})");
            }
        }

        var otherTenant = report.OtherTenant.ToHashSet();
        var others = report.Problems.Where(p => !otherTenant.Contains(p)).ToList();
        if (others.Count > 0)
        {
            text.AppendLine("Not registered:");
            foreach (var p in others)
            {
                text.AppendLine(n, $"  {Show(p.DeviceKey)}{(p.Serial.Length > 0 && p.Serial != p.DeviceKey ? $" ({Show(p.Serial)})" : "")}: {Show(p.Reason)}");
            }
        }

        if (report.Count(RegistrationStates.Pending) > 0)
        {
            text.AppendLine(n, $"{report.Count(RegistrationStates.Pending):N0} device(s) pending: run 'collector register' again later; it resumes polling them and never imports them twice.");
        }

        return text.ToString();
    }

    private static string Show(string text) => DisplayText.Escape(text);
}
