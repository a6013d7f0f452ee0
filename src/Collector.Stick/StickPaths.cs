using Collector.Core.Captures;
using Collector.Core.Errors;

namespace Collector.Stick;

/// <summary>The stick collect works on, and its files (<see cref="StickLayout"/>).</summary>
public sealed record StickPaths(string Root)
{
    public string Settings => StickSettings.PathOn(Root);

    public string Database => StickLayout.DatabaseOn(Root);

    public string Tools => StickLayout.ToolsOn(Root);

    /// <summary>
    /// The stick from <c>--stick</c>, or else the stick the executable sits on: it lives at
    /// <c>&lt;stick&gt;\collector\&lt;arch&gt;\collect.exe</c>, so the stick is two folders up.
    /// </summary>
    public static StickPaths Resolve(string? stickOption, string? executablePath)
    {
        if (stickOption is not null)
        {
            var root = Path.GetFullPath(stickOption);
            return Directory.Exists(root)
                ? new StickPaths(root)
                : throw new InvalidInputException($"--stick {stickOption}: no such folder (is the stick plugged in, and is this its drive letter?)");
        }

        var archFolder = executablePath is null ? null : Path.GetDirectoryName(Path.GetFullPath(executablePath));
        var collectorFolder = archFolder is null ? null : Path.GetDirectoryName(archFolder);
        if (collectorFolder is not null
            && string.Equals(Path.GetFileName(collectorFolder), "collector", StringComparison.OrdinalIgnoreCase)
            && Path.GetDirectoryName(collectorFolder) is { } stickRoot)
        {
            return new StickPaths(stickRoot);
        }

        throw new InvalidInputException(
            $"{executablePath ?? "collect"} is not in a stick's collector\\<arch>\\ folder, so the stick is unknown: pass --stick DIR (Collect.cmd does)");
    }
}
