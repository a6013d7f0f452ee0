using System.Security.Cryptography;
using System.Text.Json;
using Collector.Core.Errors;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Commands;
using Collector.Workstation.Hub;
using Collector.Workstation.Register;
using Collector.Workstation.Tests.Sync;

namespace Collector.Workstation.Tests.Commands;

/// <summary>collector stick clear: only what the hub holds byte for byte leaves the stick, and the stick stays the same stick.</summary>
public sealed class StickClearCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-2);
    private readonly TempDirectory temp = new();
    private readonly string stick;
    private readonly string hub;

    public StickClearCommandTests()
    {
        stick = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        hub = temp.File("hub.db");
    }

    public void Dispose() => temp.Dispose();

    private string Database => TestSticks.Database(stick);

    [Fact]
    public async Task Captures_the_hub_holds_are_removed_and_one_it_does_not_hold_is_kept_with_the_reason()
    {
        await Sync();
        var stickId = Info().StickId;
        Append(4);

        var result = await Clear();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("removed 3 capture(s) of 3 device(s), kept 1.", result.Out, StringComparison.Ordinal);
        Assert.Contains("  removed  #1–#3", result.Out, StringComparison.Ordinal);
        Assert.Contains("  kept     #4 CLT-0000004: the hub does not hold it: sync this stick first", result.Out, StringComparison.Ordinal);
        Assert.Contains("The stick now holds 1 capture(s) of 1 device(s); it keeps its id, and its next capture is #5.", result.Out, StringComparison.Ordinal);
        using var store = StickStore.OpenExisting(Database);
        Assert.Equal(stickId, store.Info.StickId);
        Assert.Equal([4L], store.ReadCaptures().Select(c => c.StickSequence));
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public async Task After_a_clear_the_stick_counts_its_devices_afresh_and_never_gives_a_sequence_number_twice()
    {
        await Sync();
        await Clear();

        var next = Append(2);

        Assert.Equal((4L, 1, false), (next.Capture.StickSequence, next.DevicesOnStick, next.AlreadyOnStick));
    }

    [Fact]
    public async Task Syncing_a_cleared_stick_loses_nothing_from_the_hub_and_adds_its_new_capture()
    {
        await Sync();
        await Clear();
        Append(5);

        var sync = await Sync();

        Assert.Equal(0, sync.ExitCode);
        using var store = HubStore.Open(hub, TimeProvider.System, readOnly: true);
        Assert.Equal((4L, 4L), (store.CountCaptures(), store.CountDevices()));
        Assert.Equal(new long[] { 1, 2, 3, 4 }, store.SequencesOf(Info().StickId).Order());
    }

    [Fact]
    public async Task A_device_captured_again_after_a_clear_is_newest_even_when_its_clock_now_reads_earlier()
    {
        await Sync();
        await Clear();
        using (var store = StickStore.OpenExisting(Database))
        {
            // A firmware update reset the clock: still after the stick was made, before the first capture.
            store.Append(Collector.Testing.TestCaptures.Draft(2, Day.AddMinutes(30)));
        }

        await Sync();

        var newest = HubFile.NewestCaptures(hub).Single(c => c.Capture.Serial == "CLT-0000002").Capture;
        Assert.Equal(4L, newest.StickSequence);
    }

    [Fact]
    public async Task Clearing_a_stick_of_an_older_release_says_to_refresh_its_programs()
    {
        await Sync();
        OldStickDatabases.Execute(Database, "ALTER TABLE stick DROP COLUMN last_seq; PRAGMA user_version = 4;");

        var text = await Clear();

        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"run 'collector stick init {stick} --force' to bring the stick's programs up to date", text.Out, StringComparison.Ordinal);
        Assert.Equal(StickStore.SchemaVersion, DatabaseFile.Inspect(Database, StickStore.ApplicationId).UserVersion);
        Append(4);
        await Sync();
        var again = await Clear("--json");
        using var json = JsonDocument.Parse(again.Out);
        Assert.False(json.RootElement.GetProperty("upgraded").GetBoolean());
        Assert.DoesNotContain("stick init", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_whose_merges_a_reader_keeps_from_its_file_removes_nothing()
    {
        await Sync();
        using var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={hub};Mode=ReadOnly;Pooling=False");
        reader.Open();
        using var read = reader.BeginTransaction();
        using (var command = reader.CreateCommand())
        {
            command.Transaction = read;
            command.CommandText = "SELECT COUNT(*) FROM captures";
            command.ExecuteScalar();
        }

        Append(4);
        await Sync(); // a merge the reader's older snapshot keeps in the WAL
        var result = await Clear();

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains("another program is reading the hub", result.Error, StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 3L, 4L], StickCaptures().Select(c => c.StickSequence));
    }

    [Fact]
    public async Task A_capture_the_hub_holds_with_another_hash_is_not_byte_for_byte_and_stays()
    {
        await Sync();
        var second = StickCaptures()[1];
        TestSticks.Execute(hub, "UPDATE captures SET hardware_hash = hardware_hash || 'x' WHERE capture_id = $id", ("$id", second.CaptureId.ToString("D")));

        var result = await Clear();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  kept     #2 CLT-0000002: the hub holds another hash under its capture id", result.Out, StringComparison.Ordinal);
        Assert.Equal([2L], StickCaptures().Select(c => c.StickSequence));
    }

    [Fact]
    public async Task A_stick_the_hub_has_never_merged_is_refused_and_left_unchanged()
    {
        TestSticks.Create(temp.File("other"), Day, TestSticks.Samples(7, 7, Day.AddHours(1)));
        await Cli.RunAsync("sync", temp.File("other"), "--hub", hub);
        var before = Digest();

        var result = await Clear();

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"the hub {hub} has never merged stick {Info().StickId:D}: sync it first", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was removed", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Digest());
    }

    [Fact]
    public async Task A_hub_that_does_not_exist_has_merged_nothing_and_is_not_created()
    {
        var before = Digest();

        var result = await Clear();

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("there is no hub at", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(hub));
        Assert.Equal(before, Digest());
    }

    [Fact]
    public async Task A_damaged_stick_is_refused_unchanged_with_what_to_do()
    {
        var big = TestSticks.Create(temp.File("big"), Day, TestSticks.Samples(1, 30, Day.AddHours(1)));
        await Cli.RunAsync("sync", big, "--hub", hub);
        var database = TestSticks.Database(big);
        var pages = StickPages.Read(database);
        var page = Enumerable.Range(1, pages.PageCount).First(p => pages.KindOf(p) == PageKind.CaptureLeaf);
        StickPages.DamagePage(database, page, pages.PageSize, StickPages.Damage.Zeros, new Random(14));
        var before = SHA256.HashData(File.ReadAllBytes(database));

        var result = await Cli.RunAsync("stick", "clear", big, "--hub", hub);

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains("is damaged (", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was removed. Sync it at a desk", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(database)));
    }

    [Fact]
    public async Task A_read_only_stick_is_a_storage_error_and_keeps_every_capture()
    {
        using var exfat = new ExfatStick(16L * 1024 * 1024);
        var root = TestSticks.Create(exfat.MountPoint, Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        await Cli.RunAsync("sync", root, "--hub", hub);
        exfat.Unmount();
        exfat.Mount(readOnly: true);
        var before = SHA256.HashData(File.ReadAllBytes(TestSticks.Database(root)));

        var result = await Cli.RunAsync("stick", "clear", root, "--hub", hub);

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains("the stick is write-protected (read-only): could not remove the captures; nothing was removed", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(TestSticks.Database(root))));
    }

    [Fact]
    public async Task A_hub_held_by_a_sync_is_waited_for_then_a_storage_error_and_nothing_is_removed()
    {
        await Sync();
        var before = Digest();
        using var held = HubLock.Acquire(hub, TimeSpan.Zero);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = await ClearWith(new StickClearCommand.Options(stick, hub, false, false, null, null, false), TimeSpan.FromMilliseconds(700));

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains("is in use by another collector", result.Error, StringComparison.Ordinal);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(700), $"gave up after {watch.Elapsed}");
        Assert.Equal(before, Digest());
    }

    [Fact]
    public async Task Registered_only_removes_captures_of_devices_autopilot_has()
    {
        await Sync();
        var captures = StickCaptures();
        using (var store = HubStore.Open(hub, TimeProvider.System))
        {
            var keys = captures.Take(2).Select(c => (new RegistrationKey(c.DeviceKey, c.CaptureId), c.Serial)).ToList();
            store.RecordSubmitted(captures[0].TenantId, "import-1", keys);
            store.RecordOutcomes(captures[0].TenantId, [
                (keys[0].Item1, new ImportOutcome(RegistrationStates.Registered, "reg-1")),
                (keys[1].Item1, new ImportOutcome(RegistrationStates.Refused, null, ImportOutcome.InvalidHardwareHash, "InvalidZtdHardwareHash"))]);
        }

        var result = await Clear("--registered");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("removed 1 capture(s) of 1 device(s), kept 2.", result.Out, StringComparison.Ordinal);
        Assert.Contains("  kept     #2 CLT-0000002: its device is not registered in Autopilot", result.Out, StringComparison.Ordinal);
        Assert.Equal([2L, 3L], StickCaptures().Select(c => c.StickSequence));
    }

    [Fact]
    public async Task Uploaded_without_a_table_is_refused_before_anything_is_touched()
    {
        await Sync();
        var before = Digest();

        var result = await Clear("--uploaded");

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--uploaded asks the table which devices it holds", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Digest());
    }

    [Fact]
    public async Task Json_lists_every_capture_removed_and_kept_with_the_stick_left()
    {
        await Sync();
        Append(9);

        var result = await Clear("--json");

        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(["stickId", "removed", "kept", "capturesLeft", "devicesLeft", "nextSequence", "upgraded"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal([1L, 2L, 3L], json.GetProperty("removed").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()));
        var kept = Assert.Single(json.GetProperty("kept").EnumerateArray());
        Assert.Equal(("CLT-0000009", 4L), (kept.GetProperty("deviceKey").GetString(), kept.GetProperty("sequence").GetInt64()));
        Assert.Equal((1L, 1, 5L), (json.GetProperty("capturesLeft").GetInt64(), json.GetProperty("devicesLeft").GetInt32(), json.GetProperty("nextSequence").GetInt64()));
    }

    [Fact]
    public async Task Clearing_again_removes_nothing_more_and_an_empty_stick_needs_no_hub()
    {
        await Sync();
        await Clear();

        var again = await Clear();
        var noHub = await Cli.RunAsync("stick", "clear", stick, "--hub", temp.File("nowhere.db"));

        Assert.Equal((0, 0), (again.ExitCode, noHub.ExitCode));
        Assert.Contains("removed 0 capture(s) of 0 device(s), kept 0.", again.Out, StringComparison.Ordinal);
        Assert.Contains("It is empty: 'collector stick init", noHub.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("nowhere.db")));
    }

    [Fact]
    public async Task A_folder_without_a_stick_database_is_invalid_input()
    {
        Directory.CreateDirectory(temp.File("empty"));

        var result = await Cli.RunAsync("stick", "clear", temp.File("empty"), "--hub", hub);
        var missing = await Cli.RunAsync("stick", "clear", temp.File("gone"), "--hub", hub);

        Assert.Equal((ExitCodes.InvalidInput, ExitCodes.InvalidInput), (result.ExitCode, missing.ExitCode));
        Assert.Contains("holds no stick database", result.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_without_uploaded_is_a_usage_error()
    {
        var result = await Clear("--table", "UseDevelopmentStorage=true");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--table and --table-name go with --uploaded", result.Error, StringComparison.Ordinal);
    }

    private Task<CliResult> Sync() => Cli.RunAsync("sync", stick, "--hub", hub);

    private Task<CliResult> Clear(params string[] extra) => Cli.RunAsync(["stick", "clear", stick, "--hub", hub, .. extra]);

    private static async Task<CliResult> ClearWith(StickClearCommand.Options options, TimeSpan lockWait)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new WorkstationContext(output, error, TimeProvider.System, _ => null);

        var exitCode = await context.RunAsync(() => StickClearCommand.RunAsync(options, context,
            new StickClearCommand.Services(new Collector.Workstation.Tables.TableClients(SyncRunner.ClientOptions()), lockWait), CancellationToken.None));

        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private AppendResult Append(int sample)
    {
        using var store = StickStore.OpenExisting(Database);
        return store.Append(Collector.Testing.TestCaptures.Draft(sample, DateTimeOffset.UtcNow.AddMinutes(-1)));
    }

    private List<Collector.Core.Captures.Capture> StickCaptures()
    {
        using var store = StickStore.OpenExisting(Database);
        return [.. store.ReadCaptures()];
    }

    private StickInfo Info() => StickStore.Peek(Database).Info;

    private byte[] Digest() => SHA256.HashData(File.ReadAllBytes(Database));
}
