using Collector.Core.Errors;

namespace Collector.Workstation.Sticks;

/// <summary>
/// The files every stick carries (design section 3), as build/release.sh lays them out in
/// <c>dist/stick/</c> and beside each published <c>collector</c> (its <c>stick/</c> folder).
/// A stick image missing a required file is refused by name: a stick without collect.exe would
/// send a technician into the warehouse with nothing to run. The ARM64 build is copied when the
/// image has it; a release made where the package feed lacks the win-arm64 runtime has none, and
/// stick init says how ARM64 devices are captured then: Collect.cmd runs the x64 build under
/// Windows 11's x64 emulation (Windows 10 on ARM and WinPE on ARM64 cannot run it: exit 6).
/// </summary>
public sealed class StickImage
{
    public const string Arm64Build = "collector/arm64/collect.exe";

    public static readonly IReadOnlyList<string> RequiredFiles =
    [
        "Collect.cmd",
        "README-TECHNICIAN.txt",
        "collector/x64/collect.exe",
        "collector/tools/OA3.cfg",
        "collector/tools/input.xml",
        "collector/tools/README.txt",
    ];

    private StickImage(string root) => Root = root;

    public string Root { get; }

    /// <summary>True when the image carries collect.exe for ARM64 devices.</summary>
    public bool HasArm64 => File.Exists(System.IO.Path.Combine(Root, Arm64Build));

    /// <summary>The files to copy, relative to <see cref="Root"/>.</summary>
    public IReadOnlyList<string> Files => HasArm64 ? [.. RequiredFiles, Arm64Build] : RequiredFiles;

    /// <summary>The image at <paramref name="option"/> (--image), else the <c>stick/</c> folder beside the running collector.</summary>
    public static StickImage Locate(string? option)
    {
        var root = string.IsNullOrWhiteSpace(option) ? System.IO.Path.Combine(AppContext.BaseDirectory, "stick") : option;
        if (!Directory.Exists(root))
        {
            throw new InvalidInputException(string.IsNullOrWhiteSpace(option)
                ? $"no stick image beside this collector ({root}): build one with build/release.sh, or pass --image DIR"
                : $"the stick image {root} does not exist");
        }

        var missing = RequiredFiles.FirstOrDefault(f => !File.Exists(System.IO.Path.Combine(root, f)));
        return missing is null
            ? new StickImage(root)
            : throw new InvalidInputException($"the stick image {root} is missing {missing}: build it with build/release.sh");
    }
}
