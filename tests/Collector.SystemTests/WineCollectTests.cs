using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Microsoft.Data.Sqlite;

namespace Collector.SystemTests;

/// <summary>The published win-x64 collect.exe under Wine, writing to a stick folder checked from Linux.</summary>
[Collection(WineCollection.Name)]
public sealed class WineCollectTests(Wine wine) : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new("collect-wine-test-");

    public void Dispose()
    {
        wine.LookLikeWinPE(false);
        temp.Dispose();
    }

    private string StickRoot => temp.File("stick");

    private string Database => Path.Combine(StickRoot, "collector", "data", "captures.db");

    private string Tools => Path.Combine(StickRoot, "collector", "tools");

    [Fact]
    public void The_windows_build_captures_from_an_oa3_report_onto_the_stick()
    {
        Directory.CreateDirectory(StickRoot);
        var report = temp.Write("OA3.xml", Oa3Reports.For(new HashBuilder { Serial = "WINE-0001", Tpm = false }.Build()));

        var result = wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--oa3-report", Wine.WindowsPath(report), "--tenant", Tenant, "--group-tag", "Wine"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Serial       WINE-0001", result.Out, StringComparison.Ordinal);
        Assert.Contains("SAVED - 1 device on this stick.", result.Out, StringComparison.Ordinal);
        var saved = Assert.Single(Captures());
        Assert.Equal(("WINE-0001", "Wine", CaptureMethods.Oa3Report, TestCaptures.Tenant), (saved.Serial, saved.GroupTag, saved.Method, saved.TenantId));
        Assert.Equal([HashFlags.NoTpm], saved.Flags);
        var file = DatabaseFile.Inspect(Database, StickStore.ApplicationId);
        Assert.Equal((DatabaseFileKind.Ours, StickStore.SchemaVersion), (file.Kind, file.UserVersion));
        Assert.Equal("delete", Pragma("journal_mode"));
        Assert.Equal(["captures.db"], Directory.GetFiles(Path.GetDirectoryName(Database)!).Select(Path.GetFileName));
    }

    [Fact]
    public void The_windows_build_finds_its_stick_from_where_it_sits_and_reads_stick_json()
    {
        var exe = Path.Combine(StickRoot, "collector", "x64", "collect.exe");
        Directory.CreateDirectory(Path.GetDirectoryName(exe)!);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(wine.Collect)!))
        {
            File.Copy(file, Path.Combine(Path.GetDirectoryName(exe)!, Path.GetFileName(file))); // the build, as stick init lays it out
        }
        new StickSettings { TenantId = TestCaptures.OtherTenant, Site = "Depot 4", Technician = "Sam" }.Write(StickSettings.PathOn(StickRoot));
        var report = temp.Write("OA3.xml", Oa3Reports.For(HashBuilder.Sample(2).Build()));

        var first = wine.Run([exe, "--oa3-report", Wine.WindowsPath(report), "--json"]);
        var again = wine.Run([exe, "--oa3-report", Wine.WindowsPath(report), "--json"]);
        var list = wine.Run([exe, "list"]);
        var verify = wine.Run([exe, "verify"]);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("\"alreadyOnStick\": false", first.Out, StringComparison.Ordinal);
        Assert.Contains("\"alreadyOnStick\": true", again.Out, StringComparison.Ordinal);
        Assert.Equal([(TestCaptures.OtherTenant, "Depot 4", "Sam"), (TestCaptures.OtherTenant, "Depot 4", "Sam")],
            Captures().Select(c => (c.TenantId, c.Site, c.Technician)));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("1 device(s), 2 capture(s)", list.Out, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("Integrity       ok", verify.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void On_full_windows_collect_asks_wmi_which_has_no_autopilot_class_here_and_without_oa3tool_it_exits_6_saying_what_to_do()
    {
        Directory.CreateDirectory(StickRoot);

        var result = wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--tenant", Tenant]);

        // Wine's WMI answers root\cimv2 but has no MDM namespace: the COM path ran and WMI said so.
        Assert.True(result.ExitCode == ExitCodes.NoHash, result.ToString());
        Assert.Contains(@"this Windows has no Autopilot WMI class: WMI could not open root\cimv2\mdm\dmmap (WBEM_E_INVALID_NAMESPACE", result.Error, StringComparison.Ordinal);
        Assert.Contains($"run from Shift+F10 in OOBE on this device, or copy oa3tool.exe (Windows ADK) into {Wine.WindowsPath(Tools)}", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public void On_full_windows_when_wmi_has_no_autopilot_class_oa3tool_on_the_stick_reads_the_hash()
    {
        PutOa3Tool("report", HashBuilder.Sample(13));

        var result = wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--tenant", Tenant]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("WBEM_E_INVALID_NAMESPACE", result.Out, StringComparison.Ordinal);
        Assert.Contains("read it with oa3tool.exe instead", result.Out, StringComparison.Ordinal);
        var saved = Assert.Single(Captures());
        Assert.Equal(("CLT-0000013", CaptureMethods.Oa3Tool), (saved.Serial, saved.Method));
    }

    [Fact]
    public void In_winpe_oa3tool_from_the_stick_reads_the_hash_and_its_report_is_cleaned_up()
    {
        wine.LookLikeWinPE(true);
        PutOa3Tool("report", HashBuilder.Sample(11));

        var result = wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--tenant", Tenant]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var saved = Assert.Single(Captures());
        Assert.Equal(("CLT-0000011", CaptureMethods.Oa3Tool), (saved.Serial, saved.Method));
        var log = Oa3ToolLog();
        Assert.Equal("/Report /ConfigFile=OA3.cfg /NoKeyCheck", log["args"]);
        Assert.Contains("collect-oa3-", log["cwd"], StringComparison.Ordinal);
        Assert.False(Directory.Exists(wine.LinuxPath(log["cwd"])), $"{log["cwd"]} was left behind");
    }

    [Fact]
    public void In_winpe_an_oa3tool_that_hangs_is_stopped_at_the_time_limit()
    {
        wine.LookLikeWinPE(true);
        PutOa3Tool("hang");

        var result = wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--tenant", Tenant],
            new Dictionary<string, string> { ["COLLECT_OA3TOOL_TIMEOUT"] = "5" });

        Assert.True(result.ExitCode == ExitCodes.NoHash, result.ToString());
        Assert.Contains("did not finish within 5 s and was stopped", result.Error, StringComparison.Ordinal);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(90), result.ToString());
        Assert.False(File.Exists(Database));
    }

    [Theory]
    [InlineData("nothing", "exited with code 5 and wrote no OA3.xml")]
    [InlineData("garbage", "wrote a report without a usable hash")]
    public void In_winpe_an_oa3tool_that_gives_no_hash_exits_6_and_the_stick_is_intact(string mode, string expected)
    {
        wine.LookLikeWinPE(true);
        Directory.CreateDirectory(StickRoot);
        var report = temp.Write("OA3.xml", Oa3Reports.For(HashBuilder.Sample(1).Build()));
        Assert.Equal(0, wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--oa3-report", Wine.WindowsPath(report), "--tenant", Tenant]).ExitCode);
        var before = File.ReadAllBytes(Database);
        PutOa3Tool(mode);

        var result = wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--tenant", Tenant]);

        Assert.True(result.ExitCode == ExitCodes.NoHash, result.ToString());
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Database));
    }

    [Fact]
    public void In_winpe_pcpksp_beside_oa3tool_is_copied_to_system32_and_registration_is_attempted_before_oa3tool_runs()
    {
        wine.LookLikeWinPE(true);
        PutOa3Tool("report", HashBuilder.Sample(12));
        File.WriteAllText(Path.Combine(Tools, "PCPKsp.dll"), "a stand-in: not a real DLL, so registering it fails");
        var installed = Path.Combine(wine.System32, "PCPKsp.dll");
        File.Delete(installed);

        var result = wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--tenant", Tenant]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("a stand-in: not a real DLL, so registering it fails", File.ReadAllText(installed));
        Assert.Equal("yes", Oa3ToolLog()["pcpksp"]);
        // Wine's rundll32 may fail on the stand-in, or (on a loaded machine) not finish within the
        // registration timeout; either way collect reports the attempt and goes on to capture.
        Assert.Matches("Note +(registering PCPKsp.dll failed|registering PCPKsp.dll did not finish|PCPKsp.dll copied to System32 and registered with rundll32)", result.Out);
        Assert.Single(Captures());
    }

    [Fact]
    public void In_winpe_without_oa3tool_it_exits_6_and_says_where_to_put_it()
    {
        wine.LookLikeWinPE(true);
        Directory.CreateDirectory(StickRoot);

        var result = wine.Run([wine.Collect, "--stick", Wine.WindowsPath(StickRoot), "--tenant", Tenant]);

        Assert.True(result.ExitCode == ExitCodes.NoHash, result.ToString());
        Assert.Contains("this is WinPE", result.Error, StringComparison.Ordinal);
        Assert.Contains(@"collector\tools", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Puts the stand-in oa3tool.exe into the stick's tools folder in <paramref name="mode"/>.</summary>
    private void PutOa3Tool(string mode, HashBuilder? hash = null)
    {
        Directory.CreateDirectory(Tools);
        File.Copy(wine.Oa3ToolStandIn, Path.Combine(Tools, "oa3tool.exe"), overwrite: true);
        File.WriteAllText(Path.Combine(Tools, "oa3tool.mode"), mode);
        if (hash is not null)
        {
            File.WriteAllText(Path.Combine(Tools, "oa3tool.hash"), hash.Build());
        }
    }

    /// <summary>The stand-in's last run: cwd, args, pcpksp, mode.</summary>
    private Dictionary<string, string> Oa3ToolLog() =>
        File.ReadAllLines(Path.Combine(Tools, "oa3tool.log"))
            .Select(line => line.Split('=', 2))
            .GroupBy(kv => kv[0])
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim());

    private List<Capture> Captures()
    {
        using var store = StickStore.OpenExisting(Database);
        return store.ReadCaptures().ToList();
    }

    private string Pragma(string name)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
