using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// Runs the published Windows build of collect under Debian's wine64 in a prefix of its own
/// (created once for the collection, removed after). Wine's WMI answers root\cimv2 but has no
/// Autopilot (MDM) namespace, so a full-Windows capture reaches WMI and falls back or stops as on
/// a Windows without it; the OA3-report and WinPE/oa3tool paths run for real. A missing Wine or a
/// missing publish fails the tests, with the line that fixes it.
/// </summary>
public sealed class Wine : IDisposable
{
    public const string WinPEKey = @"HKLM\SYSTEM\CurrentControlSet\Control\MiniNT";

    private readonly TempDirectory prefix = new("collector-wineprefix-");

    public Wine()
    {
        Wine64 = RepoPaths.Wine64;
        WineServer = RepoPaths.Require("/usr/lib/wine/wineserver64", "apt-get install -y wine64");
        Collect = RepoPaths.Require(Path.Combine(RepoPaths.Artifacts, "publish", "stick", "win-x64", "collect.exe"), "bash build/publish-stick.sh win-x64");
        WmiProbe = RepoPaths.Require(Path.Combine(RepoPaths.Artifacts, "publish", "wmi-probe", "win-x64", "wmi-probe.exe"),
            "bash build/publish-stick.sh -project tests/WmiProbe -name wmi-probe win-x64");
        Oa3ToolStandIn = RepoPaths.Require(Path.Combine(RepoPaths.Artifacts, "publish", "oa3tool-standin", "oa3tool.exe"),
            "dotnet publish tests/Oa3ToolStandIn -c Release -r win-x64 -o artifacts/publish/oa3tool-standin");
        var boot = Run(["wineboot", "--init"]);
        if (boot.ExitCode != 0)
        {
            throw new InvalidOperationException($"wineboot failed in {Prefix}: {boot}");
        }
    }

    public string Wine64 { get; }

    public string WineServer { get; }

    /// <summary>artifacts/publish/stick/win-x64/collect.exe (build/publish-stick.sh).</summary>
    public string Collect { get; }

    /// <summary>collect's WMI code in a program of its own, published with the stick's recipe (tests/WmiProbe).</summary>
    public string WmiProbe { get; }

    /// <summary>artifacts/publish/oa3tool-standin/oa3tool.exe (tests/Oa3ToolStandIn).</summary>
    public string Oa3ToolStandIn { get; }

    public string Prefix => prefix.Path;

    /// <summary>C:\windows\system32 of this prefix, seen from Linux.</summary>
    public string System32 => Path.Combine(Prefix, "drive_c", "windows", "system32");

    /// <summary>A Linux path as a Windows program under Wine sees it (Z: is the Linux root).</summary>
    public static string WindowsPath(string linuxPath) => "Z:" + linuxPath.Replace('/', '\\');

    /// <summary>A Windows path of this prefix (C:\…) as Linux sees it.</summary>
    public string LinuxPath(string windowsPath) =>
        windowsPath.StartsWith("C:\\", StringComparison.OrdinalIgnoreCase)
            ? Path.Combine(Prefix, "drive_c", windowsPath[3..].Replace('\\', '/'))
            : windowsPath.StartsWith("Z:\\", StringComparison.OrdinalIgnoreCase) ? windowsPath[2..].Replace('\\', '/') : windowsPath;

    /// <summary>Runs a Windows program (or a Wine builtin like reg) in this prefix.</summary>
    public ProcessResult Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>
        {
            ["WINEPREFIX"] = Prefix,
            ["WINEDEBUG"] = "-all",
            ["WINEDLLOVERRIDES"] = "mscoree,mshtml=", // no Mono/Gecko install prompts
            ["DISPLAY"] = "",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }

        // Output goes to files, not pipes: the wineserver that wine64 starts inherits them and
        // lingers after the program ends, and a pipe would only close when it does.
        var output = prefix.File($"run-{Guid.NewGuid():N}");
        var result = Programs.Run("/bin/sh", ["-c", "exec \"$0\" \"$@\" </dev/null >\"$OUT\" 2>\"$ERR\"", Wine64, .. args],
            new Dictionary<string, string>(env) { ["OUT"] = output + ".out", ["ERR"] = output + ".err" }, TimeSpan.FromMinutes(3));
        return result with { Out = File.ReadAllText(output + ".out"), Error = File.ReadAllText(output + ".err") };
    }

    /// <summary>Makes this prefix look like WinPE (the MiniNT key exists) or like full Windows.</summary>
    public void LookLikeWinPE(bool winPE)
    {
        var result = winPE ? Run(["reg", "add", WinPEKey, "/f"]) : Run(["reg", "delete", WinPEKey, "/f"]);
        if (winPE && result.ExitCode != 0)
        {
            throw new InvalidOperationException($"reg add {WinPEKey} failed: {result}");
        }
    }

    /// <summary>
    /// Makes this prefix report a Windows 10 build: 18362 is what Wine 8's <c>winecfg -v win10</c>
    /// says; Wine 8 knows no win11, so a later build (Windows 11 is 22000 and up) is set in the
    /// registry as Windows keeps it, with Wine's own version override removed. Null puts the
    /// prefix back to Wine's default (Windows 7, build 7601). The server is restarted so that the
    /// next program sees it.
    /// </summary>
    public void LookLikeWindowsBuild(int? build)
    {
        Must(Run(["winecfg", "-v", build is null ? "win7" : "win10"]), "winecfg -v");
        if (build is { } number and not 18362)
        {
            Run(["reg", "delete", @"HKCU\Software\Wine", "/v", "Version", "/f"]); // absent after winecfg on some prefixes: fine
            foreach (var name in new[] { "CurrentBuildNumber", "CurrentBuild" })
            {
                Must(Run(["reg", "add", @"HKLM\Software\Microsoft\Windows NT\CurrentVersion", "/v", name, "/d", number.ToString(System.Globalization.CultureInfo.InvariantCulture), "/f"]), "reg add " + name);
            }
        }

        StopServer();
    }

    public void Dispose()
    {
        StopServer();
        prefix.Dispose();
    }

    private static void Must(ProcessResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed: {result}");
        }
    }

    /// <summary>Stops this prefix's wineserver and anything still running in it; other prefixes are untouched.</summary>
    private void StopServer() =>
        Programs.Run("/bin/sh", ["-c", $"'{WineServer}' -k </dev/null >/dev/null 2>&1; true"],
            new Dictionary<string, string> { ["WINEPREFIX"] = Prefix }, TimeSpan.FromSeconds(30));
}

[CollectionDefinition(Name)]
public sealed class WineCollection : ICollectionFixture<Wine>
{
    public const string Name = "Wine";
}
