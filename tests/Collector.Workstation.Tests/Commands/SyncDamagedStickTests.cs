using System.Text.Json;
using Collector.Testing;
using Collector.Workstation.Tests.Sync;

namespace Collector.Workstation.Tests.Commands;

/// <summary>
/// A stick with damaged pages (bit rot, a write cut short): sync salvages every capture it can
/// still read and validate from its private copy, says what it could not read, and never writes
/// the stick.
/// </summary>
public sealed class SyncDamagedStickTests : IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-3);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string HubPath => temp.File("desk", "hub.db");

    [Fact]
    public async Task A_damaged_page_loses_only_the_capture_on_it_and_the_stick_is_not_written()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 30, Day.AddHours(1)));
        var database = TestSticks.Database(root);
        var pages = StickPages.Read(database);
        var page = Enumerable.Range(1, pages.PageCount).First(p => pages.KindOf(p) == PageKind.CaptureOverflow && p > pages.PageCount / 2);
        var lost = Assert.Single(pages.CapturesOn(page));
        var sequence = pages.Captures.ToList().IndexOf(lost) + 1;
        StickPages.DamagePage(database, page, pages.PageSize, StickPages.Damage.Zeros, new Random(1));
        var before = TestSticks.Snapshot(root);

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        // A zeroed overflow page leaves the b-tree sound (quick_check passes): the row is read, and
        // what it holds (its hash, its last columns) no longer checks out, so it is refused by name.
        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"collector: refused capture #{sequence} of {database}: its ", result.Error, StringComparison.Ordinal);
        var merged = HubFile.NewestCaptures(HubPath).Select(c => c.Capture.CaptureId).ToHashSet();
        Assert.Equal(pages.Captures.Where(id => id != lost).ToHashSet(), merged);
        Assert.Equal(before.Keys.Order(), TestSticks.Snapshot(root).Keys.Order());
        Assert.All(before, file => Assert.Equal(file.Value, File.ReadAllBytes(file.Key)));
    }

    [Theory]
    [InlineData(PageKind.CaptureInterior)]
    [InlineData(PageKind.Header)]
    [InlineData(PageKind.Other)]
    public async Task A_damaged_page_that_holds_no_capture_loses_none(PageKind kind)
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 30, Day.AddHours(1)));
        var database = TestSticks.Database(root);
        var pages = StickPages.Read(database);
        var page = Enumerable.Range(1, pages.PageCount).First(p => pages.KindOf(p) == kind);
        StickPages.DamagePage(database, page, pages.PageSize, StickPages.Damage.Random, new Random(2));

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath, "--json");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal(pages.Captures.ToHashSet(), HubFile.NewestCaptures(HubPath).Select(c => c.Capture.CaptureId).ToHashSet());
        using var json = JsonDocument.Parse(result.Out);
        var damaged = Assert.Single(json.RootElement.GetProperty("damagedSticks").EnumerateArray());
        Assert.Equal(database, damaged.GetProperty("path").GetString());
        Assert.Equal(30, damaged.GetProperty("salvaged").GetInt32());
    }

    [Fact]
    public async Task A_damaged_leaf_page_names_the_captures_it_could_not_read()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 30, Day.AddHours(1)));
        var database = TestSticks.Database(root);
        var pages = StickPages.Read(database);
        var page = Enumerable.Range(1, pages.PageCount).First(p => pages.KindOf(p) == PageKind.CaptureLeaf && pages.CapturesOn(p)[0] != pages.Captures[0]);
        var lost = pages.CapturesOn(page).Select(id => pages.Captures.ToList().IndexOf(id) + 1).ToList();
        StickPages.DamagePage(database, page, pages.PageSize, StickPages.Damage.Zeros, new Random(3));

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"could not read capture(s) #{lost[0]}–#{lost[^1]}", result.Error, StringComparison.Ordinal);
        Assert.Equal(30 - lost.Count, HubFile.NewestCaptures(HubPath).Count);
    }

    [Theory]
    [InlineData(PageKind.CaptureLeaf)]
    [InlineData(PageKind.CaptureIndex)]
    public async Task A_capture_id_changed_by_one_flipped_bit_reaches_the_hub_under_neither_id(PageKind where)
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 10, Day.AddHours(1)));
        var database = TestSticks.Database(root);
        var pages = StickPages.Read(database);
        var flipped = pages.Captures[4];
        var page = Enumerable.Range(1, pages.PageCount).First(p => pages.KindOf(p) == where && pages.CapturesOn(p).Contains(flipped));
        var bytes = File.ReadAllBytes(database);
        var text = System.Text.Encoding.ASCII.GetBytes(flipped.ToString("D"));
        var at = ((page - 1) * pages.PageSize) + bytes.AsSpan((page - 1) * pages.PageSize, pages.PageSize).IndexOf(text);
        bytes[at] ^= 0x01; // '0'..'9' and 'a'..'f' stay hex digits: the id still parses
        File.WriteAllBytes(database, bytes);

        var result = await Cli.RunAsync("sync", root, "--hub", HubPath);

        // Only integrity_check sees it (every page reads); the row and the index disagree on the
        // id, nothing says which was damaged, so the capture is named as not read.
        Assert.Equal(5, result.ExitCode);
        Assert.Contains("could not read capture(s) #5", result.Error, StringComparison.Ordinal);
        Assert.Equal(pages.Captures.Where(id => id != flipped).ToHashSet(), HubFile.NewestCaptures(HubPath).Select(c => c.Capture.CaptureId).ToHashSet());
    }

    [Fact]
    public async Task A_salvaged_stick_merged_again_adds_nothing()
    {
        var root = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 10, Day.AddHours(1)));
        var database = TestSticks.Database(root);
        var pages = StickPages.Read(database);
        var page = Enumerable.Range(1, pages.PageCount).First(p => pages.KindOf(p) == PageKind.CaptureInterior);
        StickPages.DamagePage(database, page, pages.PageSize, StickPages.Damage.Random, new Random(4));
        await Cli.RunAsync("sync", root, "--hub", HubPath);

        var again = await Cli.RunAsync("sync", root, "--hub", HubPath, "--json");

        using var json = JsonDocument.Parse(again.Out);
        Assert.Equal(0, json.RootElement.GetProperty("captures").GetProperty("new").GetInt32());
        Assert.Equal(10, json.RootElement.GetProperty("captures").GetProperty("known").GetInt32());
    }
}
