using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tests.Hub;

public sealed class HubStoreExportImportTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Export_candidates_are_the_newest_captures_not_yet_exported_in_key_order()
    {
        using var hub = HubWith(3, 1, 2);

        var candidates = hub.ExportCandidates(null, all: false).Select(c => c.DeviceKey).ToList();

        Assert.Equal(["CLT-0000001", "CLT-0000002", "CLT-0000003"], candidates);
    }

    [Fact]
    public void A_marked_device_is_no_longer_a_candidate_until_a_newer_capture_arrives()
    {
        using var hub = HubWith(1, 2);
        var first = hub.ExportCandidates(null, false).First();

        hub.MarkExported("b-001", TestCaptures.Tenant, "/out/b-001.csv", [(first.DeviceKey, first.CaptureId)], clock.GetUtcNow());

        Assert.Equal(["CLT-0000002"], hub.ExportCandidates(null, false).Select(c => c.DeviceKey));
        Assert.Equal(2, hub.ExportCandidates(null, all: true).Count());
        Assert.True(hub.ExportBatchExists("b-001"));
        Assert.Equal(1, hub.TenantStatuses().Single().WaitingForExport);

        using var later = Stick("later", (1, Day.AddHours(5)));
        clock.Advance(TimeSpan.FromHours(6));
        hub.Merge(later, "later");

        Assert.Equal(["CLT-0000001", "CLT-0000002"], hub.ExportCandidates(null, false).Select(c => c.DeviceKey));
    }

    [Fact]
    public void Export_candidates_can_be_limited_to_one_tenant()
    {
        using var stick = StickStore.Open(temp.File("s.db"), Guid.NewGuid(), clock);
        stick.Append(TestCaptures.Draft(1, Day.AddHours(1)));
        stick.Append(TestCaptures.Draft(2, Day.AddHours(1), TestCaptures.OtherTenant));
        using var hub = HubStore.Open(temp.File("hub.db"), clock);
        hub.Merge(stick, "s");

        Assert.Equal(["CLT-0000002"], hub.ExportCandidates(TestCaptures.OtherTenant, false).Select(c => c.DeviceKey));
    }

    [Fact]
    public void Marking_can_happen_while_candidates_are_still_being_read()
    {
        using var hub = HubWith(1, 2, 3);
        var seen = new List<string>();

        foreach (var c in hub.ExportCandidates(null, false))
        {
            hub.MarkExported($"b-{seen.Count}", TestCaptures.Tenant, "f", [(c.DeviceKey, c.CaptureId)], clock.GetUtcNow());
            seen.Add(c.DeviceKey);
        }

        Assert.Equal(3, seen.Count);
        Assert.Empty(hub.ExportCandidates(null, false));
    }

    [Fact]
    public void Importing_the_same_capture_twice_adds_it_once()
    {
        using var hub = HubStore.Open(temp.File("hub.db"), clock);
        var capture = Imported(5);

        bool first, second;
        using (var session = hub.BeginImport())
        {
            first = session.Add(capture);
            session.Commit();
        }

        using (var session = hub.BeginImport())
        {
            second = session.Add(capture);
            session.Commit();
        }

        Assert.Equal((true, false), (first, second));
        Assert.Equal(1, hub.CountCaptures());
    }

    [Fact]
    public void A_hash_a_stick_already_brought_is_not_imported_again()
    {
        using var hub = HubWith(5);
        var stickCapture = hub.NewestCaptures().Single().Capture;
        var row = new CsvDeviceRow(2, stickCapture.Serial, "", stickCapture.HardwareHash, "", "", "", "");
        var capture = CsvImport.ToCapture(row, TestCaptures.Tenant, null, Day, "1").Capture!;

        using var session = hub.BeginImport();
        var added = session.Add(capture);
        session.Commit();

        Assert.False(added);
        Assert.Equal(1, hub.CountCaptures());
    }

    [Fact]
    public void An_import_not_committed_keeps_nothing()
    {
        using var hub = HubStore.Open(temp.File("hub.db"), clock);

        using (var session = hub.BeginImport())
        {
            session.Add(Imported(5));
        }

        Assert.Equal(0, hub.CountCaptures());
    }

    [Fact]
    public void An_old_file_does_not_pass_for_newer_than_a_stick_capture()
    {
        using var hub = HubWith(5);
        var stickCapture = hub.NewestCaptures().Single().Capture;

        using (var session = hub.BeginImport())
        {
            session.Add(Imported(5, capturedAt: Day.AddDays(-30)));
            session.Commit();
        }

        Assert.Equal(stickCapture.CaptureId, hub.NewestCaptures().Single().Capture.CaptureId);
        Assert.Equal(2, hub.History(TestCaptures.Tenant, "CLT-0000005").Count);
    }

    private Collector.Core.Captures.Capture Imported(int sample, DateTimeOffset? capturedAt = null)
    {
        var builder = HashBuilder.Sample(sample);
        builder.DiskModel = "imported"; // another capture of the same device: other bytes
        var row = new CsvDeviceRow(2, builder.Serial, "", builder.Build(), "", "", "", "");
        return CsvImport.ToCapture(row, TestCaptures.Tenant, null, capturedAt ?? Day, "1").Capture!;
    }

    private HubStore HubWith(params int[] samples)
    {
        using var stick = Stick("first", [.. samples.Select(s => (s, Day.AddHours(1)))]);
        clock.Advance(TimeSpan.FromHours(6));
        var hub = HubStore.Open(temp.File("hub.db"), clock);
        hub.Merge(stick, "first");
        return hub;
    }

    private StickStore Stick(string name, params (int Sample, DateTimeOffset At)[] captures)
    {
        var stick = StickStore.Open(temp.File(name + ".db"), Guid.NewGuid(), clock);
        foreach (var (sample, at) in captures)
        {
            var builder = HashBuilder.Sample(sample);
            builder.DiskModel = name; // each stick's capture of a device has bytes of its own
            stick.Append(TestCaptures.Draft(builder, at));
        }

        return stick;
    }
}
