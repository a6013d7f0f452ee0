using System.Security.Cryptography;
using Collector.Testing;

namespace Collector.Stick.Tests.Commands;

/// <summary>
/// <c>collect list</c> and <c>collect verify</c> never create or change a file on the stick,
/// whatever state a pulled stick or a killed capture left it in: every file in the stick folder is
/// the same, byte for byte, before and after, and no file is added or removed.
/// </summary>
public sealed class ReadersOnlyReadTests : IDisposable
{
    private readonly TestStick stick = new();

    public void Dispose() => stick.Dispose();

    [Fact]
    public async Task A_database_whose_creation_was_cut_short_is_reported_unfinished_and_left_as_it_was()
    {
        InterruptedWrites.CreationCutShort(stick.Paths.Database);
        Assert.True(File.Exists(stick.Paths.Database + "-journal"));
        var before = Snapshot();

        var list = await stick.RunAsync("list");
        var json = await stick.RunAsync("list", "--json");
        var verify = await stick.RunAsync("verify");

        Assert.Equal((0, ""), (list.ExitCode, list.Error));
        Assert.Contains("No captures on this stick yet:", list.Out, StringComparison.Ordinal);
        Assert.Contains("was cut short while it was being created, before its first capture", list.Out, StringComparison.Ordinal);
        Assert.Equal((0, "[]"), (json.ExitCode, json.Out.Trim()));
        Assert.Contains("note:", json.Error, StringComparison.Ordinal);
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("holds no captures (the next capture on that stick finishes it): nothing to check", verify.Out, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task A_capture_killed_mid_commit_leaves_a_hot_journal_that_readers_roll_back_in_a_copy_not_on_the_stick()
    {
        stick.Seed(1, 2, 3);
        var sealedCopy = stick.Scratch("sealed.db");
        File.Copy(stick.Paths.Database, sealedCopy);
        File.Delete(stick.Paths.Database);
        // The captures' pages change first, so when the full cache spills, SQLite syncs the
        // journal (its header gets the magic: a hot journal) before it overwrites them in place.
        InterruptedWrites.CopyMidTransaction(stick.Paths.Database, """
            UPDATE captures SET group_tag = 'half-written';
            CREATE TABLE filler (x BLOB);
            INSERT INTO filler SELECT randomblob(4000) FROM generate_series(1, 50);
            """, startFrom: sealedCopy);
        Assert.Equal(InterruptedWrites.JournalMagic, File.ReadAllBytes(stick.Paths.Database + "-journal")[..8]);
        var before = Snapshot();

        var list = await stick.RunAsync("list");
        var verify = await stick.RunAsync("verify");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("3 device(s), 3 capture(s)", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("half-written", list.Out, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("Integrity       ok", verify.Out, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task A_sound_stick_is_read_without_a_journal_or_any_other_file_appearing()
    {
        stick.Seed(1, 2);
        var before = Snapshot();

        var list = await stick.RunAsync("list", "--json");
        var verify = await stick.RunAsync("verify");

        Assert.Equal((0, 0), (list.ExitCode, verify.ExitCode));
        Assert.Equal(before, Snapshot());
    }

    /// <summary>Every file under the stick root with the SHA-256 of its bytes.</summary>
    private SortedDictionary<string, string> Snapshot() =>
        new(Directory.EnumerateFiles(stick.Root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(stick.Root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);
}
