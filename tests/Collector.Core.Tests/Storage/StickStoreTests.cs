using System.Security.Cryptography;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Tests.Storage;

public sealed class StickStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Start);

    public void Dispose() => temp.Dispose();

    private string DbPath => temp.File("collector", "data", "captures.db");

    [Fact]
    public void A_new_stick_database_carries_our_application_id_schema_version_and_rollback_journal()
    {
        var stickId = Guid.NewGuid();

        using (var store = StickStore.Open(DbPath, stickId, clock))
        {
            Assert.Equal(stickId, store.Info.StickId);
            Assert.Equal(Start, store.Info.CreatedAt);
        }

        var file = DatabaseFile.Inspect(DbPath, StickStore.ApplicationId);
        Assert.Equal(DatabaseFileKind.Ours, file.Kind);
        Assert.Equal(StickStore.SchemaVersion, file.UserVersion);
        Assert.Equal("delete", Pragma("journal_mode"));
        Assert.Equal(["captures.db"], Directory.GetFiles(Path.GetDirectoryName(DbPath)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Captures_get_sequence_numbers_and_say_whether_the_device_was_already_on_the_stick()
    {
        using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);

        var first = store.Append(TestCaptures.Draft(1, Start));
        var second = store.Append(TestCaptures.Draft(2, Start.AddMinutes(1)));
        var again = store.Append(TestCaptures.Draft(1, Start.AddMinutes(2)));

        Assert.Equal([1L, 2L, 3L], [first.Capture.StickSequence, second.Capture.StickSequence, again.Capture.StickSequence]);
        Assert.Equal([false, false, true], [first.AlreadyOnStick, second.AlreadyOnStick, again.AlreadyOnStick]);
        Assert.Equal([1, 2, 2], [first.DevicesOnStick, second.DevicesOnStick, again.DevicesOnStick]);
        Assert.Equal(7, first.Capture.CaptureId.Version);
        Assert.Equal(store.Info.StickId, first.Capture.StickId);
    }

    [Fact]
    public void Every_capture_is_kept_and_read_back_in_stick_order()
    {
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            for (var i = 0; i < 5; i++)
            {
                store.Append(TestCaptures.Draft(i % 2, Start.AddMinutes(i), groupTag: $"Tag{i}"));
            }
        }

        using var reopened = StickStore.OpenExisting(DbPath);
        var captures = reopened.ReadCaptures().ToList();
        var newest = reopened.NewestPerDevice();

        Assert.Equal(["Tag0", "Tag1", "Tag2", "Tag3", "Tag4"], captures.Select(c => c.GroupTag));
        Assert.Equal(HashBuilder.Sample(1).Build(), captures[1].HardwareHash);
        Assert.Equal(["Tag4", "Tag3"], newest.Select(c => c.GroupTag));
        Assert.Equal(["CLT-0000000", "CLT-0000001"], newest.Select(c => c.DeviceKey));
    }

    [Fact]
    public void A_second_device_with_the_same_serial_and_another_uuid_gets_the_collision_key()
    {
        using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);
        var twin = HashBuilder.Sample(1);
        twin.SmbiosUuid = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

        store.Append(TestCaptures.Draft(1, Start));
        var second = store.Append(TestCaptures.Draft(twin, Start.AddMinutes(1)));

        Assert.Equal("CLT-0000001~aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", second.Capture.DeviceKey);
        Assert.Contains(HashFlags.SerialCollision, second.Capture.Flags);
        Assert.False(second.AlreadyOnStick);
        Assert.Equal(2, second.DevicesOnStick);
    }

    [Fact]
    public void Verify_reports_integrity_counts_and_schema()
    {
        using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);
        store.Append(TestCaptures.Draft(1, Start));
        store.Append(TestCaptures.Draft(1, Start.AddMinutes(1)));

        var report = store.Verify();

        Assert.True(report.Ok);
        Assert.Equal((2L, 1L, StickStore.SchemaVersion), (report.Captures, report.Devices, report.SchemaVersion));
    }

    [Fact]
    public void Verify_reports_a_stored_device_count_that_disagrees_with_the_captures()
    {
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            store.Append(TestCaptures.Draft(1, Start));
            store.Append(TestCaptures.Draft(2, Start));
        }

        OldStickDatabases.Execute(DbPath, "UPDATE stick SET device_count = 7");
        using var reopened = StickStore.OpenExisting(DbPath);
        var report = reopened.Verify();

        Assert.False(report.Ok);
        Assert.Equal("the stick's device count says 7, its captures hold 2 devices", report.IntegrityCheck);
    }

    [Fact]
    public void A_schema_1_database_is_migrated_with_its_captures_intact()
    {
        var stickId = Guid.NewGuid();
        OldStickDatabases.CreateSchema1(DbPath, stickId);

        using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);
        var before = store.ReadCaptures().ToList();
        var added = store.Append(TestCaptures.Draft(3, Start));

        Assert.Equal(stickId, store.Info.StickId);
        Assert.Equal(["CLT-0000001", "CLT-0000002"], before.Select(c => c.Serial));
        Assert.Equal(["", ""], before.Select(c => c.Site));
        Assert.Equal(3, added.Capture.StickSequence);
        Assert.Equal(3, added.DevicesOnStick);
        Assert.True(store.Verify().Ok);
        Assert.Equal(StickStore.SchemaVersion, DatabaseFile.Inspect(DbPath, StickStore.ApplicationId).UserVersion);
    }

    [Fact]
    public void A_newer_schema_is_refused_and_left_byte_for_byte_untouched()
    {
        OldStickDatabases.Execute(DbPath, $"PRAGMA application_id = {StickStore.ApplicationId}; PRAGMA user_version = 99; CREATE TABLE future (x TEXT) STRICT;");

        AssertRefusedUntouched("newer Collector (schema 99");
    }

    [Fact]
    public void A_file_with_our_id_but_no_schema_version_is_refused_and_left_untouched()
    {
        OldStickDatabases.Execute(DbPath, $"PRAGMA application_id = {StickStore.ApplicationId}; CREATE TABLE odd (x TEXT);");

        AssertRefusedUntouched("no schema version");
    }

    [Fact]
    public void A_foreign_sqlite_database_is_refused_and_left_untouched()
    {
        OldStickDatabases.Execute(DbPath, "PRAGMA application_id = 12345; CREATE TABLE photos (name TEXT);");

        AssertRefusedUntouched("another application");
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_refused_and_left_untouched()
    {
        temp.Write("collector/data/captures.db", "these are my holiday notes, not a database\n" + new string('x', 200));

        AssertRefusedUntouched("not a SQLite database");
    }

    [Fact]
    public void A_corrupt_database_is_a_storage_error()
    {
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            for (var i = 0; i < 30; i++)
            {
                store.Append(TestCaptures.Draft(i, Start.AddMinutes(i)));
            }
        }

        // keep the header, wreck the pages behind it
        var bytes = File.ReadAllBytes(DbPath);
        new Random(3).NextBytes(bytes.AsSpan(4096, bytes.Length - 4096));
        File.WriteAllBytes(DbPath, bytes);

        var error = Assert.ThrowsAny<CollectorException>(() =>
        {
            using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);
            store.Append(TestCaptures.Draft(99, Start));
        });

        Assert.Equal(ExitCodes.Storage, error.ExitCode);
    }

    [Fact]
    public void A_capture_whose_tenant_is_not_a_guid_is_a_storage_error_that_names_the_capture()
    {
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            store.Append(TestCaptures.Draft(1, Start));
            store.Append(TestCaptures.Draft(2, Start.AddMinutes(1)));
        }

        OldStickDatabases.Execute(DbPath, "UPDATE captures SET tenant_id = 'fabrikam' WHERE seq = 2");
        using var reopened = StickStore.OpenExisting(DbPath);

        var reading = Assert.Throws<StorageException>(() => reopened.ReadCaptures().ToList());

        Assert.Equal("capture #2 is unreadable: its tenant id 'fabrikam' is not a GUID", reading.Message);
        Assert.IsType<FormatException>(reading.InnerException); // what sync tells a stick's fault by
    }

    [Fact]
    public void A_database_whose_creation_was_cut_short_is_rolled_back_and_created_afresh()
    {
        InterruptedWrites.CreationCutShort(DbPath);
        Assert.True(File.Exists(DbPath + "-journal"));
        StickStore.EnsureUsable(DbPath); // what collect asks before it reads the hash: no refusal
        var stickId = Guid.NewGuid();

        using var store = StickStore.Open(DbPath, stickId, clock);
        var saved = store.Append(TestCaptures.Draft(1, Start));

        Assert.Equal(stickId, store.Info.StickId);
        Assert.Equal(1, saved.Capture.StickSequence);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Opening_an_existing_database_whose_creation_was_cut_short_refuses_it_instead_of_making_a_stick_without_an_id()
    {
        InterruptedWrites.CreationCutShort(DbPath);

        var error = Assert.Throws<StorageException>(() => StickStore.OpenExisting(DbPath));

        Assert.Contains("was cut short while it was being created, before its first capture", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(DatabaseFileKind.Ours, DatabaseFile.Inspect(DbPath, StickStore.ApplicationId).Kind);
    }

    [Fact]
    public void A_stick_id_is_never_all_zeros()
    {
        Assert.Throws<ArgumentException>(() => StickStore.Open(DbPath, Guid.Empty, clock));
        Assert.False(File.Exists(DbPath));
    }

    [Fact]
    public void Collect_gives_a_stick_whose_id_an_older_reader_left_all_zeros_a_real_one_and_its_captures_too()
    {
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            store.Append(TestCaptures.Draft(1, Start));
        }

        OldStickDatabases.Execute(DbPath, $"UPDATE stick SET stick_id = '{Guid.Empty:D}'; UPDATE captures SET stick_id = '{Guid.Empty:D}';");
        var stickId = Guid.NewGuid();

        using var reopened = StickStore.Open(DbPath, stickId, clock);
        reopened.Append(TestCaptures.Draft(2, Start.AddMinutes(1)));

        Assert.Equal(stickId, reopened.Info.StickId);
        Assert.Equal([stickId, stickId], reopened.ReadCaptures().Select(c => c.StickId));
    }

    private void AssertRefusedUntouched(string expected)
    {
        var before = SHA256.HashData(File.ReadAllBytes(DbPath));

        var error = Assert.Throws<StorageException>(() => StickStore.Open(DbPath, Guid.NewGuid(), clock));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Storage, error.ExitCode);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(DbPath)));
        Assert.False(File.Exists(DbPath + "-journal"));
    }

    private string Pragma(string name)
    {
        using var connection = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
