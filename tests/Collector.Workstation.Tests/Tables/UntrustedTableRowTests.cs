using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Tables;
using Collector.Workstation.Tests.Sync;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Tables;

/// <summary>
/// Rows read from a table are checked like captures from a stick: a row whose hash does not
/// validate names no device and carries no time; and a table SAS works for export's marks.
/// </summary>
public sealed class UntrustedTableRowTests(Collector.Testing.Azurite azurite) : IClassFixture<Collector.Testing.Azurite>, IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_seed_row_whose_hash_is_damaged_is_replaced_not_taken_for_another_device()
    {
        var table = TestTables.Create(azurite, Collector.Testing.Azurite.NewTableName());
        var other = HashBuilder.Sample(2).BuildBytes();
        other[300] ^= 0x10; // another device's hash, its checksum no longer matching
        await table.AddEntityAsync(new TableEntity(Tenant, "CLT-0000001")
        {
            [DeviceEntity.SerialNumber] = "CLT-0000001",
            [DeviceEntity.ProductId] = "",
            [DeviceEntity.HardwareHash] = Convert.ToBase64String(other),
            [DeviceEntity.GroupTag] = "",
        });
        var day = DateTimeOffset.UtcNow.AddDays(-3);
        var stick = TestSticks.Create(temp.File("s"), day, TestSticks.Samples(1, 1, day.AddHours(1)));

        var result = await SyncRunner.ToAzuriteAsync(azurite, temp.File("hub.db"), table.Name, null, stick);

        Assert.Equal(0, result.ExitCode);
        var rows = TestTables.Rows(azurite, table.Name);
        var row = Assert.Single(rows).Value;
        Assert.Equal("CLT-0000001", row.RowKey);
        Assert.Equal(HashBuilder.Sample(1).Build(), row.GetString(DeviceEntity.HardwareHash));
    }

    [Fact]
    public async Task Export_through_a_table_sas_with_read_and_update_marks_what_it_wrote()
    {
        var table = TestTables.Create(azurite, Collector.Testing.Azurite.NewTableName("sas"));
        await table.AddEntityAsync(new TableEntity(Tenant, "CLT-0000001")
        {
            [DeviceEntity.SerialNumber] = "CLT-0000001",
            [DeviceEntity.HardwareHash] = HashBuilder.Sample(1).Build(),
        });
        var sas = table.GenerateSasUri(TableSasPermissions.Read | TableSasPermissions.Update, DateTimeOffset.UtcNow.AddHours(1)).ToString();

        var result = await RunAsync(new ManualClock(Day), "export", "--table", sas, "--out", temp.File("out"));

        AssertExit(0, result);
        Assert.Single(Directory.GetFiles(temp.File("out"), "*.csv"));
        Assert.True((await table.GetEntityAsync<TableEntity>(Tenant, "CLT-0000001")).Value.ContainsKey(DeviceEntity.ExportedAt));
        TestTables.AssertNoSecret(result, TestTables.Signature(sas));
    }
}
