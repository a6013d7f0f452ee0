using System.Diagnostics;

namespace Collector.Bench;

/// <summary>
/// A way to publish collect.exe for the stick: MSBuild properties on top of the common part
/// (self-contained win-x64, invariant globalization, no symbols). <see cref="Properties"/> null
/// means build/publish-stick.sh itself: the layout a release ships.
/// </summary>
public sealed record BuildLayout(string Name, string Description, string[]? Properties)
{
    private const string Untrimmed = "-p:PublishTrimmed=false";
    private const string Trimmed = "-p:PublishTrimmed=true";
    private const string Folder = "-p:PublishSingleFile=false";
    private const string SingleFile = "-p:PublishSingleFile=true";
    private const string NothingExtracted = "-p:IncludeNativeLibrariesForSelfExtract=false";
    private const string Uncompressed = "-p:EnableCompressionInSingleFile=false";
    private const string Compressed = "-p:EnableCompressionInSingleFile=true";
    private const string ReadyToRun = "-p:PublishReadyToRun=true";
    private const string NoReadyToRun = "-p:PublishReadyToRun=false";

    // crossgen2 compiles only the methods in the profile it is given: the SDK passes the runtime
    // pack's StandardOptimizationData.mibc (PublishReadyToRunUseRuntimePackOptimizationData).
    private const string Partial = "-p:PublishReadyToRunCrossgen2ExtraArgs=--partial";

    /// <summary>Every layout the bench knows, the shipped one first.</summary>
    public static IReadOnlyList<BuildLayout> All { get; } =
    [
        new("shipped", "what build/publish-stick.sh makes (the release): trimmed single file, nothing extracted, compressed, R2R", null),
        new("sf-extract-gz-r2r", "single file, all content self-extracted to %TEMP%, compressed, R2R, untrimmed (first release)",
            [Untrimmed, SingleFile, "-p:IncludeNativeLibrariesForSelfExtract=true", "-p:IncludeAllContentForSelfExtract=true", Compressed, ReadyToRun]),
        new("folder-r2r", "folder (every assembly a file), R2R, untrimmed", [Untrimmed, Folder, ReadyToRun]),
        new("sf-r2r", "single file, nothing extracted (e_sqlite3.dll beside it), uncompressed, R2R, untrimmed",
            [Untrimmed, SingleFile, NothingExtracted, Uncompressed, ReadyToRun]),
        new("sf-gz-r2r", "single file, nothing extracted, compressed, R2R, untrimmed", [Untrimmed, SingleFile, NothingExtracted, Compressed, ReadyToRun]),
        new("trim-sf-r2r", "trimmed single file, nothing extracted, uncompressed, R2R", [Trimmed, SingleFile, NothingExtracted, Uncompressed, ReadyToRun]),
        new("trim-sf-gz-r2rp", "trimmed single file, nothing extracted, compressed, partial R2R (the runtime pack's startup profile)",
            [Trimmed, SingleFile, NothingExtracted, Compressed, ReadyToRun, Partial]),
        new("trim-sf", "trimmed single file, nothing extracted, uncompressed, no R2R", [Trimmed, SingleFile, NothingExtracted, Uncompressed, NoReadyToRun]),
        new("trim-sf-gz", "trimmed single file, nothing extracted, compressed, no R2R", [Trimmed, SingleFile, NothingExtracted, Compressed, NoReadyToRun]),
        new("trim-folder-r2r", "trimmed folder, R2R", [Trimmed, Folder, ReadyToRun]),
        new("trim-folder", "trimmed folder, no R2R", [Trimmed, Folder, NoReadyToRun]),
    ];

    /// <summary>
    /// Publishes collect for win-x64 in this layout and returns the folder. The layouts share
    /// collect's win-x64 obj and bin folders, so each starts without them (as build/publish-stick.sh
    /// does): R2R, composite and trimmed outputs of one must not leak into the next.
    /// </summary>
    public string Publish(BenchContext context)
    {
        var root = context.RepositoryRoot;
        string output;
        ProcessStartInfo start;
        if (Properties is not null && Environment.GetEnvironmentVariable("COLLECTOR_FIRSTRUN_REUSE") == "1"
            && File.Exists(Path.Combine(root, "artifacts", "publish", "firstrun", Name, "collect.exe")))
        {
            return Path.Combine(root, "artifacts", "publish", "firstrun", Name); // measuring again, nothing changed
        }

        if (Properties is null)
        {
            output = Path.Combine(root, "artifacts", "publish", "stick", "win-x64");
            start = AllCores("bash", Path.Combine(root, "build", "publish-stick.sh"), "win-x64");
        }
        else
        {
            output = Path.Combine(root, "artifacts", "publish", "firstrun", Name);
            var project = Path.Combine(root, "src", "Collector.Stick");
            foreach (var folder in new[] { output, Path.Combine(project, "obj", "Release", "net10.0", "win-x64"), Path.Combine(project, "bin", "Release", "net10.0", "win-x64") })
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            start = AllCores("dotnet", [
                "publish", project, "-c", "Release", "-r", "win-x64", "--self-contained", "-p:InvariantGlobalization=true", "-p:DebugType=None", .. Properties,
                "-o", output, "-nologo", "-v", "quiet"]);
        }

        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        var log = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"publishing the {Name} layout failed:\n{log}");
    }

    /// <summary>bench/run.sh pins the bench to one core; the build it starts may use them all.</summary>
    private static ProcessStartInfo AllCores(string program, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { ArgumentList = { "-c", "exec taskset -c \"0-$(( $(nproc --all) - 1 ))\" \"$0\" \"$@\"", program } };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
