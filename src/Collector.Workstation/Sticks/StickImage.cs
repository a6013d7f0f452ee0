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
    public const string X64Folder = "collector/x64";
    public const string Arm64Folder = "collector/arm64";
    public const string Arm64Build = Arm64Folder + "/collect.exe";

    /// <summary>
    /// One build of collect (build/publish-stick.sh, chosen by <c>bench/run.sh firstrun</c>): a
    /// trimmed single-file exe that extracts nothing, and SQLite's native library beside it (a
    /// library extracted from the exe would be written into every device's %TEMP%).
    /// </summary>
    public static readonly IReadOnlyList<string> BuildFiles = ["collect.exe", "e_sqlite3.dll"];

    public static readonly IReadOnlyList<string> RequiredFiles =
    [
        "Collect.cmd",
        "README-TECHNICIAN.txt",
        .. BuildFiles.Select(f => $"{X64Folder}/{f}"),
        "collector/tools/OA3.cfg",
        "collector/tools/input.xml",
        "collector/tools/README.txt",
    ];

    /// <summary>The ARM64 build's files, copied when the image has all of them.</summary>
    public static IReadOnlyList<string> Arm64Files { get; } = [.. BuildFiles.Select(f => $"{Arm64Folder}/{f}")];

    private StickImage(string root) => Root = root;

    public string Root { get; }

    /// <summary>True when the image carries collect.exe for ARM64 devices.</summary>
    public bool HasArm64 => Arm64Files.All(f => File.Exists(System.IO.Path.Combine(Root, f)));

    /// <summary>The files to copy, relative to <see cref="Root"/>.</summary>
    public IReadOnlyList<string> Files => HasArm64 ? [.. RequiredFiles, .. Arm64Files] : RequiredFiles;

    /// <summary>
    /// Files in a stick's build folders (<c>collector\x64</c>, <c>collector\arm64</c>) that this
    /// image does not have: what an older layout left there (a folder build's DLLs, an ARM64 build
    /// this image lacks). The build folders belong to the image; tools and data are never touched.
    /// </summary>
    public IReadOnlyList<string> StaleFilesOn(string stickRoot)
    {
        var ours = Files.Select(f => System.IO.Path.GetFullPath(System.IO.Path.Combine(stickRoot, f))).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. new[] { X64Folder, Arm64Folder }
            .Select(folder => System.IO.Path.Combine(stickRoot, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(file => !ours.Contains(System.IO.Path.GetFullPath(file)))
            .Order(StringComparer.Ordinal)];
    }

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
