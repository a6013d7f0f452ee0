using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tests.Sync;
using Collector.Workstation.Tests.Tables;

namespace Collector.Workstation.Tests.Commands;

/// <summary>sync when the world is not tidy: two desks at once, a sync stopped midway, a flaky network, the seed's rows.</summary>
public sealed class SyncCommandResilienceTests(Collector.Testing.Azurite azurite) : IClassFixture<Collector.Testing.Azurite>, IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-3);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Two_desks_syncing_overlapping_sticks_at_the_same_time_end_with_the_newest_capture_of_every_device()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        // Captures a minute apart: each stick's are all later than the previous stick's.
        var s1 = TestSticks.Create(temp.File("s1"), Day, TestSticks.Samples(1, 300, Day.AddHours(1), groupTag: "s1"));
        var s2 = TestSticks.Create(temp.File("s2"), Day, TestSticks.Samples(101, 400, Day.AddHours(20), groupTag: "s2"));
        var s3 = TestSticks.Create(temp.File("s3"), Day, TestSticks.Samples(201, 500, Day.AddHours(40), groupTag: "s3"));

        var results = await Task.WhenAll(
            Task.Run(() => Sync(temp.File("a", "hub.db"), table, null, s1, s2)),
            Task.Run(() => Sync(temp.File("b", "hub.db"), table, null, s2, s3)));

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(500, rows.Count);
        Assert.All(rows.Values, row =>
        {
            var device = int.Parse(row.RowKey[4..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(device <= 100 ? "s1" : device <= 200 ? "s2" : "s3", row.GetString("Group_Tag"));
        });
    }

    [Fact]
    public async Task A_sync_stopped_between_batches_and_run_again_ends_complete_with_no_duplicates()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var stick = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 450, Day.AddHours(1)));
        using var stop = new CancellationTokenSource();
        var log = new RequestLog();
        log.BeforeRequest = message =>
        {
            // Two transactions go at once: the third is sent only once the first has landed and
            // been recorded. Stop there; the second may or may not be recorded yet.
            if (message.Request.Method.Method == "POST" && log.Batches >= 2)
            {
                stop.Cancel();
            }
        };

        var stopped = await SyncRunner.RunAsync(SyncRunner.Options(temp.File("hub.db"), azurite.ConnectionString, stick) with { TableName = table },
            SyncRunner.Services(log), cancellationToken: stop.Token);
        TestTables.AssertNoSecret(stopped, Collector.Testing.Azurite.AccountKey);
        var landed = TestTables.Rows(azurite, table).Count;
        var recorded = 450 - Waiting(temp.File("hub.db"));
        var resumed = await Sync(temp.File("hub.db"), table, null, stick);

        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("cancelled", stopped.Error, StringComparison.Ordinal);
        Assert.InRange(landed, 100, 449);
        Assert.Equal(0, resumed.ExitCode);
        var devices = JsonDocument.Parse(resumed.Out).RootElement.GetProperty("devices");
        Assert.InRange(recorded, 100, landed);
        Assert.Equal(450 - landed, devices.GetProperty("uploaded").GetInt32());
        Assert.Equal(landed - recorded, devices.GetProperty("unchanged").GetInt32()); // landed, but the stop came before the hub heard
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(Enumerable.Range(1, 450).Select(i => $"CLT-{i:D7}"), rows.Keys.Order(StringComparer.Ordinal));
        using var hub = HubStore.Open(temp.File("hub.db"), TimeProvider.System, readOnly: true);
        Assert.Equal(0, hub.CountWaitingForUpload());
        Assert.All(hub.NewestCaptures(), c => Assert.Equal(c.Capture.CaptureId.ToString("D"), rows[c.Capture.DeviceKey].GetString("Capture_Id")));
    }

    [Fact]
    public async Task A_sync_killed_midway_and_run_again_ends_complete_with_no_duplicates()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var stick = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 2000, Day.AddHours(1)));
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "collector.dll"), "sync", stick, "--hub", temp.File("hub.db"), "--table-name", table },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["COLLECTOR_TABLE"] = azurite.ConnectionString;
        var landed = 0;
        CliResult killed;

        using (var process = Process.Start(start)!)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            var client = new TableClient(azurite.ConnectionString, table);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!process.HasExited && DateTime.UtcNow < deadline && landed < 100)
            {
                landed = client.Query<TableEntity>(select: ["RowKey"]).Count();
                await Task.Delay(20);
            }

            process.Kill(); // SIGKILL: no finally block, no flush, no goodbye
            await process.WaitForExitAsync();
            killed = new CliResult(process.ExitCode, await output, await error);
        }

        var resumed = await Sync(temp.File("hub.db"), table, null, stick);

        Assert.InRange(landed, 100, 1999);
        Assert.Equal(137, killed.ExitCode);
        TestTables.AssertNoSecret(killed, Collector.Testing.Azurite.AccountKey);
        Assert.Equal(0, resumed.ExitCode);
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => $"CLT-{i:D7}"), rows.Keys.Order(StringComparer.Ordinal));
        using var hub = HubStore.Open(temp.File("hub.db"), TimeProvider.System, readOnly: true);
        Assert.Equal(0, hub.CountWaitingForUpload());
        Assert.All(hub.NewestCaptures(), c => Assert.Equal(c.Capture.CaptureId.ToString("D"), rows[c.Capture.DeviceKey].GetString("Capture_Id")));
    }

    [Fact]
    public async Task Transient_faults_are_retried_by_the_sdk_and_the_table_ends_right()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var older = TestSticks.Create(temp.File("old"), Day, TestSticks.Samples(1, 200, Day.AddHours(1), groupTag: "old"));
        var newer = TestSticks.Create(temp.File("new"), Day, TestSticks.Samples(101, 600, Day.AddHours(20), groupTag: "new"));
        await Sync(temp.File("other", "hub.db"), table, null, older); // another desk's rows, some to be replaced
        using var proxy = new FaultProxy(new Uri($"http://127.0.0.1:{azurite.Port}/"), faultEvery: 2);
        var target = $"DefaultEndpointsProtocol=http;AccountName={Collector.Testing.Azurite.AccountName};AccountKey={Collector.Testing.Azurite.AccountKey};TableEndpoint={proxy.AccountUri(Collector.Testing.Azurite.AccountName)};";

        var result = await SyncRunner.RunAsync(
            SyncRunner.Options(temp.File("desk", "hub.db"), target, older, newer) with { TableName = table }, SyncRunner.Services());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(proxy.Busy > 1 && proxy.Timeouts > 1 && proxy.DroppedBefore > 1 && proxy.DroppedAfter > 1 && proxy.DroppedAfterWrite > 0,
            $"faults injected: 503 {proxy.Busy}, 500 {proxy.Timeouts}, dropped {proxy.DroppedBefore}, dropped after forwarding {proxy.DroppedAfter} ({proxy.DroppedAfterWrite} writes)");
        var rows = TestTables.Rows(azurite, table);
        Assert.Equal(600, rows.Count);
        Assert.All(rows.Values, row => Assert.Equal(int.Parse(row.RowKey[4..], System.Globalization.CultureInfo.InvariantCulture) <= 100 ? "old" : "new", row.GetString("Group_Tag")));
        TestTables.AssertNoSecret(result, Collector.Testing.Azurite.AccountKey);
    }

    [Fact]
    public async Task A_table_filled_by_the_seed_script_is_updated_as_newest_wins()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName());
        var sas = table.GenerateSasUri(TableSasPermissions.Read | TableSasPermissions.Add | TableSasPermissions.Update, DateTimeOffset.UtcNow.AddHours(1));
        var now = DateTimeOffset.UtcNow;
        var other = HashBuilder.Sample(3);
        other.SmbiosUuid = Guid.Parse("0ddba11c-0000-4000-8000-000000000003"); // same serial, another machine
        await SeedScript.UploadAsync(sas, [
            new(TestCaptures.Tenant, "CLT-0000001", HashBuilder.Sample(1).Build(), "seeded"),
            new(TestCaptures.Tenant, "CLT-0000002", HashBuilder.Sample(2).Build(), "seeded"),
            new(TestCaptures.Tenant, "CLT-0000003", other.Build(), "seeded"),
        ], temp);
        var seeded = TestTables.Rows(azurite, table.Name);
        var desk = new ManualClock(now.AddHours(2));
        var stick = TestSticks.Create(temp.File("s"), now.AddDays(-1),
            TestCaptures.Draft(2, now.AddHours(-20), groupTag: "desk"), // captured before the seed wrote: its row is newer
            TestCaptures.Draft(1, now.AddHours(1), groupTag: "desk"),   // captured after: replaces the seed's row
            TestCaptures.Draft(3, now.AddHours(1), groupTag: "desk"));  // another device with the seed row's serial

        var result = await SyncRunner.RunAsync(SyncRunner.Options(temp.File("hub.db"), azurite.ConnectionString, stick) with { TableName = table.Name },
            SyncRunner.Services(), desk);
        var log = new RequestLog();
        var again = await SyncRunner.RunAsync(SyncRunner.Options(temp.File("hub.db"), azurite.ConnectionString, stick) with { TableName = table.Name },
            SyncRunner.Services(log), desk);

        TestTables.AssertNoSecret(result, Collector.Testing.Azurite.AccountKey);
        TestTables.AssertNoSecret(again, Collector.Testing.Azurite.AccountKey);
        Assert.Equal(new[] { "Device_Serial_Number", "Group_Tag", "Hardware_Hash", "Windows_Product_ID" }, seeded["CLT-0000001"].Keys.Where(k => k.Contains('_', StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(0, result.ExitCode);
        var devices = JsonDocument.Parse(result.Out).RootElement.GetProperty("devices");
        Assert.Equal((2, 1), (devices.GetProperty("uploaded").GetInt32(), devices.GetProperty("newerInTable").GetInt32()));
        var rows = TestTables.Rows(azurite, table.Name);
        var collisionKey = DeviceIdentity.CollisionKey("CLT-0000003", HashBuilder.Sample(3).SmbiosUuid);
        Assert.Equal(["CLT-0000001", "CLT-0000002", "CLT-0000003", collisionKey], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("desk", rows["CLT-0000001"].GetString("Group_Tag"));
        Assert.NotNull(rows["CLT-0000001"].GetString("Capture_Id"));
        Assert.Equal("seeded", rows["CLT-0000002"].GetString("Group_Tag"));
        Assert.Equal("seeded", rows["CLT-0000003"].GetString("Group_Tag"));
        Assert.Equal("desk", rows[collisionKey].GetString("Group_Tag"));
        Assert.Equal(0, log.Writes);
    }

    private Task<CliResult> Sync(string hub, string table, RequestLog? log, params string[] paths) =>
        SyncRunner.ToAzuriteAsync(azurite, hub, table, log, paths);

    private static int Waiting(string hub)
    {
        using var store = HubStore.Open(hub, TimeProvider.System, readOnly: true);
        return (int)store.CountWaitingForUpload();
    }
}
