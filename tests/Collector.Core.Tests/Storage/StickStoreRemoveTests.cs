using Collector.Core.Errors;
using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.Core.Tests.Storage;

/// <summary>Taking captures off a stick (collector stick clear): only what was named, byte for byte, and no sequence number twice.</summary>
public sealed class StickStoreRemoveTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Start);

    public void Dispose() => temp.Dispose();

    private string DbPath => temp.File("collector", "data", "captures.db");

    [Fact]
    public void Removing_the_highest_captures_never_gives_their_sequence_numbers_again()
    {
        using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);
        var saved = Enumerable.Range(1, 4).Select(i => store.Append(TestCaptures.Draft(i, Start)).Capture).ToList();

        var result = store.Remove([.. saved.Skip(2).Select(c => new StickRemoval(c.CaptureId, c.HardwareHash))]);
        var next = store.Append(TestCaptures.Draft(5, Start));

        Assert.Equal((2, 2L, 2, 4L), (result.Removed, result.CapturesLeft, result.DevicesLeft, result.LastSequence));
        Assert.Equal(5, next.Capture.StickSequence);
        Assert.Equal(3, next.DevicesOnStick);
        Assert.Equal([1L, 2L, 5L], store.ReadCaptures().Select(c => c.StickSequence));
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Emptying_the_stick_keeps_its_id_resets_the_device_count_and_the_next_capture_goes_on_counting()
    {
        var stickId = Guid.NewGuid();
        using (var store = StickStore.Open(DbPath, stickId, clock))
        {
            var saved = Enumerable.Range(1, 3).Select(i => store.Append(TestCaptures.Draft(i, Start)).Capture).ToList();
            store.Remove([.. saved.Select(c => new StickRemoval(c.CaptureId, c.HardwareHash))]);
        }

        using var reopened = StickStore.OpenExisting(DbPath);
        var next = reopened.Append(TestCaptures.Draft(1, Start));

        Assert.Equal(stickId, reopened.Info.StickId);
        Assert.Equal((4L, 1, false), (next.Capture.StickSequence, next.DevicesOnStick, next.AlreadyOnStick));
        Assert.Equal(4, reopened.LastSequence());
    }

    [Fact]
    public void A_capture_whose_hash_differs_from_the_one_named_is_kept()
    {
        using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);
        var first = store.Append(TestCaptures.Draft(1, Start)).Capture;
        var second = store.Append(TestCaptures.Draft(2, Start)).Capture;

        var result = store.Remove([new StickRemoval(first.CaptureId, second.HardwareHash), new StickRemoval(second.CaptureId, second.HardwareHash)]);

        Assert.Equal(1, result.Removed);
        Assert.Equal([first.CaptureId], store.ReadCaptures().Select(c => c.CaptureId));
        Assert.Equal([first.CaptureId], result.NotRemoved);
    }

    [Fact]
    public void A_capture_already_gone_is_neither_removed_nor_said_to_stay()
    {
        using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);
        var first = store.Append(TestCaptures.Draft(1, Start)).Capture;
        store.Remove([new StickRemoval(first.CaptureId, first.HardwareHash)]);

        var again = store.Remove([new StickRemoval(first.CaptureId, first.HardwareHash)]);

        Assert.Equal(0, again.Removed);
        Assert.Empty(again.NotRemoved);
    }

    [Fact]
    public void A_removed_capture_leaves_no_copy_of_its_hash_in_the_file()
    {
        var removedHash = TestCaptures.Draft(1, Start).Hash.Base64;
        var keptHash = TestCaptures.Draft(2, Start).Hash.Base64;
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            var saved = store.Append(TestCaptures.Draft(1, Start)).Capture;
            store.Append(TestCaptures.Draft(2, Start));
            store.Remove([new StickRemoval(saved.CaptureId, saved.HardwareHash)]);
        }

        var file = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(DbPath));

        // Pieces of each hash the other does not share (a row spills over pages, so whole hashes are not contiguous).
        Assert.DoesNotContain(Pieces(removedHash, keptHash), p => file.Contains(p, StringComparison.Ordinal));
        Assert.Contains(Pieces(keptHash, removedHash), p => file.Contains(p, StringComparison.Ordinal));
    }

    [Fact]
    public void A_schema_4_stick_learns_its_last_sequence_from_its_captures_when_migrated()
    {
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            store.Append(TestCaptures.Draft(1, Start));
            store.Append(TestCaptures.Draft(2, Start));
        }

        OldStickDatabases.Execute(DbPath, "ALTER TABLE stick DROP COLUMN last_seq; PRAGMA user_version = 4;");
        using var migrated = StickStore.OpenExisting(DbPath);

        Assert.Equal(2, migrated.LastSequence());
        Assert.Equal(StickStore.SchemaVersion, DatabaseFile.Inspect(DbPath, StickStore.ApplicationId).UserVersion);
        Assert.Equal(3, migrated.Append(TestCaptures.Draft(3, Start)).Capture.StickSequence);
    }

    [Fact]
    public void The_tenants_of_a_sticks_captures_are_read_without_writing()
    {
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            store.Append(TestCaptures.Draft(1, Start));
            store.Append(TestCaptures.Draft(2, Start, TestCaptures.OtherTenant));
        }

        var before = File.ReadAllBytes(DbPath);

        Assert.Equal([TestCaptures.OtherTenant, TestCaptures.Tenant], StickStore.PeekTenants(DbPath).Order());
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void A_removal_the_database_refuses_is_a_storage_error_and_removes_nothing()
    {
        using var store = StickStore.Open(DbPath, Guid.NewGuid(), clock);
        var saved = store.Append(TestCaptures.Draft(1, Start)).Capture;
        OldStickDatabases.Execute(DbPath, "CREATE TRIGGER no_delete BEFORE DELETE ON captures BEGIN SELECT RAISE(ABORT, 'refused'); END;");

        var error = Assert.Throws<StorageException>(() => store.Remove([new StickRemoval(saved.CaptureId, saved.HardwareHash)]));

        Assert.Equal(ExitCodes.Storage, error.ExitCode);
        Assert.Single(store.ReadCaptures());
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void A_clear_cut_short_by_a_pulled_stick_is_rolled_back_by_its_journal_and_loses_nothing()
    {
        using (var store = StickStore.Open(DbPath, Guid.NewGuid(), clock))
        {
            foreach (var sample in Enumerable.Range(1, 20))
            {
                store.Append(TestCaptures.Draft(sample, Start));
            }
        }

        var pulled = temp.File("pulled", "captures.db");
        InterruptedWrites.CopyMidTransaction(pulled, "PRAGMA secure_delete = ON; DELETE FROM captures WHERE seq > 5;", startFrom: DbPath);
        var readOnlyVerdict = StickStore.Damage(pulled); // a read-only reader cannot roll a hot journal back

        StickStore.RecoverJournal(pulled);

        Assert.NotNull(readOnlyVerdict);
        Assert.False(File.Exists(pulled + "-journal"));
        Assert.Null(StickStore.Damage(pulled));
        using var recovered = StickStore.OpenExisting(pulled);
        Assert.Equal(20, recovered.CaptureCount());
        Assert.True(recovered.Verify().Ok);
    }

    private static List<string> Pieces(string hash, string other) =>
        [.. Enumerable.Range(0, hash.Length / 40).Select(i => hash.Substring(i * 40, 40)).Where(p => !other.Contains(p, StringComparison.Ordinal))];
}
