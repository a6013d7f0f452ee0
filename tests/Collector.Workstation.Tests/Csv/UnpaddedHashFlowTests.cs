using System.Text.Json;
using Azure.Data.Tables;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;
using Collector.Workstation.Tests.Sync;
using Collector.Workstation.Tests.Tables;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

/// <summary>
/// Unpadded hashes (as devices give them, Microsoft's troubleshooting guide says) wherever they
/// come in at the desk — a stick, a CSV, a row the seed script wrote — leave as canonical padded
/// base64, which PowerShell's [Convert]::FromBase64String decodes to the very bytes captured.
/// </summary>
public sealed class UnpaddedHashFlowTests(Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);

    public void Dispose() => temp.Dispose();

    /// <summary>Builder hashes of 2,999 bytes (one '=') and 2,998 bytes (two '=').</summary>
    private static HashBuilder Device(int sample, int length)
    {
        var builder = HashBuilder.Sample(sample);
        builder.Length = length;
        return builder;
    }

    [Fact]
    public async Task Unpadded_hashes_synced_to_a_table_and_exported_from_it_and_from_the_hub_decode_in_powershell_to_the_captured_bytes()
    {
        var devices = new[] { Device(1, 2999), Device(2, 2998), Device(3, 2998) };
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var stick = TestSticks.Create(temp.File("stick"), Day,
            [.. devices[..2].Select(d => Captured(d.Build().TrimEnd('='), Day.AddHours(1)))]);
        // The seed script stores what the device gave: the third device's row holds it unpadded.
        await new TableClient(azurite.ConnectionString, table).AddEntityAsync(new TableEntity(Tenant, devices[2].Serial)
        {
            [DeviceEntity.SerialNumber] = devices[2].Serial,
            [DeviceEntity.ProductId] = "",
            [DeviceEntity.HardwareHash] = devices[2].Build().TrimEnd('='),
            [DeviceEntity.GroupTag] = "",
        });

        var sync = await SyncRunner.ToAzuriteAsync(azurite, temp.File("hub.db"), table, null, stick);
        var fromTable = await RunAsync(clock, "export", "--table", azurite.ConnectionString, "--table-name", table, "--out", temp.File("table"), "--json");
        var fromHub = await RunAsync(clock, "export", "--hub", temp.File("hub.db"), "--out", temp.File("hub"), "--json");

        AssertExit(0, sync);
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal([devices[0].Build(), devices[1].Build()], devices[..2].Select(d => rows[d.Serial].GetString(DeviceEntity.HardwareHash)));
        Assert.All(devices[..2], d => Assert.Contains(HashFlags.UnpaddedInput, rows[d.Serial].GetString(DeviceEntity.Flags), StringComparison.Ordinal));
        AssertExit(0, fromTable);
        AssertExit(0, fromHub);
        Assert.Equal(devices.ToDictionary(d => d.Serial, d => d.Build()), CsvHashes(fromTable));
        Assert.Equal(devices[..2].ToDictionary(d => d.Serial, d => d.Build()), CsvHashes(fromHub));
        var decoded = DecodeInPowerShell([.. Files(fromTable), .. Files(fromHub)]);
        Assert.Equal(5, decoded.Count);
        Assert.All(decoded, row => Assert.Equal(Convert.ToHexString(devices.Single(d => d.Serial == row.Serial).BuildBytes()), row.Hex));
    }

    [Fact]
    public async Task An_unpadded_hash_in_a_csv_is_imported_as_its_padded_form_and_the_padded_file_adds_nothing_after_it()
    {
        var device = Device(4, 2998);
        var hub = temp.File("hub.db");
        var unpadded = temp.Write("unpadded.csv", $"{Header3}\r\n{device.Serial},,{device.Build().TrimEnd('=')}\r\n");
        var padded = temp.Write("padded.csv", $"{Header3}\r\n{CsvLine(device)}\r\n");

        var first = await RunAsync(clock, "import", unpadded, "--tenant", Tenant, "--hub", hub);
        var second = await RunAsync(clock, "import", padded, "--tenant", Tenant, "--hub", hub);

        AssertExit(0, first);
        AssertExit(0, second);
        Assert.Contains("1 row(s): 0 new, 1 already in the hub", second.Out, StringComparison.Ordinal);
        using var store = HubStore.Open(hub, clock, readOnly: true);
        var capture = Assert.Single(store.NewestCaptures()).Capture;
        Assert.Equal(device.Build(), capture.HardwareHash);
        Assert.Equal([HashFlags.Truncated, HashFlags.UnpaddedInput], capture.Flags);
    }

    [Fact]
    public async Task A_csv_row_whose_hash_no_byte_length_gives_is_rejected_with_its_line_and_the_rest_kept()
    {
        var good = Device(5, 2999);
        var text = Device(6, 2999).Build();
        var file = temp.Write("mixed.csv", $"{Header3}\r\n{CsvLine(good)}\r\nCLT-0000006,,{text[..^4]}A\r\nCLT-0000007,,{text[..40]}={text[41..]}\r\n");

        var result = await RunAsync(clock, "import", file, "--tenant", Tenant, "--hub", temp.File("hub.db"));

        AssertExit(5, result);
        Assert.Contains("mixed.csv:3: rejected: the hardware hash is invalid: the hash is not base64: 3,997 characters leave one over", result.Error, StringComparison.Ordinal);
        Assert.Contains("mixed.csv:4: rejected: the hardware hash is invalid: the hash is not base64: '=' at position 41", result.Error, StringComparison.Ordinal);
        using var store = HubStore.Open(temp.File("hub.db"), clock, readOnly: true);
        Assert.Equal([good.Serial], store.NewestCaptures().Select(c => c.Capture.Serial));
    }

    /// <summary>A capture of a hash as the device gave it, made the way collect makes one.</summary>
    private static CaptureDraft Captured(string asGiven, DateTimeOffset at)
    {
        var check = HashCodec.Check(asGiven);
        Assert.True(check.Valid, check.Problem);
        return new CaptureDraft(TestCaptures.Tenant, check.Hash!, "", "", at, "tech", "site-1", CaptureMethods.Wmi, "0.1.0-test");
    }

    private static string[] Files(CliResult export) =>
        [.. JsonDocument.Parse(export.Out).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()!)];

    private static Dictionary<string, string> CsvHashes(CliResult export) =>
        Files(export).SelectMany(Rows).ToDictionary(r => r[0], r => r[2]);

    /// <summary>Each row of the files as PowerShell 7 reads it: Import-Csv, then [Convert]::FromBase64String (which refuses unpadded text).</summary>
    private List<(string Serial, string Hex)> DecodeInPowerShell(string[] files)
    {
        var script = temp.Write("decode.ps1", """
            $ErrorActionPreference = 'Stop'
            foreach ($file in $args) {
                foreach ($row in Import-Csv -LiteralPath $file) {
                    $bytes = [Convert]::FromBase64String($row.'Hardware Hash')
                    "$($row.'Device Serial Number')`t$([Convert]::ToHexString($bytes))"
                }
            }
            """);
        var (code, stdout, stderr) = Run(RepoPaths.Pwsh, ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", script, .. files]);
        Assert.True(code == 0, stderr);
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split('\t')).Select(p => (p[0], p[1]))];
    }
}
