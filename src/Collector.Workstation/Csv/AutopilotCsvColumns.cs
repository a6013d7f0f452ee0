namespace Collector.Workstation.Csv;

/// <summary>
/// The column names of Intune's Autopilot CSV (design section 6) and of the partner form
/// Get-WindowsAutopilotInfo -Partner writes. Intune compares them case-sensitively.
/// </summary>
public static class AutopilotCsvColumns
{
    public const string Serial = "Device Serial Number";
    public const string ProductId = "Windows Product ID";
    public const string Hash = "Hardware Hash";
    public const string GroupTag = "Group Tag";
    public const string AssignedUser = "Assigned User";
    public const string Manufacturer = "Manufacturer name";
    public const string Model = "Device model";

    public static readonly IReadOnlyList<string> All =
        [Serial, ProductId, Hash, GroupTag, AssignedUser, Manufacturer, Model];
}
