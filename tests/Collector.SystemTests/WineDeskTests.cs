using System.Text.Json;
using Azure.Data.Tables;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// The desk on Windows: the release's win-x64 <c>collector.exe</c> under Wine lays out a stick,
/// syncs it given as a Windows path and as a drive root, uploads to Azurite over 127.0.0.1,
/// exports, and answers status, devices, device and report, with the default hub under
/// <c>%LOCALAPPDATA%\Collector</c>. What it writes is checked against the Linux build's answers
/// on the same hub: CSV byte for byte, JSON by meaning (Windows ends lines with CRLF).
/// </summary>
[Collection(WineCollection.Name)]
public sealed class WineDeskTests(Wine wine) : IDisposable
{
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";

    /// <summary>Not in Windows-1252 or any OEM code page: only survives a Windows console as a JSON escape.</summary>
    private const string Technician = "Łukasz Żółć";

    private readonly TempDirectory temp = new("collector-wine-desk-");

    private string StickRoot => temp.File("stick");

    /// <summary>Drive E: of the Wine prefix, mapped to the stick folder as a USB stick's root would be.</summary>
    private string DriveE => Path.Combine(wine.Prefix, "dosdevices", "e:");

    public void Dispose()
    {
        File.Delete(DriveE);
        if (Directory.Exists(DefaultHubFolder()))
        {
            Directory.Delete(DefaultHubFolder(), recursive: true);
        }

        temp.Dispose();
    }

