using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

/// <summary>
/// PowerShell 7 as the real peer on both sides: it reads what export writes with Import-Csv, and
/// writes files the way Get-WindowsAutopilotInfo does for import to read.
/// </summary>
public sealed class PowerShellPeerTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Import_Csv_reads_back_exactly_the_serials_hashes_tags_and_users_export_wrote()
    {
        var hub = temp.File("hub.db");
        Merge(hub, clock,
            Draft(1), Draft(2),
            Draft(3, groupTag: "Kiosk-Lobby_3"), Draft(4),
            Draft(5, user: "ada.lovelace@contoso.example"), Draft(6, groupTag: "Lab #2 (east)"));
        var export = await RunAsync(clock, "export", "--hub", hub, "--out", temp.File("out"), "--batch-size", "2", "--json");
        AssertExit(0, export);
        var files = JsonDocument.Parse(export.Out).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToArray();
        var script = temp.Write("read.ps1", """
            foreach ($file in $args) {
                $rows = @(Import-Csv -LiteralPath $file)
                $columns = @($rows[0].PSObject.Properties | ForEach-Object Name)
                [pscustomobject]@{ file = $file; columns = $columns; rows = $rows } | ConvertTo-Json -Depth 4 -Compress
            }
            """);

        var (code, stdout, stderr) = Run(RepoPaths.Pwsh, ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", script, .. files]);

        Assert.True(code == 0, stderr);
        var read = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, read.Count);
        string[] three = ["Device Serial Number", "Windows Product ID", "Hardware Hash"];
        Assert.Equal([three, [.. three, "Group Tag"], [.. three, "Group Tag", "Assigned User"]],
            read.Select(r => r.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray()));
        var rows = read.SelectMany(r => r.GetProperty("rows").EnumerateArray()).ToList();
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"CLT-{i:D7}"), rows.Select(r => r.GetProperty("Device Serial Number").GetString()));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => HashBuilder.Sample(i).Build()), rows.Select(r => r.GetProperty("Hardware Hash").GetString()));
        Assert.All(rows, r => Assert.Equal("", r.GetProperty("Windows Product ID").GetString()));
        Assert.Equal(["Kiosk-Lobby_3", ""], rows[2..4].Select(r => r.GetProperty("Group Tag").GetString()));
        Assert.Equal([("", "ada.lovelace@contoso.example"), ("Lab #2 (east)", "")],
            rows[4..].Select(r => (r.GetProperty("Group Tag").GetString(), r.GetProperty("Assigned User").GetString())));
    }

    [Fact]
    public async Task Files_powershell_writes_as_get_windows_autopilot_info_does_are_imported()
    {
        var devices = Enumerable.Range(1, 4).Select(HashBuilder.Sample).ToList();
        var input = temp.Write("devices.json", JsonSerializer.Serialize(devices.Select(d => new { serial = d.Serial, hash = d.Build() })));
        var folder = temp.File("written");
        Directory.CreateDirectory(folder);
        // Get-WindowsAutopilotInfo v3.9: one object per device with these columns (Group Tag with
        // -GroupTag, both with -AssignedUser), ConvertTo-Csv, every quote stripped, Out-File -Encoding
        // Unicode (UTF-16LE with BOM). On Linux Out-File ends lines with LF; the last file joins them
        // with CRLF as Windows does.
        var script = temp.Write("write.ps1", """
            param($in, $out)
            $devices = Get-Content -Raw -LiteralPath $in | ConvertFrom-Json
            function Rows($tag, $user) {
                foreach ($d in $devices) {
                    $c = [ordered]@{ 'Device Serial Number' = $d.serial; 'Windows Product ID' = ''; 'Hardware Hash' = $d.hash }
                    if ($user) { $c['Group Tag'] = $tag; $c['Assigned User'] = $user }
                    elseif ($tag) { $c['Group Tag'] = $tag }
                    [pscustomobject]$c
                }
            }
            Rows $null $null | ConvertTo-Csv -NoTypeInformation | ForEach-Object { $_ -replace '"','' } | Out-File (Join-Path $out 'three.csv') -Encoding Unicode
            Rows 'Kiosk' $null | ConvertTo-Csv -NoTypeInformation | ForEach-Object { $_ -replace '"','' } | Out-File (Join-Path $out 'four.csv') -Encoding Unicode
            Rows '' 'ada@contoso.example' | ConvertTo-Csv -NoTypeInformation | ForEach-Object { $_ -replace '"','' } | Out-File (Join-Path $out 'five.csv') -Encoding Unicode
            $lines = Rows 'Desk' $null | ConvertTo-Csv -NoTypeInformation | ForEach-Object { $_ -replace '"','' }
            (($lines -join "`r`n") + "`r`n") | Out-File (Join-Path $out 'crlf.csv') -Encoding Unicode -NoNewline
            """);
        var (code, _, stderr) = Run(RepoPaths.Pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-File", script, input, folder);
        Assert.True(code == 0, stderr);
        string[] names = ["three.csv", "four.csv", "five.csv", "crlf.csv"];
        Assert.All(names, n => Assert.Equal([0xFF, 0xFE], File.ReadAllBytes(Path.Combine(folder, n))[..2]));
        Assert.Contains("\r\n", System.Text.Encoding.Unicode.GetString(File.ReadAllBytes(Path.Combine(folder, "crlf.csv"))[2..]), StringComparison.Ordinal);

        var results = new List<(string Name, CliResult Result, List<(string, string, string)> Captures)>();
        foreach (var name in names)
        {
            var hub = temp.File($"{name}.db");
            var result = await RunAsync(clock, "import", Path.Combine(folder, name), "--tenant", Tenant, "--hub", hub);
            using var store = HubStore.Open(hub, clock);
            results.Add((name, result, [.. store.NewestCaptures().Select(c => (c.Capture.Serial, c.Capture.GroupTag, c.Capture.AssignedUser))]));
        }

        Assert.All(results, r => AssertExit(0, r.Result));
        Assert.All(results, r => Assert.Equal(devices.Select(d => d.Serial), r.Captures.Select(c => c.Item1)));
        Assert.Equal(["", "Kiosk", "", "Desk"], results.Select(r => r.Captures[0].Item2));
        Assert.Equal(["", "", "ada@contoso.example", ""], results.Select(r => r.Captures[0].Item3));
    }
}
