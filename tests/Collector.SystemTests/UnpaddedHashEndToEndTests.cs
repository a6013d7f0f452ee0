using System.Diagnostics;
using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// The "done when", with the release's binaries: unpadded hashes (one and two '=' short,
/// wrapped over lines in the OA3 report as a device may give them) are captured by collect.exe
/// under Wine through the stick's Collect.cmd, synced by collector into a table (Azurite),
/// exported from it, and PowerShell 7's [Convert]::FromBase64String decodes every exported hash
/// to the bytes captured.
/// </summary>
[Collection(WineCollection.Name)]
public sealed class UnpaddedHashEndToEndTests(Wine wine, Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";
    private readonly TempDirectory temp = new("unpadded-e2e-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Unpadded_hashes_are_captured_synced_to_a_table_exported_padded_and_decoded_by_powershell_to_the_captured_bytes()
    {
        var devices = new[] { (Serial: "ARM-UNPAD-1", Length: 2999), (Serial: "ARM-UNPAD-2", Length: 2998) }
            .Select(d => new HashBuilder { Serial = d.Serial, Length = d.Length, SmbiosUuid = Guid.NewGuid() }).ToList();
        var stick = temp.File("stick");
        Directory.CreateDirectory(stick);
        var init = Programs.Run(Release.Collector, ["stick", "init", stick, "--tenant", Tenant]);
        Assert.True(init.ExitCode == 0, init.ToString());
        var table = Azurite.NewTableName("unpad");

        foreach (var device in devices)
        {
            var unpadded = device.Build().TrimEnd('=');
            Assert.NotEqual(0, unpadded.Length % 4);
            var wrapped = "\r\n" + string.Join("\r\n", unpadded.Chunk(64).Select(c => new string(c))) + "\r\n";
            var report = temp.Write($"{device.Serial}.xml", Oa3Reports.For(wrapped));
            var collect = wine.Run(["cmd", "/c", Wine.WindowsPath(Path.Combine(stick, "Collect.cmd")), "--oa3-report", Wine.WindowsPath(report)]);
            Assert.True(collect.ExitCode == 0, collect.ToString());
        }

        var sync = Programs.Run(Release.Collector, ["sync", stick, "--hub", temp.File("hub.db"), "--table-name", table, "--create-table"],
            new Dictionary<string, string> { ["COLLECTOR_TABLE"] = azurite.ConnectionString });
        var export = Programs.Run(Release.Collector, ["export", "--table", azurite.ConnectionString, "--table-name", table, "--out", temp.File("csv")]);

        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.True(export.ExitCode == 0, export.ToString());
        var rows = new TableClient(azurite.ConnectionString, table).Query<TableEntity>().ToDictionary(r => r.RowKey);
        Assert.Equal(devices.Select(d => d.Build()), devices.Select(d => rows[d.Serial].GetString("Hardware_Hash")));
        Assert.All(devices, d => Assert.Contains(HashFlags.UnpaddedInput, rows[d.Serial].GetString("Flags"), StringComparison.Ordinal));
        var csv = Assert.Single(Directory.GetFiles(temp.File("csv"), "*.csv"));
        var decoded = DecodeInPowerShell(csv);
        Assert.Equal(devices.ToDictionary(d => d.Serial, d => Convert.ToHexString(d.BuildBytes())), decoded);
    }

    /// <summary>Serial to hex of the bytes PowerShell 7 decodes from each row's Hardware Hash ([Convert]::FromBase64String refuses unpadded text).</summary>
    private Dictionary<string, string> DecodeInPowerShell(string csv)
    {
        var script = temp.Write("decode.ps1", """
            $ErrorActionPreference = 'Stop'
            foreach ($row in Import-Csv -LiteralPath $args[0]) {
                "$($row.'Device Serial Number')`t$([Convert]::ToHexString([Convert]::FromBase64String($row.'Hardware Hash')))"
            }
            """);
        var start = new ProcessStartInfo(RepoPaths.Pwsh) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-NoLogo", "-NoProfile", "-NonInteractive", "-File", script, csv })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error.Result);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split('\t')).ToDictionary(p => p[0], p => p[1]);
    }
}