    [Fact]
    public void The_windows_desk_syncs_a_stick_by_path_and_by_drive_letter_uploads_exports_and_answers_as_linux_does()
    {
        using var azurite = new Azurite();
        var table = Azurite.NewTableName("wine");
        var defaultHub = Path.Combine(DefaultHubFolder(), "hub.db");
        Directory.CreateDirectory(StickRoot);
        var init = Desk("stick", "init", Wine.WindowsPath(StickRoot), "--tenant", Tenant, "--site", "Leeds", "--technician", "Sam");
        Assert.True(init.ExitCode == 0, init.ToString());
        Capture(SampleDevices.All.Take(3));

        var byPath = Desk("sync", Wine.WindowsPath(StickRoot));
        Capture(SampleDevices.All.Skip(3).Take(3));
        File.Delete(DriveE); // one an earlier run may have left
        File.CreateSymbolicLink(DriveE, StickRoot);
        var byDrive = DeskWith(new() { ["COLLECTOR_TABLE"] = azurite.ConnectionString }, "sync", @"E:\", "--table-name", table, "--create-table", "--json");

        Assert.True(byPath.ExitCode == 0, byPath.ToString());
        Assert.Contains(@"AppData\Local\Collector\hub.db (3 devices, 3 captures)", byPath.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(defaultHub), $"no hub at {defaultHub}");
        Assert.True(byDrive.ExitCode == 0, byDrive.ToString());
        using (var sync = JsonDocument.Parse(byDrive.Out))
        {
            Assert.Equal(3, sync.RootElement.GetProperty("captures").GetProperty("new").GetInt32());
            Assert.Equal(6, sync.RootElement.GetProperty("devices").GetProperty("uploaded").GetInt32());
        }

        Assert.Equal(6, new TableClient(azurite.ConnectionString, table).Query<TableEntity>().Count());
        var status = Desk("status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        using (var json = JsonDocument.Parse(status.Out))
        {
            var stick = Assert.Single(json.RootElement.GetProperty("sticks").EnumerateArray());
            Assert.Equal(@"E:\collector\data\captures.db", stick.GetProperty("lastPath").GetString());
            Assert.Equal(0, json.RootElement.GetProperty("tenants")[0].GetProperty("waitingForUpload").GetInt32());
        }

        AssertSameAsLinux(defaultHub);
    }

    [Fact]
    public void The_windows_desk_refuses_bad_input_with_the_documented_codes()
    {
        var hub = temp.File("hub.db");
        Directory.CreateDirectory(StickRoot);
        Capture(SampleDevices.All.Take(1));
        Assert.Equal(0, Desk("sync", Wine.WindowsPath(StickRoot), "--hub", Wine.WindowsPath(hub)).ExitCode);

        var noDevice = Desk("device", "NOT-HERE", "--hub", Wine.WindowsPath(hub));
        var badFlag = Desk("devices", "--flag", "no-tmp", "--hub", Wine.WindowsPath(hub));
        var noFolder = Desk("report", "--hub", Wine.WindowsPath(hub), "--out", Wine.WindowsPath(temp.File("missing", "r.html")));
        var report = Desk("report", "--hub", Wine.WindowsPath(hub), "--out", Wine.WindowsPath(temp.File("r.html")));

        Assert.True(noDevice.ExitCode == 2, noDevice.ToString());
        Assert.Contains("no device with the key or serial 'NOT-HERE'", noDevice.Error, StringComparison.Ordinal);
        Assert.True(badFlag.ExitCode == 1, badFlag.ToString());
        Assert.Contains("the flags are: checksum-bad", badFlag.Error, StringComparison.Ordinal);
        Assert.True(noFolder.ExitCode == 3, noFolder.ToString());
        Assert.Contains("does not exist", noFolder.Error, StringComparison.Ordinal);
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("<svg id=\"per-day-chart\"", File.ReadAllText(temp.File("r.html")), StringComparison.Ordinal);
    }

    /// <summary>
    /// Export, status, devices and device from the Windows build and from the Linux build on the
    /// same hub: the CSV files byte for byte, the JSON documents equal once parsed, and the text
    /// from a device (a technician name no Windows code page holds) intact in both.
    /// </summary>
    private void AssertSameAsLinux(string hub)
    {
        var windowsCsv = temp.File("csv-windows");
        var linuxCsv = temp.File("csv-linux");
        var exportWindows = Desk("export", "--all", "--out", Wine.WindowsPath(windowsCsv));
        var exportLinux = Programs.Run(Release.Collector, ["export", "--all", "--hub", hub, "--out", linuxCsv]);
        Assert.True(exportWindows.ExitCode == 0, exportWindows.ToString());
        Assert.True(exportLinux.ExitCode == 0, exportLinux.ToString());
        Assert.Equal(Csv(linuxCsv), Csv(windowsCsv));

        foreach (string[] args in (string[][])[["status", "--json"], ["devices", "--json"], ["device", "CLT-0000002", "--json"], ["devices", "--flag", "serial-collision", "--json"]])
        {
            var windows = Desk(args);
            var linux = Programs.Run(Release.Collector, [.. args, "--hub", hub]);
            Assert.True(windows.ExitCode == 0, windows.ToString());
            Assert.True(linux.ExitCode == 0, linux.ToString());
            using var w = JsonDocument.Parse(windows.Out);
            using var l = JsonDocument.Parse(linux.Out);
            Assert.True(JsonElement.DeepEquals(w.RootElement, l.RootElement), $"{string.Join(' ', args)} differs:\n--- windows\n{windows.Out}\n--- linux\n{linux.Out}");
        }

        var device = Desk("device", "CLT-0000002", "--json");
        Assert.DoesNotMatch("[^\\x00-\\x7f]", device.Out);
        using var history = JsonDocument.Parse(device.Out);
        Assert.Equal(Technician, history.RootElement[0].GetProperty("captures")[0].GetProperty("technician").GetString());
        var devices = Desk("devices");
        Assert.True(devices.ExitCode == 0, devices.ToString());
        Assert.Contains("6 devices;", devices.Out, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", devices.Out, StringComparison.Ordinal);
    }

    /// <summary>The CSV files of an export folder, in name order, as bytes (names carry the time they were written).</summary>
    private static List<byte[]> Csv(string folder) =>
        [.. Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];

    /// <summary>Captures devices onto the stick with the Linux build of collect (capture on Windows is WineCollectTests').</summary>
    private void Capture(IEnumerable<(string Name, Collector.Core.Hashing.HashBuilder Builder)> devices)
    {
        foreach (var (name, builder) in devices)
        {
            var report = temp.Write($"{name}.xml", SampleDevices.Oa3Report(builder.Build()));
            var result = Programs.Run(Programs.LinuxCollect, ["--stick", StickRoot, "--tenant", Tenant, "--technician", Technician, "--oa3-report", report]);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    private ProcessResult Desk(params string[] args) => wine.Run([Release.WindowsCollector, .. args]);

    private ProcessResult DeskWith(Dictionary<string, string> environment, params string[] args) => wine.Run([Release.WindowsCollector, .. args], environment);

    /// <summary>%LOCALAPPDATA%\Collector of the prefix, as Linux sees it.</summary>
    private string DefaultHubFolder()
    {
        var localAppData = wine.Run(["cmd", "/c", "echo %LOCALAPPDATA%"]).Out.Trim();
        return Path.Combine(wine.LinuxPath(localAppData), "Collector");
    }
}
