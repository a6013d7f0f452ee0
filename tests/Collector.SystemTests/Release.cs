using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// The output of build/release.sh (build/test.sh runs it before the tests): the published
/// Linux collector with its stick image beside it. Missing output fails the test with the
/// command that makes it.
/// </summary>
public static class Release
{
    public static string Dist => Path.Combine(RepoPaths.Root, "dist");

    /// <summary>dist/collector-linux-x64/collector: the self-contained desk tool, its stick image in stick/.</summary>
    public static string Collector => RepoPaths.Require(Path.Combine(Dist, "collector-linux-x64", "collector"), "bash build/release.sh");

    /// <summary>dist/collector-win-x64/collector.exe: the desk tool for Windows (run under Wine), its stick image in stick/.</summary>
    public static string WindowsCollector => RepoPaths.Require(Path.Combine(Dist, "collector-win-x64", "collector.exe"), "bash build/release.sh");

    /// <summary>dist/stick: the stick image.</summary>
    public static string StickImage => Path.GetDirectoryName(RepoPaths.Require(Path.Combine(Dist, "stick", "Collect.cmd"), "bash build/release.sh"))!;

    /// <summary>Copies the stick image, every file, to <paramref name="target"/> (a stick folder of a test's own).</summary>
    public static void CopyStickImage(string target)
    {
        foreach (var file in Directory.EnumerateFiles(StickImage, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(StickImage, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
