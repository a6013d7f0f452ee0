using System.Text.Json;
using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Tables;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

/// <summary>export --format from an Azure table (Azurite): each format marks rows with its own properties.</summary>
public sealed class ExportFormatsFromTableTests(Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);
    private readonly string tableName = Azurite.NewTableName("fmt");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Identifiers_from_seed_rows_come_from_the_hash_and_mark_the_rows_with_their_own_properties()
    {
        var table = await TableAsync();
        await table.AddEntityAsync(SeedRow("wmi-serial-3", HashBuilder.Sample(3)));
        await table.AddEntityAsync(SeedRow("CLT-0000004", HashBuilder.Sample(4)));

        var result = await ExportAsync("identifiers", "one");

        AssertExit(0, result);
        var file = Directory.GetFiles(temp.File("one"), "identifiers-*.csv").Single();
        Assert.Equal(Line(4) + Line(3), File.ReadAllText(file));
        var row = (await table.GetEntityAsync<TableEntity>(Tenant, "wmi-serial-3")).Value;
        Assert.Equal(Day.UtcDateTime, row.GetDateTimeOffset(DeviceEntity.IdentifiersExportedAt)!.Value.UtcDateTime);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), row.GetString(DeviceEntity.IdentifiersExportBatch));
        Assert.False(row.ContainsKey(DeviceEntity.ExportedAt));
    }

    [Fact]
    public async Task Each_format_waits_on_its_own_mark()
    {
        await (await TableAsync()).AddEntityAsync(SeedRow("CLT-0000001", HashBuilder.Sample(1)));

        var identifiers = await ExportAsync("identifiers", "i1");
        var identifiersAgain = await ExportAsync("identifiers", "i2");
        var autopilot = await ExportAsync("autopilot", "a1");
        var partner = await ExportAsync("partner", "p1");
        var partnerAgain = await ExportAsync("partner", "p2");
        var partnerAll = await ExportAsync("partner", "p3", "--all");

        Assert.Equal([1, 0, 1, 1, 0, 1], new[] { identifiers, identifiersAgain, autopilot, partner, partnerAgain, partnerAll }
            .Select(r => JsonDocument.Parse(r.Out).RootElement.GetProperty("devices").GetInt32()));
        var row = (await (await TableAsync()).GetEntityAsync<TableEntity>(Tenant, "CLT-0000001")).Value;
        Assert.True(row.ContainsKey(DeviceEntity.ExportedAt));
        Assert.True(row.ContainsKey(DeviceEntity.PartnerExportedAt));
        Assert.True(row.ContainsKey(DeviceEntity.IdentifiersExportedAt));
    }

    [Fact]
    public async Task A_row_replaced_by_a_newer_capture_waits_again_for_identifiers()
    {
        var table = await TableAsync();
        await table.AddEntityAsync(SeedRow("CLT-0000001", HashBuilder.Sample(1)));
        await ExportAsync("identifiers", "i1");
        var recaptured = HashBuilder.Sample(1);
        recaptured.DiskModel = "replacement disk";
        await table.UpsertEntityAsync(SeedRow("CLT-0000001", recaptured), TableUpdateMode.Replace); // what sync does with a newer capture

        var again = await ExportAsync("identifiers", "i2");

        Assert.Equal(1, JsonDocument.Parse(again.Out).RootElement.GetProperty("devices").GetInt32());
    }

    private async Task<CliResult> ExportAsync(string format, string folder, params string[] more) =>
        await RunAsync(clock, ["export", "--table", azurite.ConnectionString, "--table-name", tableName, "--format", format, "--out", temp.File(folder), "--json", .. more]);

    private async Task<TableClient> TableAsync()
    {
        var table = new TableClient(azurite.ConnectionString, tableName);
        await table.CreateIfNotExistsAsync();
        return table;
    }

    /// <summary>A row as the seed script writes it: its four columns and nothing else.</summary>
    private static TableEntity SeedRow(string serial, HashBuilder device) =>
        new(Tenant, serial)
        {
            [DeviceEntity.SerialNumber] = serial,
            [DeviceEntity.ProductId] = "",
            [DeviceEntity.HardwareHash] = device.Build(),
            [DeviceEntity.GroupTag] = "",
        };

    private static string Line(int sample)
    {
        var device = HashBuilder.Sample(sample);
        return $"{device.Manufacturer},{device.Model},{device.Serial}\r\n";
    }
}
