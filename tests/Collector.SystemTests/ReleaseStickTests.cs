using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// From the release to CSV: the published collector lays a stick out with <c>stick init</c>, the
/// stick's own Collect.cmd runs the published collect.exe under Wine (<c>wine64 cmd /c</c>), and
/// the stick is synced into a hub and exported, all with the release's binaries.
/// </summary>
[Collection(WineCollection.Name)]
public sealed class ReleaseStickTests(Wine wine) : IDisposable
{
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_stick_from_the_release_captures_under_wine_through_collect_cmd_and_syncs_and_exports()
    {
        var stick = temp.File("stick");
        Directory.CreateDirectory(stick);
        var init = Programs.Run(Release.Collector, ["stick", "init", stick, "--tenant", Tenant, "--group-tag", "WineBay", "--technician", "ci"]);
        Assert.True(init.ExitCode == 0, init.ToString());
        var device = SampleDevices.All[2];
        var report = temp.Write("OA3.xml", SampleDevices.Oa3Report(device.Builder.Build()));

        var collect = wine.Run(["cmd", "/c", Wine.WindowsPath(Path.Combine(stick, "Collect.cmd")), "--oa3-report", Wine.WindowsPath(report)]);
        var sync = Programs.Run(Release.Collector, ["sync", stick, "--hub", temp.File("hub.db")]);
        var export = Programs.Run(Release.Collector, ["export", "--hub", temp.File("hub.db"), "--out", temp.File("csv")]);

        Assert.True(collect.ExitCode == 0, collect.ToString());
        Assert.Contains(device.Builder.Serial, collect.Out, StringComparison.Ordinal);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.True(export.ExitCode == 0, export.ToString());
        var csv = Assert.Single(Directory.GetFiles(temp.File("csv"), "*.csv"), f => !f.Contains("manifest", StringComparison.Ordinal));
        Assert.Equal(
            "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n" +
            $"{device.Builder.Serial},,{device.Builder.Build()},WineBay\r\n",
            File.ReadAllText(csv));
        using var copy = StickStore.OpenExisting(CopyOf(Path.Combine(stick, "collector", "data", "captures.db")));
        var capture = Assert.Single(copy.ReadCaptures());
        Assert.Equal(("oa3-report", "ci"), (capture.Method, capture.Technician));
    }

    [Fact]
    public void Collect_cmd_on_a_stick_whose_build_lacks_sqlites_library_says_the_stick_is_incomplete_and_exits_6()
    {
        var stick = temp.File("stick");
        Release.CopyStickImage(stick);
        File.Delete(Path.Combine(stick, "collector", "x64", "e_sqlite3.dll"));

        var result = wine.Run(["cmd", "/c", Wine.WindowsPath(Path.Combine(stick, "Collect.cmd")), "--oa3-report", "x.xml"]);

        Assert.Equal(6, result.ExitCode);
        Assert.Contains(@"collector\x64\e_sqlite3.dll is missing", result.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(stick, "collector", "data", "captures.db")));
    }

    private string CopyOf(string path)
    {
        var copy = temp.File("copy", Path.GetFileName(path));
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(path, copy);
        return copy;
    }
}
