using System.Text.Json;
using Azure.Core;
using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;
using Collector.Workstation.Tests.Sync;
using Collector.Workstation.Tests.Tables;

namespace Collector.Workstation.Tests.Commands;

/// <summary>
/// Two desks that meet two devices sharing a serial in opposite orders (desk A: X then Y; desk B:
/// Y then X) key them oppositely in their hubs. Whatever order they sync in, or at the same time,
/// the table ends with exactly one row per device, each hub's keys become the table's, and no
/// export — from the table or from either hub — lists a device twice.
/// </summary>
public sealed class OneRowPerDeviceTests(Collector.Testing.Azurite azurite) : IClassFixture<Collector.Testing.Azurite>, IDisposable
{
    private const string Serial = "CLT-0000001";
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-3);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static HashBuilder X => HashBuilder.Sample(1);

    private static HashBuilder Y
    {
        get
        {
            var twin = HashBuilder.Sample(2);
            twin.Serial = Serial;
            return twin;
        }
    }

    [Theory]
    [InlineData("A then B")]
    [InlineData("B then A")]
    [InlineData("both at once, each deciding before either writes")]
    [InlineData("both at once")]
    public async Task Two_desks_meeting_two_devices_that_share_a_serial_in_opposite_orders_leave_one_row_per_device(string order)
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var a = TestSticks.Create(temp.File("a"), Day, TestCaptures.Draft(X, Day.AddHours(1), groupTag: "a"), TestCaptures.Draft(Y, Day.AddHours(2), groupTag: "a"));
        var b = TestSticks.Create(temp.File("b"), Day, TestCaptures.Draft(Y, Day.AddHours(3), groupTag: "b"), TestCaptures.Draft(X, Day.AddHours(4), groupTag: "b"));
        Assert.Equal([Serial, DeviceIdentity.CollisionKey(Serial, Y.SmbiosUuid)], await KeysAfterMerging("A", a));
        Assert.Equal([Serial, DeviceIdentity.CollisionKey(Serial, X.SmbiosUuid)], await KeysAfterMerging("B", b));

        var results = order switch
        {
            "A then B" => [await Sync("A", table, a), await Sync("B", table, b)],
            "B then A" => [await Sync("B", table, b), await Sync("A", table, a)],
            _ => await Together(table, a, b, rendezvous: order.Contains("before", StringComparison.Ordinal)),
        };

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(2, rows.Count);
        var tableKeys = rows.Values.ToDictionary(r => Guid.Parse(r.GetString(DeviceEntity.SmbiosUuid)), r => r.RowKey);
        Assert.Equal(new[] { X.SmbiosUuid!.Value, Y.SmbiosUuid!.Value }.Order(), tableKeys.Keys.Order());
        Assert.Contains(Serial, tableKeys.Values);
        Assert.All(rows.Values, r => Assert.Equal("b", r.GetString(DeviceEntity.GroupTag))); // desk B's captures are the newer
        Assert.Equal(tableKeys, HubKeys("A"));
        Assert.Equal(tableKeys, HubKeys("B"));
        var again = new RequestLog();
        Assert.Equal(0, (await Sync("A", table, a, again)).ExitCode);
        Assert.Equal(0, (await Sync("B", table, b, again)).ExitCode);
        Assert.Equal(0, again.Writes);
        Assert.Equal(tableKeys, HubKeys("A"));
        Assert.Equal(tableKeys, HubKeys("B"));

        var fromTable = await Export("--table", azurite.ConnectionString, "--table-name", table);
        var fromA = await Export("--hub", Hub("A"));
        var fromB = await Export("--hub", Hub("B"));

        string[] newest = [X.Build(), Y.Build()];
        Assert.All([fromTable, fromA, fromB], hashes => Assert.Equal(newest.Order(StringComparer.Ordinal), hashes.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task A_device_an_older_collector_left_under_both_keys_is_exported_once_and_a_hub_holding_it_under_the_second_moves_to_the_first()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName());
        var a = TestSticks.Create(temp.File("a"), Day, TestCaptures.Draft(X, Day.AddHours(1), groupTag: "a"));
        Assert.Equal(0, (await Sync("A", table.Name, a)).ExitCode);
        var collisionKey = DeviceIdentity.CollisionKey(Serial, X.SmbiosUuid);
        var legacy = rowsOf(table)[Serial];
        legacy.RowKey = collisionKey;
        legacy[DeviceEntity.Flags] = HashFlags.SerialCollision;
        await table.AddEntityAsync(legacy); // what an older sync could leave: the same device under S and S~uuid
        // And a hub that files the device under the second key, as that older sync left it.
        OldStickDatabases.Execute(Hub("A"), $"""
            UPDATE devices SET device_key = '{collisionKey}';
            UPDATE captures SET device_key = '{collisionKey}', flags = '{HashFlags.SerialCollision}';
            """);

        var exported = await RunExport("--table", table.Name);
        var later = TestSticks.Create(temp.File("later"), Day, TestCaptures.Draft(X, Day.AddHours(6), groupTag: "later"));
        var sync = await Sync("A", table.Name, later);

        Assert.Equal(5, exported.ExitCode);
        var json = JsonDocument.Parse(exported.Out).RootElement;
        Assert.Equal(1, json.GetProperty("devices").GetInt32());
        var leftOut = Assert.Single(json.GetProperty("leftOut").EnumerateArray());
        Assert.Equal(collisionKey, leftOut.GetProperty("deviceKey").GetString());
        Assert.Contains($"the table holds this device under {Serial} too", leftOut.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, sync.ExitCode);
        Assert.Equal("later", rowsOf(table)[Serial].GetString(DeviceEntity.GroupTag));
        Assert.Equal("a", rowsOf(table)[collisionKey].GetString(DeviceEntity.GroupTag));
        Assert.Equal(Serial, Assert.Single(HubKeys("A")).Value);

        static Dictionary<string, TableEntity> rowsOf(TableClient client) =>
            client.Query<TableEntity>().ToDictionary(r => r.RowKey, StringComparer.Ordinal);
    }

    private string Hub(string desk) => temp.File(desk, "hub.db");

    private async Task<string[]> KeysAfterMerging(string desk, string stick)
    {
        Assert.Equal(0, (await Cli.RunAsync("sync", stick, "--hub", Hub(desk))).ExitCode);
        using var hub = HubStore.Open(Hub(desk), TimeProvider.System, readOnly: true);
        return [.. hub.NewestCaptures().Select(c => c.Capture.DeviceKey).Order(StringComparer.Ordinal)];
    }

    private Dictionary<Guid, string> HubKeys(string desk)
    {
        using var hub = HubStore.Open(Hub(desk), TimeProvider.System, readOnly: true);
        return hub.NewestCaptures().ToDictionary(c => c.Capture.SmbiosUuid!.Value, c => c.Capture.DeviceKey);
    }

    private async Task<CliResult> Sync(string desk, string table, string stick, RequestLog? log = null)
    {
        var result = await SyncRunner.RunAsync(SyncRunner.Options(Hub(desk), azurite.ConnectionString, stick) with { TableName = table },
            log is null ? SyncRunner.Services() : SyncRunner.Services(log));
        TestTables.AssertNoSecret(result, Collector.Testing.Azurite.AccountKey);
        return result;
    }

    /// <summary>
    /// Both desks sync at once. With <paramref name="rendezvous"/>, each desk's first transaction
    /// waits until the other's is ready too: both have read and decided before either writes.
    /// </summary>
    private async Task<CliResult[]> Together(string table, string a, string b, bool rendezvous)
    {
        using var barrier = new Barrier(2);
        RequestLog Log()
        {
            var first = 0;
            var log = new RequestLog();
            if (rendezvous)
            {
                log.BeforeRequest = message =>
                {
                    if (message.Request.Method == RequestMethod.Post && Interlocked.Exchange(ref first, 1) == 0)
                    {
                        barrier.SignalAndWait(TimeSpan.FromSeconds(30));
                    }
                };
            }

            return log;
        }

        return await Task.WhenAll(Task.Run(() => Sync("A", table, a, Log())), Task.Run(() => Sync("B", table, b, Log())));
    }

    /// <summary>The hashes of every file an export writes (the two devices share a serial: one file each).</summary>
    private async Task<string[]> Export(params string[] source)
    {
        var result = await RunExport(source);
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. JsonDocument.Parse(result.Out).RootElement.GetProperty("files").EnumerateArray()
            .SelectMany(f => File.ReadAllLines(f.GetString()!).Skip(1)).Select(l => l.Split(',')[2])];
    }

    private Task<CliResult> RunExport(params string[] source)
    {
        string[] args = source[0] == "--table" && source.Length == 2
            ? ["export", "--table", azurite.ConnectionString, "--table-name", source[1]]
            : ["export", .. source];
        return Cli.RunAsync([.. args, "--out", temp.File("csv", Guid.NewGuid().ToString("N")), "--json"]);
    }
}
