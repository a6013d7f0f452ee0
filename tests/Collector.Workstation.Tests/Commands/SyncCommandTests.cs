using System.Text.Json;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tests.Sync;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Tests.Commands;

/// <summary>sync without a table: finding sticks, merging them, and every bad input.</summary>
public sealed class SyncCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-3);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string HubPath => temp.File("desk", "hub.db");

    [Fact]
    public async Task A_first_sync_merges_every_stick_and_says_how_many_devices_wait_for_upload()
    {
        var a = TestSticks.Create(temp.File("sticks", "a"), Day, TestSticks.Samples(1, 5, Day.AddHours(1)));
        var b = TestSticks.Create(temp.File("sticks", "b"), Day, TestSticks.Samples(4, 9, Day.AddHours(2)));

        var result = await Cli.RunAsync("sync", temp.File("sticks"), "--hub", HubPath);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Sticks: 2 merged, 0 skipped. Captures: 11 new, 0 already in the hub.", result.Out, StringComparison.Ordinal);
        Assert.Contains("No table configured (--table TARGET or COLLECTOR_TABLE): 9 devices wait for upload.", result.Out, StringComparison.Ordinal);
        Assert.Contains("sticks 2/2 merged, 11 new captures", result.Error, StringComparison.Ordinal);
        using var hub = HubStore.Open(HubPath, TimeProvider.System, readOnly: true);
        Assert.Equal(9, hub.CountDevices());
        Assert.Equal(11, hub.CountCaptures());
        Assert.True(Directory.Exists(a) && Directory.Exists(b));
    }

    [Fact]
    public async Task A_second_sync_of_the_same_sticks_changes_nothing()
    {
        TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        await Cli.RunAsync("sync", temp.File("a"), "--hub", HubPath);

        var result = await Cli.RunAsync("sync", temp.File("a"), "--hub", HubPath, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(0, json.RootElement.GetProperty("captures").GetProperty("new").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("captures").GetProperty("known").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("devices").GetProperty("waiting").GetInt32());
    }

    [Fact]
    public async Task Sync_never_writes_to_the_stick_even_with_a_journal_beside_its_database()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 4, Day.AddHours(1)));
        File.WriteAllBytes(TestSticks.Database(root) + "-journal", []); // an empty journal, as a pulled stick can leave
        var before = TestSticks.Snapshot(root);

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(0, result.ExitCode);
        var after = TestSticks.Snapshot(root);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, file => Assert.Equal(file.Value, after[file.Key]));
    }

    [Fact]
    public async Task Json_prints_exactly_one_object_with_the_contract_names()
    {
        TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await Cli.RunAsync("sync", temp.File("a"), temp.File("missing"), "--hub", HubPath, "--json");

        Assert.Equal(5, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(["sticks", "captures", "devices", "skipped", "rejected", "damagedSticks", "invalidCaptures", "error"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["merged", "skipped", "damaged"], root.GetProperty("sticks").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["new", "known", "invalid"], root.GetProperty("captures").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["uploaded", "unchanged", "newerInTable", "rejected", "waiting"], root.GetProperty("devices").EnumerateObject().Select(p => p.Name));
        var skipped = Assert.Single(root.GetProperty("skipped").EnumerateArray());
        Assert.Equal(["path", "reason"], skipped.EnumerateObject().Select(p => p.Name));
        Assert.Equal(temp.File("missing"), skipped.GetProperty("path").GetString());
        Assert.Equal(0, root.GetProperty("rejected").GetArrayLength());
        Assert.Equal(0, root.GetProperty("damagedSticks").GetArrayLength());
        Assert.Equal(0, root.GetProperty("invalidCaptures").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_stick_database_is_recognised_by_its_content_whatever_its_name()
    {
        var root = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        var renamed = temp.File("backup-of-stick-7.bin");
        File.Copy(TestSticks.Database(root), renamed);

        var result = await Cli.RunAsync("sync", renamed, "--hub", HubPath);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Sticks: 1 merged", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_that_does_not_exist_is_reported_and_the_others_still_merge()
    {
        TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await Cli.RunAsync("sync", temp.File("nowhere"), temp.File("a"), "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"collector: skipped {temp.File("nowhere")}: does not exist", result.Error, StringComparison.Ordinal);
        Assert.Contains("Sticks: 1 merged, 1 skipped.", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_with_no_stick_is_reported()
    {
        temp.Write("empty/notes.txt", "not a stick");

        var result = await Cli.RunAsync("sync", temp.File("empty"), "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"collector: skipped {temp.File("empty")}: no stick database here", result.Error, StringComparison.Ordinal);
        Assert.Contains("Sticks: 0 merged, 1 skipped.", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_db_that_is_not_ours_is_reported_and_left_as_it_was()
    {
        var foreign = temp.File("other.db");
        using (var connection = new SqliteConnection($"Data Source={foreign};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA application_id = 1234; CREATE TABLE t (x);";
            command.ExecuteNonQuery();
        }

        var before = File.ReadAllBytes(foreign);

        var result = await Cli.RunAsync("sync", foreign, "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"skipped {foreign}: is a SQLite database of another application (id 0x000004D2), not a Collector stick database", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(foreign));
    }

    [Fact]
    public async Task A_corrupt_stick_database_is_skipped_and_the_other_sticks_still_merge()
    {
        var good = TestSticks.Create(temp.File("sticks", "good"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        var bad = TestSticks.Create(temp.File("sticks", "bad"), Day, TestSticks.Samples(10, 40, Day.AddHours(1)));
        var database = TestSticks.Database(bad);
        var bytes = File.ReadAllBytes(database);
        for (var i = 4096; i < bytes.Length; i += 7)
        {
            bytes[i] = 0xA5; // every page after the first scribbled over; the header still says "ours"
        }

        File.WriteAllBytes(database, bytes);

        var result = await Cli.RunAsync("sync", temp.File("sticks"), "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"skipped {database}: is damaged", result.Error, StringComparison.Ordinal);
        Assert.Contains("Sticks: 1 merged, 1 skipped. Captures: 3 new", result.Out, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(database));
        Assert.True(Directory.Exists(good));
    }

    [Fact]
    public async Task A_stick_from_a_newer_schema_is_skipped_with_what_to_do()
    {
        var root = TestSticks.Create(temp.File("new"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(root), "PRAGMA user_version = 99");

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"skipped {TestSticks.Database(root)}: was written by a newer Collector (schema 99", result.Error, StringComparison.Ordinal);
        using var hub = HubStore.Open(HubPath, TimeProvider.System, readOnly: true);
        Assert.Equal(0, hub.CountCaptures());
    }

    [Theory]
    [InlineData("UPDATE stick SET stick_id = '00000000-0000-0000-0000-000000000000'; UPDATE captures SET stick_id = '00000000-0000-0000-0000-000000000000'", "the stick carries the all-zero stick id")]
    [InlineData("UPDATE stick SET stick_id = 'a534f5de-8288-814e-81ab-ab87976b6934'", "the stick carries the stick id of CSV imports")]
    public async Task A_stick_with_no_real_stick_id_is_skipped_whole_and_the_others_merge(string sql, string why)
    {
        var odd = TestSticks.Create(temp.File("sticks", "odd"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        TestSticks.Create(temp.File("sticks", "good"), Day, TestSticks.Samples(4, 5, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(odd), sql);

        var result = await Cli.RunAsync("sync", temp.File("sticks"), "--hub", HubPath, "--json");

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"skipped {TestSticks.Database(odd)}: {why}", result.Error, StringComparison.Ordinal);
        using var hub = HubStore.Open(HubPath, TimeProvider.System, readOnly: true);
        Assert.Equal(2, hub.CountCaptures());
        Assert.DoesNotContain(hub.StickStatuses(), s => s.StickId == Guid.Empty);
    }

    [Theory]
    [InlineData("UPDATE captures SET stick_id = '00000000-0000-0000-0000-000000000000' WHERE seq = 2", 2, "carries the all-zero stick id")]
    [InlineData("UPDATE captures SET stick_id = 'a534f5de-8288-814e-81ab-ab87976b6934' WHERE seq = 3", 3, "carries the stick id of CSV imports")]
    public async Task A_capture_with_no_real_stick_id_is_refused_and_the_rest_of_its_stick_merges(string sql, int sequence, string why)
    {
        var odd = TestSticks.Create(temp.File("sticks", "odd"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        TestSticks.Create(temp.File("sticks", "good"), Day, TestSticks.Samples(4, 5, Day.AddHours(1)));
        TestSticks.Execute(TestSticks.Database(odd), sql);

        var result = await Cli.RunAsync("sync", temp.File("sticks"), "--hub", HubPath, "--json");

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"refused capture #{sequence} of {TestSticks.Database(odd)}: {why}", result.Error, StringComparison.Ordinal);
        using var hub = HubStore.Open(HubPath, TimeProvider.System, readOnly: true);
        Assert.Equal(4, hub.CountCaptures());
        using var connection = new SqliteConnection($"Data Source={HubPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM captures WHERE stick_id IN ('00000000-0000-0000-0000-000000000000', 'a534f5de-8288-814e-81ab-ab87976b6934')";
        Assert.Equal(0L, command.ExecuteScalar());
    }

    [Fact]
    public async Task A_stick_whose_database_was_cut_short_while_being_created_is_skipped_and_left_as_it_was()
    {
        var database = TestSticks.Database(temp.File("sticks", "unfinished"));
        InterruptedWrites.CreationCutShort(database);
        var before = TestSticks.Snapshot(temp.File("sticks", "unfinished"));

        var result = await Cli.RunAsync("sync", temp.File("sticks"), "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.True(result.Error.Contains($"skipped {database}: was cut short while it was being created, before its first capture", StringComparison.Ordinal), result.Error);
        Assert.Equal(before, TestSticks.Snapshot(temp.File("sticks", "unfinished")));
        using var hub = HubStore.Open(HubPath, TimeProvider.System, readOnly: true);
        Assert.Empty(hub.StickStatuses());
    }

    [Fact]
    public async Task A_hub_locked_by_another_sync_is_waited_for_briefly_then_reported()
    {
        var root = TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        using var other = HubStore.Open(HubPath, TimeProvider.System);

        var result = await SyncRunner.RunAsync(SyncRunner.Options(HubPath, null, root), SyncRunner.Services(TimeSpan.FromMilliseconds(300)));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("is in use by another collector", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, other.CountCaptures());
    }

    [Theory]
    [InlineData("just some words")]
    [InlineData("ftp://contoso.example/table")]
    public async Task A_target_that_is_neither_url_nor_connection_string_changes_nothing(string target)
    {
        TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await Cli.RunAsync("sync", temp.File("a"), "--hub", HubPath, "--table", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("neither a URL", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(HubPath));
    }

    [Fact]
    public async Task Table_options_without_a_table_are_invalid_input()
    {
        var result = await Cli.RunAsync("sync", temp.Path, "--hub", HubPath, "--create-table");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("need a table", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(HubPath));
    }

    [Fact]
    public async Task The_hub_comes_from_COLLECTOR_HUB_when_no_hub_option_is_given()
    {
        TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await Cli.RunAsync(new Dictionary<string, string> { ["COLLECTOR_HUB"] = HubPath }, "sync", temp.File("a"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"Hub: {HubPath} (2 devices, 2 captures).", result.Out, StringComparison.Ordinal);
    }
}
