using System.Text.Json;
using Azure.Data.Tables;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Tests.Commands;

public sealed class StatusFromTableTests(Azurite azurite) : IClassFixture<Azurite>
{
    [Fact]
    public async Task Status_from_a_table_counts_rows_waiting_for_export_and_flagged_per_tenant_and_rows_per_stick()
    {
        var name = Azurite.NewTableName("status");
        var table = new TableClient(azurite.ConnectionString, name);
        await table.CreateAsync();
        var stick = Guid.NewGuid();
        var exported = Entity(1, stick, TestCaptures.Tenant);
        exported[DeviceEntity.ExportedAt] = DateTime.UtcNow;
        await table.AddEntityAsync(exported);
        await table.AddEntityAsync(Entity(9, stick, TestCaptures.Tenant)); // sample 9 has no TPM: flagged
        await table.AddEntityAsync(Entity(2, stick, TestCaptures.OtherTenant));
        await table.AddEntityAsync(new TableEntity(TestCaptures.Tenant.ToString("D"), "SEED-1")
        {
            [DeviceEntity.SerialNumber] = "SEED-1",
            [DeviceEntity.ProductId] = "",
            [DeviceEntity.HardwareHash] = HashBuilder.Sample(3).Build(),
        });

        var result = await Cli.RunAsync("status", "--table", azurite.ConnectionString, "--table-name", name, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var tenants = json.RootElement.GetProperty("tenants").EnumerateArray()
            .ToDictionary(t => t.GetProperty("tenantId").GetString()!, t => t);
        var main = tenants[TestCaptures.Tenant.ToString("D")];
        Assert.Equal((3, 2, 1), (main.GetProperty("devices").GetInt64(), main.GetProperty("waitingForExport").GetInt64(), main.GetProperty("flagged").GetInt64()));
        Assert.Equal(JsonValueKind.Null, main.GetProperty("waitingForUpload").ValueKind);
        Assert.Equal(1, tenants[TestCaptures.OtherTenant.ToString("D")].GetProperty("devices").GetInt64());
        var stickRow = Assert.Single(json.RootElement.GetProperty("sticks").EnumerateArray());
        Assert.Equal((stick.ToString("D"), 3), (stickRow.GetProperty("stickId").GetString(), stickRow.GetProperty("captures").GetInt64()));
        Assert.DoesNotContain(Azurite.AccountKey, result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_table_that_does_not_exist_is_a_cloud_error()
    {
        var result = await Cli.RunAsync("status", "--table", azurite.ConnectionString, "--table-name", Azurite.NewTableName("missing"));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Azurite.AccountKey, result.Out + result.Error, StringComparison.Ordinal);
    }

    private static TableEntity Entity(int sample, Guid stick, Guid tenant)
    {
        var hash = HashCodec.Check(HashBuilder.Sample(sample).Build()).Hash!;
        var capture = new CaptureDraft(tenant, hash, "", "", DateTimeOffset.UtcNow, "", "", CaptureMethods.Oa3Report, "test")
            .ToCapture(Guid.CreateVersion7(), sample, stick);
        return DeviceEntity.From(new HubCapture(capture, capture.CapturedAt));
    }
}
