using System.Text.Json;
using Azure.Data.Tables;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;
using Collector.Workstation.Tests.Sync;
using Collector.Workstation.Tests.Tables;

namespace Collector.Workstation.Tests.Commands;

/// <summary>sync against a real table service (Azurite): what lands in the table, and what is sent.</summary>
public sealed class SyncCommandTableTests(Collector.Testing.Azurite azurite) : IClassFixture<Collector.Testing.Azurite>, IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-3);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_first_sync_of_several_sticks_uploads_the_newest_capture_of_every_device_as_the_design_says()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        TestSticks.Create(temp.File("sticks", "a"), Day, TestSticks.Samples(1, 5, Day.AddHours(1), groupTag: "a"));
        TestSticks.Create(temp.File("sticks", "b"), Day, TestSticks.Samples(4, 8, Day.AddHours(2), groupTag: "b"));
        TestSticks.Create(temp.File("sticks", "c"), Day, TestSticks.Samples(1, 1, Day.AddHours(3), TestCaptures.OtherTenant, "c"));

        var result = await Cli.RunAsync("sync", temp.File("sticks"), "--hub", Hub("desk"), "--table", azurite.ConnectionString, "--table-name", table, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(9, json.RootElement.GetProperty("devices").GetProperty("uploaded").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("devices").GetProperty("waiting").GetInt32());
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"CLT-{i:D7}"), rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a", "a", "a", "b", "b", "b", "b", "b"], rows.Values.OrderBy(r => r.RowKey, StringComparer.Ordinal).Select(r => r.GetString("Group_Tag")));
        Assert.Equal("c", Assert.Single(TestTables.Rows(azurite, table, TestCaptures.OtherTenant).Values).GetString("Group_Tag"));
        AssertDesignEntity(rows["CLT-0000004"], HashBuilder.Sample(4));
        TestTables.AssertNoSecret(result, Collector.Testing.Azurite.AccountKey);
    }

    [Fact]
    public async Task A_second_sync_with_nothing_new_sends_no_write()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var stick = TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 250, Day.AddHours(1)));
        var log = new RequestLog();
        var first = await Sync(Hub("desk"), table, log, stick);
        log.Clear();

        var second = await Sync(Hub("desk"), table, log, stick);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, log.Writes);
        Assert.Equal(1, log.Reads); // the check that the table is there, nothing more
        Assert.Equal(250, TestTables.Rows(azurite, table).Count);
        TestTables.AssertNoSecret(second, Collector.Testing.Azurite.AccountKey);
    }

    [Fact]
    public async Task An_older_capture_from_another_desk_never_replaces_a_newer_one()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var newer = TestSticks.Create(temp.File("newer"), Day, TestSticks.Samples(1, 3, Day.AddHours(5), groupTag: "newer"));
        var older = TestSticks.Create(temp.File("older"), Day, TestSticks.Samples(1, 3, Day.AddHours(1), groupTag: "older"));
        await Sync(Hub("a"), table, null, newer);
        var before = TestTables.Rows(azurite, table).ToDictionary(r => r.Key, r => r.Value.ETag);
        var log = new RequestLog();

        var result = await Sync(Hub("b"), table, log, older);
        var writes = log.Writes;
        var again = await Sync(Hub("b"), table, log, older);

        Assert.Equal(0, result.ExitCode);
        var devices = Devices(result);
        Assert.Equal((0, 3), (devices.GetProperty("uploaded").GetInt32(), devices.GetProperty("newerInTable").GetInt32()));
        Assert.Equal(0, Devices(again).GetProperty("newerInTable").GetInt32());
        Assert.Equal(1, writes); // b's unread Add, refused because the rows exist
        Assert.Equal(writes, log.Writes); // and the second sync knows the table is newer
        var after = TestTables.Rows(azurite, table);
        Assert.All(after.Values, row => Assert.Equal("newer", row.GetString("Group_Tag")));
        Assert.Equal(before, after.ToDictionary(r => r.Key, r => r.Value.ETag)); // not one row rewritten
    }

    [Fact]
    public async Task A_newer_capture_from_another_desk_replaces_the_older_row()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var older = TestSticks.Create(temp.File("older"), Day, TestSticks.Samples(1, 3, Day.AddHours(1), groupTag: "older"));
        var newer = TestSticks.Create(temp.File("newer"), Day, TestSticks.Samples(2, 4, Day.AddHours(5), groupTag: "newer"));
        await Sync(Hub("a"), table, null, older);

        var result = await Sync(Hub("b"), table, null, newer);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, Devices(result).GetProperty("uploaded").GetInt32());
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(["older", "newer", "newer", "newer"], rows.Values.OrderBy(r => r.RowKey, StringComparer.Ordinal).Select(r => r.GetString("Group_Tag")));
    }

    [Fact]
    public async Task A_later_capture_at_the_same_desk_replaces_its_row_without_reading_it_first()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        await Sync(Hub("desk"), table, null, TestSticks.Create(temp.File("first"), Day, TestSticks.Samples(1, 120, Day.AddHours(1), groupTag: "first")));
        var log = new RequestLog();

        var result = await Sync(Hub("desk"), table, log, TestSticks.Create(temp.File("second"), Day, TestSticks.Samples(1, 120, Day.AddHours(4), groupTag: "second")));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(120, Devices(result).GetProperty("uploaded").GetInt32());
        Assert.Equal(1, log.Reads); // the hub's ETags make the replace conditional without reading back
        Assert.Equal(2, log.Batches);
        Assert.All(TestTables.Rows(azurite, table).Values, row => Assert.Equal("second", row.GetString("Group_Tag")));
    }

    [Fact]
    public async Task Placeholder_serials_land_under_uuid_keys()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var oem = new HashBuilder { Serial = "To be filled by O.E.M.", SmbiosUuid = Guid.Parse("11111111-2222-3333-4444-555555555555") };
        var zeros = new HashBuilder { Serial = "0000000", SmbiosUuid = Guid.Parse("66666666-7777-8888-9999-aaaaaaaaaaaa") };
        var stick = TestSticks.Create(temp.File("a"), Day, TestCaptures.Draft(oem, Day.AddHours(1)), TestCaptures.Draft(zeros, Day.AddHours(2)));

        var result = await Sync(Hub("desk"), table, null, stick);

        Assert.Equal(0, result.ExitCode);
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(["uuid:11111111-2222-3333-4444-555555555555", "uuid:66666666-7777-8888-9999-aaaaaaaaaaaa"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("To be filled by O.E.M.", rows["uuid:11111111-2222-3333-4444-555555555555"].GetString("Device_Serial_Number"));
    }

    [Fact]
    public async Task Two_devices_sharing_a_serial_both_survive_on_one_desk()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var twin = HashBuilder.Sample(1);
        twin.SmbiosUuid = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        var a = TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 1, Day.AddHours(1)));
        var b = TestSticks.Create(temp.File("b"), Day, TestCaptures.Draft(twin, Day.AddHours(2)));

        var result = await Sync(Hub("desk"), table, null, a, b);

        Assert.Equal(0, result.ExitCode);
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(["CLT-0000001", "CLT-0000001~aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(HashFlags.SerialCollision, rows["CLT-0000001~aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"].GetString("Flags"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_devices_sharing_a_serial_both_survive_across_desks_and_the_second_desk_remembers_the_key()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var twin = HashBuilder.Sample(1);
        twin.SmbiosUuid = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        var first = TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        var second = TestSticks.Create(temp.File("b"), Day, TestCaptures.Draft(twin, Day.AddHours(2)));
        await Sync(Hub("a"), table, null, first);
        var log = new RequestLog();

        var result = await Sync(Hub("b"), table, null, second);
        var again = await Sync(Hub("b"), table, log, second);
        var later = await Sync(Hub("b"), table, null, TestSticks.Create(temp.File("c"), Day, TestCaptures.Draft(twin, Day.AddHours(6), groupTag: "later")));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(0, log.Writes);
        Assert.Equal(1, Devices(later).GetProperty("uploaded").GetInt32());
        var rows = TestTables.Rows(azurite, table);
        const string Key = "CLT-0000001~aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        Assert.Equal(["CLT-0000001", Key, "CLT-0000002", "CLT-0000003"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(HashBuilder.Sample(1).SmbiosUuid!.Value.ToString("D"), rows["CLT-0000001"].GetString("Smbios_Uuid"));
        Assert.Equal("later", rows[Key].GetString("Group_Tag"));
        Assert.Contains(HashFlags.SerialCollision, rows[Key].GetString("Flags"), StringComparison.Ordinal);
        using var hub = HubStore.Open(Hub("b"), TimeProvider.System, readOnly: true);
        Assert.Equal(Key, Assert.Single(hub.NewestCaptures()).Capture.DeviceKey);
    }

    [Fact]
    public async Task Serials_with_reserved_characters_and_spaces_round_trip()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        string[] serials = ["SN/0001", @"SN\0002", "SN#0003", "SN?0004", "SN%0005", "SN 0006 X", "50%/#?\\ mix"];
        var drafts = serials.Select((s, i) =>
        {
            var builder = HashBuilder.Sample(i + 1);
            builder.Serial = s;
            return TestCaptures.Draft(builder, Day.AddHours(1));
        }).ToArray();
        var stick = TestSticks.Create(temp.File("a"), Day, drafts);
        var log = new RequestLog();

        var result = await Sync(Hub("desk"), table, null, stick);
        var again = await Sync(Hub("desk"), table, log, stick);

        Assert.Equal(0, result.ExitCode);
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(serials.Order(StringComparer.Ordinal), rows.Values.Select(r => r.GetString("Device_Serial_Number")).Order(StringComparer.Ordinal));
        Assert.All(rows.Values, row => Assert.Equal(row.GetString("Device_Serial_Number"), DeviceEntity.DecodeRowKey(row.RowKey)));
        Assert.Contains("SN%2F0001", rows.Keys);
        Assert.Contains("SN%250005", rows.Keys);
        Assert.Equal(0, log.Writes);
    }

    [Fact]
    public async Task New_devices_are_added_unread_while_the_table_holds_nothing_this_hub_does_not_know()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        await Sync(Hub("desk"), table, null, TestSticks.Create(temp.File("big"), Day, TestSticks.Samples(1, 1500, Day.AddHours(1))));
        var log = new RequestLog();

        var result = await Sync(Hub("desk"), table, log, TestSticks.Create(temp.File("new"), Day, [.. Scattered(100, 700, 1400)]));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, Devices(result).GetProperty("uploaded").GetInt32());
        Assert.Equal(1, log.Reads); // the check that the table is there: Add itself refuses a row that exists
        Assert.Equal(1, log.Batches);
        Assert.Equal(1503, TestTables.Rows(azurite, table).Count);
    }

    [Fact]
    public async Task After_a_conflict_a_few_new_devices_in_a_big_partition_are_read_one_by_one_not_by_reading_the_partition()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        await Sync(Hub("desk"), table, null, TestSticks.Create(temp.File("big"), Day, TestSticks.Samples(1, 1500, Day.AddHours(1))));
        var rival = HashBuilder.Sample(10_050);
        rival.Serial = "CLT-0000050B";
        await Sync(Hub("rival"), table, null, TestSticks.Create(temp.File("rival"), Day, TestCaptures.Draft(rival, Day.AddHours(3), groupTag: "rival")));
        var log = new RequestLog();

        var result = await Sync(Hub("desk"), table, log, TestSticks.Create(temp.File("new"), Day,
            [TestCaptures.Draft(rival, Day.AddHours(2), groupTag: "desk"), .. Scattered(100, 700, 1400)]));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, Devices(result).GetProperty("uploaded").GetInt32());
        Assert.Equal(1, Devices(result).GetProperty("newerInTable").GetInt32());
        Assert.Equal(0, log.RangeQueries);
        Assert.Equal(1 + 4, log.Reads); // the check, then the batch's four keys one by one after the 409
        Assert.Equal(2, log.Batches); // the unread Add refused, then the decided batch
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(1504, rows.Count);
        Assert.Equal("rival", rows["CLT-0000050B"].GetString("Group_Tag"));
    }

    [Fact]
    public async Task A_new_desk_reading_a_range_full_of_another_desks_rows_stops_after_a_page_and_reads_the_rest_one_by_one()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        await Sync(Hub("a"), table, null, TestSticks.Create(temp.File("big"), Day, TestSticks.Samples(1, 2500, Day.AddHours(1))));
        var spread = Enumerable.Range(0, 20).Select(i =>
        {
            var builder = HashBuilder.Sample(20_000 + i);
            builder.Serial = $"CLT-{i * 125:D7}B";
            return TestCaptures.Draft(builder, Day.AddHours(2));
        });
        var log = new RequestLog();

        // Desk b also holds a newer capture of one of a's devices: its unread Add meets a's row,
        // and from then on b reads before it writes.
        var result = await Sync(Hub("b"), table, log, TestSticks.Create(temp.File("new"), Day,
            [TestCaptures.Draft(HashBuilder.Sample(1), Day.AddHours(3), groupTag: "b"), .. spread]));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(21, Devices(result).GetProperty("uploaded").GetInt32());
        Assert.Equal(1, log.RangeQueries); // one page of at most 1,000 rows, not the 2,500 in the range
        Assert.InRange(log.Reads, 1 + 1 + 1, 1 + 1 + 21);
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(2520, rows.Count);
        Assert.Equal("b", rows["CLT-0000001"].GetString("Group_Tag"));
    }

    [Fact]
    public async Task A_table_that_does_not_exist_is_reported_and_created_only_when_asked()
    {
        var table = Azurite.NewTableName();
        var stick = TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));

        var refused = await Cli.RunAsync("sync", stick, "--hub", Hub("desk"), "--table", azurite.ConnectionString, "--table-name", table);
        var created = await Cli.RunAsync("sync", stick, "--hub", Hub("desk"), "--table", azurite.ConnectionString, "--table-name", table, "--create-table");

        Assert.Equal(4, refused.ExitCode);
        Assert.Contains($"table '{table}' (connection string) does not exist: create it (collector sync --create-table", refused.Error, StringComparison.Ordinal);
        Assert.Contains("3 devices wait for upload", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, created.ExitCode);
        Assert.Contains($"Created table '{table}' (connection string): 3 devices uploaded", created.Out, StringComparison.Ordinal);
        Assert.Equal(3, TestTables.Rows(azurite, table).Count);
        TestTables.AssertNoSecret(refused, Collector.Testing.Azurite.AccountKey);
        TestTables.AssertNoSecret(created, Collector.Testing.Azurite.AccountKey);
    }

    [Fact]
    public async Task A_hub_pointed_at_another_table_uploads_every_device_there_too()
    {
        var first = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var second = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var stick = TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 4, Day.AddHours(1)));
        await Sync(Hub("desk"), first, null, stick);

        var result = await Sync(Hub("desk"), second, null, stick);

        Assert.Equal(4, Devices(result).GetProperty("uploaded").GetInt32());
        Assert.Equal(4, TestTables.Rows(azurite, second).Count);
    }

    private string Hub(string desk) => temp.File(desk, "hub.db");

    /// <summary>New devices whose serials fall between the samples' (<c>CLT-0000100B</c> after <c>CLT-0000100</c>).</summary>
    private static IEnumerable<CaptureDraft> Scattered(params int[] between) => between.Select(i =>
    {
        var builder = HashBuilder.Sample(10_000 + i);
        builder.Serial = $"CLT-{i:D7}B";
        return TestCaptures.Draft(builder, Day.AddHours(2));
    });

    private Task<CliResult> Sync(string hub, string table, RequestLog? log, params string[] paths) =>
        SyncRunner.ToAzuriteAsync(azurite, hub, table, log, paths);

    private static JsonElement Devices(CliResult result) =>
        JsonDocument.Parse(result.Out).RootElement.GetProperty("devices").Clone();

    private static void AssertDesignEntity(TableEntity row, HashBuilder device)
    {
        string[] properties =
        [
            "Device_Serial_Number", "Windows_Product_ID", "Hardware_Hash", "Group_Tag", "Assigned_User", "Manufacturer", "Model",
            "Smbios_Uuid", "Tpm_Present", "Captured_At", "Technician", "Site", "Capture_Id", "Stick_Id", "Capture_Method",
            "Collector_Version", "Flags", "Collect_Architecture",
        ];
        Assert.Equal(properties.Order(StringComparer.Ordinal), row.Keys.Where(k => k is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).Order(StringComparer.Ordinal));
        Assert.Equal(TestCaptures.Tenant.ToString("D"), row.PartitionKey);
        Assert.Equal(device.Serial, row.GetString("Device_Serial_Number"));
        Assert.Equal("", row.GetString("Windows_Product_ID"));
        Assert.Equal(device.SmbiosUuid!.Value.ToString("D"), row.GetString("Smbios_Uuid"));
        Assert.Equal(device.Manufacturer, row.GetString("Manufacturer"));
        Assert.Equal(device.Tpm, row.GetBoolean("Tpm_Present"));
        Assert.Equal(device.Serial, HashCodec.Check(row.GetString("Hardware_Hash")).Hash!.Serial);
        Assert.True(Guid.TryParse(row.GetString("Capture_Id"), out _));
        Assert.NotNull(row.GetDateTimeOffset("Captured_At"));
    }
}
