using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Testing.Graph;
using Collector.Workstation.Graph;
using Collector.Workstation.Hub;
using Collector.Workstation.Register;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Tests.Register;

public sealed class RegisterFromTableTests(Azurite azurite) : RegisterKit, IClassFixture<Azurite>
{
    private readonly string tableName = Azurite.NewTableName("reg");

    [Fact]
    public async Task Outcomes_merge_into_the_devices_rows_and_the_hub_keeps_the_import_records()
    {
        var table = Tables.TestTables.Create(azurite, tableName);
        await table.AddEntityAsync(Row(1));
        await table.AddEntityAsync(Row(2));
        await table.AddEntityAsync(SeedRow(3));
        Graph.Script(Serial(2), StandInOutcome.OtherTenant);

        var result = await RegisterFromTableAsync("--json");

        AssertExit(5, result);
        var rows = Tables.TestTables.Rows(azurite, tableName);
        Assert.Equal((RegistrationStates.Registered, ""), (rows[Serial(1)].GetString(DeviceEntity.RegistrationState), rows[Serial(1)].GetString(DeviceEntity.RegistrationError)));
        Assert.NotNull(rows[Serial(1)].GetDateTimeOffset(DeviceEntity.RegisteredAt));
        Assert.Equal((RegistrationStates.OtherTenant, "808 ZtdDeviceAssignedToOtherTenant"),
            (rows[Serial(2)].GetString(DeviceEntity.RegistrationState), rows[Serial(2)].GetString(DeviceEntity.RegistrationError)));
        Assert.Null(rows[Serial(2)].GetDateTimeOffset(DeviceEntity.RegisteredAt));
        Assert.Equal(RegistrationStates.Registered, rows["wmi-serial-3"].GetString(DeviceEntity.RegistrationState));
        Assert.Equal(HashBuilder.Sample(1).Build(), rows[Serial(1)].GetString(DeviceEntity.HardwareHash));
        Assert.Equal(3, Registrations().Count);
        Assert.Empty(Graph.Records(Tenant));
    }

    [Fact]
    public async Task A_row_replaced_by_a_newer_capture_meanwhile_is_not_written_over()
    {
        var table = Tables.TestTables.Create(azurite, tableName);
        await table.AddEntityAsync(Row(1));
        await table.AddEntityAsync(Row(2));
        var newer = Row(2, Guid.NewGuid());
        newer[DeviceEntity.CapturedAt] = DateTime.UtcNow.AddDays(1);
        Graph.OnImport = () => table.UpsertEntity(newer, TableUpdateMode.Replace); // a sync from another desk

        var result = await RegisterFromTableAsync();

        AssertExit(0, result);
        var rows = Tables.TestTables.Rows(azurite, tableName);
        Assert.Equal(RegistrationStates.Registered, rows[Serial(1)].GetString(DeviceEntity.RegistrationState));
        Assert.False(rows[Serial(2)].ContainsKey(DeviceEntity.RegistrationState), "written over the newer capture");
        Assert.Equal(newer.GetString(DeviceEntity.CaptureId), rows[Serial(2)].GetString(DeviceEntity.CaptureId));
    }

    [Fact]
    public async Task Rows_another_desk_registered_are_not_sent_again_and_status_counts_them()
    {
        var table = Tables.TestTables.Create(azurite, tableName);
        var done = Row(1);
        done[DeviceEntity.RegistrationState] = RegistrationStates.Registered;
        await table.AddEntityAsync(done);
        await table.AddEntityAsync(Row(2));

        var result = await RegisterFromTableAsync("--json");
        var status = await Cli.RunAsync("status", "--table", azurite.ConnectionString, "--table-name", tableName, "--json");

        AssertExit(0, result);
        Assert.Equal([Serial(2)], Graph.Created.Select(r => r.Serial));
        var tenant = System.Text.Json.JsonDocument.Parse(status.Out).RootElement.GetProperty("tenants")[0];
        Assert.Equal((2, 0, 0), (tenant.GetProperty("registered").GetInt64(), tenant.GetProperty("registrationPending").GetInt64(), tenant.GetProperty("refused").GetInt64()));
    }

    private Task<CliResult> RegisterFromTableAsync(params string[] args) =>
        RegisterWithAsync(new() { [GraphToken.EnvironmentVariable] = TenantToken, [WorkstationContext.HubVariable] = HubPath }, null,
            [.. args, "--table", azurite.ConnectionString, "--table-name", tableName]);

    private static TableEntity Row(int sample, Guid? captureId = null)
    {
        var capture = TestCaptures.Draft(sample, DateTimeOffset.UtcNow).ToCapture(captureId ?? Guid.NewGuid(), 1, Guid.NewGuid());
        return DeviceEntity.From(new HubCapture(capture, capture.CapturedAt));
    }

    /// <summary>A row as the seed script writes it: its four columns, keyed by the BIOS serial WMI gave.</summary>
    private static TableEntity SeedRow(int sample) => new(Tenant.ToString("D"), $"wmi-serial-{sample}")
    {
        [DeviceEntity.SerialNumber] = $"wmi-serial-{sample}",
        [DeviceEntity.ProductId] = "",
        [DeviceEntity.HardwareHash] = HashBuilder.Sample(sample).Build(),
        [DeviceEntity.GroupTag] = "",
    };
}
