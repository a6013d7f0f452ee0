using System.Text.Json;
using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Commands;
using Collector.Workstation.Csv;
using Collector.Workstation.Export;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

public sealed class ExportFromTableTests(Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);
    private readonly string tableName = Azurite.NewTableName("exp");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Rows_the_seed_script_wrote_export_with_the_hash_serial_and_are_marked_by_merge()
    {
        var table = await TableAsync();
        var device = HashBuilder.Sample(3);
        await table.AddEntityAsync(SeedRow(Tenant, "wmi-serial-3", device, "Kiosk"));
        await table.AddEntityAsync(SeedRow(Tenant, "CLT-0000004", HashBuilder.Sample(4), ""));

        var result = await ExportAsync("--tenant", Tenant);

        AssertExit(0, result);
        var file = Directory.GetFiles(temp.File("out"), "*.csv").Single();
        Assert.Equal([["CLT-0000004", "", HashBuilder.Sample(4).Build(), ""], ["CLT-0000003", "", device.Build(), "Kiosk"]], Rows(file));
        var marked = (await table.GetEntityAsync<TableEntity>(Tenant, "wmi-serial-3")).Value;
        Assert.Equal(Day.UtcDateTime, marked.GetDateTimeOffset(DeviceEntity.ExportedAt)!.Value.UtcDateTime);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), marked.GetString(DeviceEntity.ExportBatch));
        Assert.Equal(("wmi-serial-3", "", device.Build(), "Kiosk"),
            (marked.GetString(DeviceEntity.SerialNumber), marked.GetString(DeviceEntity.ProductId), marked.GetString(DeviceEntity.HardwareHash), marked.GetString(DeviceEntity.GroupTag)));
    }

    [Fact]
    public async Task Rows_marked_exported_are_skipped_unless_all()
    {
        var table = await TableAsync();
        await table.AddEntityAsync(SeedRow(Tenant, "CLT-0000001", HashBuilder.Sample(1), ""));
        await ExportAsync();
        await table.AddEntityAsync(SeedRow(Tenant, "CLT-0000002", HashBuilder.Sample(2), ""));
        clock.Advance(TimeSpan.FromMinutes(1));

        var next = await ExportAsync("--json");
        var all = await ExportAsync("--json", "--all");

        Assert.Equal(1, JsonDocument.Parse(next.Out).RootElement.GetProperty("devices").GetInt32());
        Assert.Equal(2, JsonDocument.Parse(all.Out).RootElement.GetProperty("devices").GetInt32());
    }

    [Fact]
    public async Task Rows_sync_wrote_export_with_their_tag_and_user_and_keep_every_property()
    {
        var table = await TableAsync();
        var entity = DeviceEntity.From(HubCaptureOf(HashBuilder.Sample(5), "Lab", "ada@contoso.example"));
        await table.AddEntityAsync(entity);

        var result = await ExportAsync();

        AssertExit(0, result);
        Assert.Equal([["CLT-0000005", "", HashBuilder.Sample(5).Build(), "Lab", "ada@contoso.example"]], Rows(Directory.GetFiles(temp.File("out"), "*.csv").Single()));
        var after = (await table.GetEntityAsync<TableEntity>(Tenant, entity.RowKey)).Value;
        Assert.Equal(entity.GetString(DeviceEntity.CaptureId), after.GetString(DeviceEntity.CaptureId));
        Assert.Equal(("Northwind", "Northwind Desk 5", "Lab"),
            (after.GetString(DeviceEntity.Manufacturer), after.GetString(DeviceEntity.Model), after.GetString(DeviceEntity.GroupTag)));
        Assert.NotNull(after.GetString(DeviceEntity.ExportBatch));
    }

    [Fact]
    public async Task A_row_a_sync_replaces_while_its_file_is_written_stays_waiting_with_its_newer_capture()
    {
        var table = await TableAsync();
        await table.AddEntityAsync(DeviceEntity.From(HubCaptureOf(HashBuilder.Sample(1), "", "")));
        await table.AddEntityAsync(DeviceEntity.From(HubCaptureOf(HashBuilder.Sample(2), "", "")));
        var newer = HashBuilder.Sample(2);
        newer.DiskModel = "recaptured";
        var replaceDuringWrite = new HookWriter(new DurableBatchFileWriter(),
            () => table.UpsertEntity(DeviceEntity.From(HubCaptureOf(newer, "", "")), TableUpdateMode.Replace));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await ExportCommand.RunAsync(
            new ExportCommand.Options(null, true, azurite.ConnectionString, tableName, null, null, temp.File("out"), 500, false, false),
            Context(clock, output, error), replaceDuringWrite, CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.Contains("1 device(s) got a newer capture while exporting", output.ToString(), StringComparison.Ordinal);
        Assert.True((await table.GetEntityAsync<TableEntity>(Tenant, "CLT-0000001")).Value.ContainsKey(DeviceEntity.ExportedAt));
        Assert.False((await table.GetEntityAsync<TableEntity>(Tenant, "CLT-0000002")).Value.ContainsKey(DeviceEntity.ExportedAt));
        clock.Advance(TimeSpan.FromMinutes(1));
        var next = await ExportAsync("--json", "--out", temp.File("next"));
        var file = JsonDocument.Parse(next.Out).RootElement.GetProperty("files").EnumerateArray().Single().GetString()!;
        Assert.Equal([["CLT-0000002", "", newer.Build()]], Rows(file));
    }

    [Fact]
    public async Task Every_tenant_partition_is_exported_to_files_of_its_own_and_a_foreign_one_is_left_out()
    {
        var table = await TableAsync();
        await table.AddEntityAsync(SeedRow(Tenant, "CLT-0000001", HashBuilder.Sample(1), ""));
        await table.AddEntityAsync(SeedRow(TestCaptures.OtherTenant.ToString("D"), "CLT-0000002", HashBuilder.Sample(2), ""));
        await table.AddEntityAsync(SeedRow("not-a-tenant", "CLT-0000003", HashBuilder.Sample(3), ""));

        var result = await ExportAsync();

        AssertExit(5, result);
        Assert.Equal(2, Directory.GetFiles(temp.File("out"), "*.csv").Length);
        Assert.Contains("left out CLT-0000003: its PartitionKey 'not-a-tenant' is not a tenant id", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_with_a_missing_or_invalid_hash_are_left_out_and_the_rest_exported()
    {
        var table = await TableAsync();
        var broken = HashBuilder.Sample(2).BuildBytes();
        broken[40] ^= 0x11;
        await table.AddEntityAsync(SeedRow(Tenant, "CLT-0000001", HashBuilder.Sample(1), ""));
        await table.AddEntityAsync(new TableEntity(Tenant, "CLT-0000002") { [DeviceEntity.HardwareHash] = Convert.ToBase64String(broken) });
        await table.AddEntityAsync(new TableEntity(Tenant, "CLT-0000003") { [DeviceEntity.SerialNumber] = "CLT-0000003" });

        var result = await ExportAsync("--json");

        AssertExit(5, result);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(1, json.GetProperty("devices").GetInt32());
        var reasons = json.GetProperty("leftOut").EnumerateArray().ToDictionary(l => l.GetProperty("deviceKey").GetString()!, l => l.GetProperty("reason").GetString()!);
        Assert.StartsWith("the hardware hash is invalid", reasons["CLT-0000002"], StringComparison.Ordinal);
        Assert.Equal("the row has no Hardware_Hash", reasons["CLT-0000003"]);
        Assert.False((await table.GetEntityAsync<TableEntity>(Tenant, "CLT-0000002")).Value.ContainsKey(DeviceEntity.ExportedAt));
    }

    [Fact]
    public async Task Table_without_a_value_takes_the_target_from_collector_table()
    {
        var table = await TableAsync();
        await table.AddEntityAsync(SeedRow(Tenant, "CLT-0000001", HashBuilder.Sample(1), ""));
        var environment = new Dictionary<string, string> { ["COLLECTOR_TABLE"] = azurite.ConnectionString };

        var result = await RunAsync(clock, environment, "export", "--table", "--table-name", tableName, "--out", temp.File("out"));
        var unset = await RunAsync(clock, "export", "--table", "--table-name", tableName, "--out", temp.File("unset"));

        AssertExit(0, result);
        Assert.Single(Directory.GetFiles(temp.File("out"), "*.csv"));
        AssertExit(2, unset);
        Assert.Contains("--table names no table and COLLECTOR_TABLE is not set", unset.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_table_that_does_not_exist_exits_4()
    {
        var result = await ExportAsync();

        AssertExit(4, result);
        Assert.Contains($"table '{tableName}'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Azurite.AccountKey, result.Error, StringComparison.Ordinal);
    }

    private async Task<CliResult> ExportAsync(params string[] more)
    {
        string[] args = ["export", "--table", azurite.ConnectionString, "--table-name", tableName, .. more];
        return await RunAsync(clock, more.Contains("--out") ? args : [.. args, "--out", temp.File("out")]);
    }

    private async Task<TableClient> TableAsync()
    {
        var table = new TableClient(azurite.ConnectionString, tableName);
        await table.CreateIfNotExistsAsync();
        return table;
    }

    /// <summary>A row as the seed script writes it: its four columns and nothing else.</summary>
    private static TableEntity SeedRow(string partition, string serial, HashBuilder device, string groupTag) =>
        new(partition, serial)
        {
            [DeviceEntity.SerialNumber] = serial,
            [DeviceEntity.ProductId] = "",
            [DeviceEntity.HardwareHash] = device.Build(),
            [DeviceEntity.GroupTag] = groupTag,
        };

    private static HubCapture HubCaptureOf(HashBuilder device, string groupTag, string user)
    {
        var row = new CsvDeviceRow(2, device.Serial, "", device.Build(), groupTag, user, "", "");
        return new HubCapture(CsvImport.ToCapture(row, TestCaptures.Tenant, null, Day, "test").Capture!, Day);
    }

    /// <summary>Does something (a concurrent sync) while the first file is being written.</summary>
    private sealed class HookWriter(IBatchFileWriter inner, Action duringFirstFile) : IBatchFileWriter
    {
        private bool done;

        public void Write(string path, ReadOnlySpan<byte> content)
        {
            if (!done)
            {
                done = true;
                duringFirstFile();
            }

            inner.Write(path, content);
        }
    }
}
