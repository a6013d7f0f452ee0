using System.Security.Cryptography;
using System.Text.Json;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Tests.Hub;

public sealed class HubSchemaTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string HubPath => temp.File("hub", "hub.db");

    [Fact]
    public void A_new_hub_is_made_at_the_current_schema_with_its_upload_target_table()
    {
        using (HubStore.Open(HubPath, TimeProvider.System))
        {
        }

        Assert.Equal(HubStore.SchemaVersion, UserVersion());
        Assert.True(HasUploadTargetTable());
    }

    [Fact]
    public void A_writer_migrates_a_schema_1_hub_and_keeps_what_it_holds()
    {
        OldHubDatabases.CreateSchema1(HubPath, Guid.NewGuid());

        using var hub = HubStore.Open(HubPath, TimeProvider.System);

        Assert.Equal(HubStore.SchemaVersion, UserVersion());
        Assert.True(HasUploadTargetTable());
        Assert.Equal((1, 1), (hub.CountDevices(), hub.CountCaptures()));
        Assert.Equal("CLT-0000001", Assert.Single(hub.NewestCaptures()).Capture.DeviceKey);
        Assert.False(hub.UseUploadTarget("http://127.0.0.1:1/acct/first"));
    }

    [Fact]
    public void A_writer_migrates_an_older_hub_to_hold_registrations()
    {
        OldHubDatabases.CreateSchema1(HubPath, Guid.NewGuid());

        using var hub = HubStore.Open(HubPath, TimeProvider.System);

        Assert.True(Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'registrations'") == 1);
        Assert.Equal(0, Assert.Single(hub.TenantStatuses()).Registered);
        Assert.Empty(hub.Registrations(TestCaptures.Tenant));
    }

    [Fact]
    public async Task Status_shows_no_registration_counts_for_a_hub_that_predates_them()
    {
        OldHubDatabases.CreateSchema1(HubPath, Guid.NewGuid());

        var result = await Cli.RunAsync("status", "--hub", HubPath, "--json");

        Assert.Equal(0, result.ExitCode);
        var tenant = Assert.Single(JsonDocument.Parse(result.Out).RootElement.GetProperty("tenants").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, tenant.GetProperty("registered").ValueKind);
        Assert.DoesNotContain("registered", (await Cli.RunAsync("status", "--hub", HubPath)).Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_1_hub_that_synced_to_a_table_keeps_its_upload_target()
    {
        OldHubDatabases.CreateSchema1(HubPath, Guid.NewGuid());
        OldHubDatabases.AddUploadTargetAsSchema1SyncDid(HubPath, "http://127.0.0.1:1/acct/first");

        using var hub = HubStore.Open(HubPath, TimeProvider.System);

        Assert.Equal(HubStore.SchemaVersion, UserVersion());
        Assert.False(hub.UseUploadTarget("http://127.0.0.1:1/acct/first"));
        Assert.True(hub.UseUploadTarget("http://127.0.0.1:1/acct/second"));
    }

    [Fact]
    public void A_writer_gives_csv_imports_of_an_older_hub_their_own_stick_id_and_its_captures_an_unknown_collect_architecture()
    {
        var stick = Guid.NewGuid();
        OldHubDatabases.CreateSchema1(HubPath, stick);
        OldStickDatabases.Execute(HubPath, $"""
            INSERT INTO captures SELECT '{Guid.NewGuid():D}', device_id, 2, tenant_id, serial, device_key, hardware_hash || '', smbios_uuid, manufacturer,
                model, tpm_present, nic_count, product_key_id, group_tag, assigned_user, captured_at, technician, site,
                '{Guid.Empty:D}', 'csv-import', collector_version, flags, effective_at, merged_at FROM captures;
            """);

        using (HubStore.Open(HubPath, TimeProvider.System))
        {
        }

        Assert.Equal(HubStore.SchemaVersion, UserVersion());
        using var connection = new SqliteConnection($"Data Source={HubPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        Assert.Equal([$"csv-import|{CsvImport.ImportStickId:D}|", $"oa3-report|{stick:D}|"],
            connection.Lines("SELECT method || '|' || stick_id || '|' || collect_architecture FROM captures ORDER BY method"));
    }

    [Fact]
    public async Task A_writer_migrates_an_older_hub_to_track_export_per_format_and_keeps_its_autopilot_exports()
    {
        OldHubDatabases.CreateSchema1(HubPath, Guid.NewGuid());
        OldStickDatabases.Execute(HubPath, """
            UPDATE devices SET exported_capture_id = newest_capture_id, exported_at = '2026-01-07T08:00:00.0000000Z', export_batch = 'old-batch';
            INSERT INTO exports VALUES ('old-batch', '5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01', 'old.csv', 1, '2026-01-07T08:00:00.0000000Z');
            """);
        var output = temp.File("out");

        var autopilot = await Cli.RunAsync("export", "--hub", HubPath, "--out", output);
        var identifiers = await Cli.RunAsync("export", "--hub", HubPath, "--out", output, "--format", "identifiers", "--json");

        Assert.Equal(0, autopilot.ExitCode);
        Assert.Contains("Nothing to export", autopilot.Out, StringComparison.Ordinal);
        Assert.Equal(0, identifiers.ExitCode);
        Assert.Equal(1, JsonDocument.Parse(identifiers.Out).RootElement.GetProperty("devices").GetInt32());
        Assert.Equal(HubStore.SchemaVersion, UserVersion());
        using var connection = new SqliteConnection($"Data Source={HubPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        Assert.Equal(["autopilot|old-batch", "identifiers|"], connection.Lines("SELECT format || '|' || CASE batch WHEN 'old-batch' THEN batch ELSE '' END FROM exports ORDER BY format"));
        Assert.Equal(["identifiers"], connection.Lines("SELECT format FROM device_exports"));
    }

    [Fact]
    public async Task Status_reads_a_schema_1_hub_without_changing_it()
    {
        OldHubDatabases.CreateSchema1(HubPath, Guid.NewGuid());
        var before = SHA256.HashData(File.ReadAllBytes(HubPath));

        var result = await Cli.RunAsync("status", "--hub", HubPath, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(1, Assert.Single(json.RootElement.GetProperty("tenants").EnumerateArray()).GetProperty("devices").GetInt64());
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(HubPath)));
        Assert.Equal(1, UserVersion());
        Assert.False(HasUploadTargetTable());
    }

    private long UserVersion() => Scalar("PRAGMA user_version");

    private bool HasUploadTargetTable() => Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'upload_target'") == 1;

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={HubPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection.Scalar<long>(null, sql);
    }
}
