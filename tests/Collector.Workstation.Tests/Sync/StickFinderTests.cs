using Collector.Testing;
using Collector.Workstation.Sync;

namespace Collector.Workstation.Tests.Sync;

public sealed class StickFinderTests : IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-1);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_stick_root_a_folder_of_stick_roots_and_a_database_file_are_all_found()
    {
        var root = TestSticks.Create(temp.File("usb"), Day, TestSticks.Samples(1, 1, Day));
        TestSticks.Create(temp.File("desk", "stick-a"), Day, TestSticks.Samples(2, 2, Day));
        TestSticks.Create(temp.File("desk", "stick-b"), Day, TestSticks.Samples(3, 3, Day));
        var file = temp.File("copy.sqlite");
        File.Copy(TestSticks.Database(root), file);

        var found = StickFinder.Find([root, temp.File("desk"), file]);

        Assert.Empty(found.Skipped);
        Assert.Equal(
            [TestSticks.Database(root), TestSticks.Database(temp.File("desk", "stick-a")), TestSticks.Database(temp.File("desk", "stick-b")), file],
            found.Databases);
    }

    [Fact]
    public void The_same_database_given_twice_is_merged_once()
    {
        var root = TestSticks.Create(temp.File("usb"), Day, TestSticks.Samples(1, 1, Day));

        var found = StickFinder.Find([root, TestSticks.Database(root), temp.Path]);

        Assert.Equal([TestSticks.Database(root)], found.Databases);
    }

    [Fact]
    public void A_damaged_database_in_a_sticks_data_folder_is_reported_and_other_files_there_are_not()
    {
        var data = temp.File("usb", "collector", "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "captures.db"), "scribbled over by a dying stick");
        File.WriteAllText(Path.Combine(data, "readme.txt"), "notes");

        var found = StickFinder.Find([temp.File("usb")]);

        Assert.Empty(found.Databases);
        var skipped = Assert.Single(found.Skipped);
        Assert.Equal(Path.Combine(data, "captures.db"), skipped.Path);
        Assert.Contains("is not a SQLite database", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hub_given_as_a_path_is_named_as_a_hub()
    {
        using (Workstation.Hub.HubStore.Open(temp.File("hub.db"), TimeProvider.System))
        {
        }

        var found = StickFinder.Find([temp.File("hub.db")]);

        Assert.Equal("is a Collector hub, not a stick database", Assert.Single(found.Skipped).Reason);
    }
}
