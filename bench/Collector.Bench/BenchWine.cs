using System.Diagnostics;
using Collector.Testing;

namespace Collector.Bench;

/// <summary>
/// A Wine prefix of the bench's own, standing in for the devices a technician visits: a device is
/// "new" when its %TEMP% is empty (<see cref="EmptyTemp"/>). What a run leaves on the device is
/// what changed under the prefix's <c>drive_c</c> (<see cref="Snapshot"/>, <see cref="Written"/>).
/// </summary>
public sealed class BenchWine : IDisposable
{
    private readonly string wine64 = RepoPaths.Wine64;
    private readonly string wineServer = RepoPaths.Require("/usr/lib/wine/wineserver64", "apt-get install -y wine64");
    private readonly string scratch;

    public BenchWine(string scratch)
    {
        this.scratch = scratch;
        Prefix = Directory.CreateTempSubdirectory("collector-bench-wine-").FullName;
        var boot = Run(["wineboot", "--init"]);
        if (boot.ExitCode != 0)
        {
            throw new InvalidOperationException($"wineboot failed in {Prefix}: {boot.Error}");
        }

        // The wineserver and Wine's own DLLs stay warm from here on: the figures are collect's.
        _ = Run(["cmd", "/c", "exit"]);
    }

    public string Prefix { get; }

    private string DriveC => Path.Combine(Prefix, "drive_c");

    /// <summary>A Linux path as a Windows program under Wine sees it (Z: is the Linux root).</summary>
    public static string WindowsPath(string linuxPath) => "Z:" + linuxPath.Replace('/', '\\');

    /// <summary>Runs a Windows program in the prefix; the time is wine64's start to its exit.</summary>
    public ChildRun Run(IEnumerable<string> args)
    {
        // Output to files, not pipes: a wineserver the run starts inherits them and outlives it.
        var output = Path.Combine(scratch, $"wine-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "exec \"$0\" \"$@\" </dev/null >\"$OUT\" 2>\"$ERR\"", wine64 },
            Environment =
            {
                ["WINEPREFIX"] = Prefix,
                ["WINEDEBUG"] = "-all",
                // mscoree stays on: Wine's loader hands an IL-only DLL that CoreCLR loads with
                // LoadLibrary (a folder layout's facades) to mscoree.dll, and fails without it.
                // Windows 8 and later load such DLLs without mscoree. Gecko's prompt stays off.
                ["WINEDLLOVERRIDES"] = "mshtml=",
                ["DISPLAY"] = "",
                ["OUT"] = output + ".out",
                ["ERR"] = output + ".err",
            },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var run = BenchContext.RunChild(start);
        var result = run with { Output = File.ReadAllText(output + ".out"), Error = File.ReadAllText(output + ".err") };
        File.Delete(output + ".out");
        File.Delete(output + ".err");
        return result;
    }

    /// <summary>Empties every %TEMP% of the prefix (the users' and Windows'): the next run meets a new device.</summary>
    public void EmptyTemp()
    {
        var temps = Directory.GetDirectories(Path.Combine(DriveC, "users"))
            .SelectMany(user => new[] { Path.Combine(user, "Temp"), Path.Combine(user, "AppData", "Local", "Temp") })
            .Append(Path.Combine(DriveC, "windows", "temp"))
            .Where(Directory.Exists)
            .SelectMany(temp => Directory.GetFileSystemEntries(temp));
        foreach (var entry in temps)
        {
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    /// <summary>Every file under drive_c (symbolic links not followed) with its size and last write.</summary>
    public Dictionary<string, (long Size, DateTime Written)> Snapshot()
    {
        var files = new Dictionary<string, (long, DateTime)>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in new DirectoryInfo(DriveC).EnumerateFiles("*", options))
        {
            files[file.FullName] = (file.Length, file.LastWriteTimeUtc);
        }

        return files;
    }

    /// <summary>Bytes and files that are new or changed between two snapshots (a changed file counts whole).</summary>
    public static (long Bytes, int Files) Written(
        Dictionary<string, (long Size, DateTime Written)> before, Dictionary<string, (long Size, DateTime Written)> after)
    {
        var changed = after.Where(f => !before.TryGetValue(f.Key, out var old) || old != f.Value).ToList();
        return (changed.Sum(f => f.Value.Size), changed.Count);
    }

    public void Dispose()
    {
        var stop = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "\"$0\" -k </dev/null >/dev/null 2>&1; true", wineServer } };
        stop.Environment["WINEPREFIX"] = Prefix;
        using (var process = Process.Start(stop)!)
        {
            process.WaitForExit();
        }

        Directory.Delete(Prefix, recursive: true);
    }
}
