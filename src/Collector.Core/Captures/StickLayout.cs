namespace Collector.Core.Captures;

/// <summary>
/// Where things are on a stick (design section 3, "Stick layout"), below its root:
/// <c>collector\stick.json</c> (<see cref="StickSettings.PathOn"/>), <c>collector\data\captures.db</c>,
/// <c>collector\tools\</c> with the ADK's tools an admin adds. collect, stick init and sync's stick
/// finder all go by it.
/// </summary>
public static class StickLayout
{
    /// <summary>Where collect keeps its database, relative to the stick root.</summary>
    public static readonly string DataFolder = Path.Combine("collector", "data");

    /// <summary>oa3tool.exe from the Windows ADK, in the tools folder (never shipped: an admin adds it).</summary>
    public const string Oa3ToolFile = "oa3tool.exe";

    /// <summary>PCPKsp.dll from a Windows System32, in the tools folder (TPM data in WinPE; never shipped).</summary>
    public const string PcpKspFile = "PCPKsp.dll";

    public static string DatabaseOn(string stickRoot) => Path.Combine(stickRoot, DataFolder, "captures.db");

    public static string ToolsOn(string stickRoot) => Path.Combine(stickRoot, "collector", "tools");
}
