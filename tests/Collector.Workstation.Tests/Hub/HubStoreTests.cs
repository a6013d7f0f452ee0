using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tests.Hub;

public sealed class HubStoreTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Merging_the_same_stick_twice_changes_nothing()
    {
        using var stick = Stick("a", (1, Day.AddHours(1)), (2, Day.AddHours(2)));
        using var hub = Hub();
        clock.Advance(TimeSpan.FromDays(1));

        var first = hub.Merge(stick, "/media/a");
        var second = hub.Merge(stick, "/media/a");

        Assert.Equal((2, 0), (first.NewCaptures, first.KnownCaptures));
        Assert.Equal((0, 2), (second.NewCaptures, second.KnownCaptures));
        Assert.Equal(2, hub.CountCaptures());
        Assert.Equal(2, hub.CountDevices());
    }

    [Fact]
    public void Within_one_stick_the_later_sequence_wins_even_when_its_clock_says_earlier()
    {
        using var stick = StickStore.Open(temp.File("a.db"), Guid.NewGuid(), clock);
        stick.Append(TestCaptures.Draft(1, Day.AddHours(5), groupTag: "first"));
        stick.Append(TestCaptures.Draft(1, Day.AddHours(2), groupTag: "second")); // device clock went back
        using var hub = Hub();
        clock.Advance(TimeSpan.FromDays(1));

        hub.Merge(stick, "a");

        Assert.Equal("second", Assert.Single(hub.NewestCaptures()).Capture.GroupTag);
    }

    [Fact]
    public void Between_sticks_the_later_plausible_capture_time_wins()
    {
        using var early = Stick("early", (1, Day.AddHours(1)));
        using var late = Stick("late", (1, Day.AddHours(3)));
        using var hub = Hub();
        clock.Advance(TimeSpan.FromDays(1));

        hub.Merge(late, "late");
        hub.Merge(early, "early");

        var newest = Assert.Single(hub.NewestCaptures());
        Assert.Equal(late.Info.StickId, newest.Capture.StickId);
        Assert.Equal(2, hub.History(TestCaptures.Tenant, "CLT-0000001").Count);
    }

    [Fact]
    public void A_capture_from_a_flat_cmos_clock_is_flagged_and_takes_the_merge_time()
    {
        using var good = Stick("good", (1, Day.AddHours(3)));
        using var flat = Stick("flat", (1, new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        using var hub = Hub();
        clock.Advance(TimeSpan.FromDays(2));

        hub.Merge(good, "good");
        hub.Merge(flat, "flat");

        var newest = Assert.Single(hub.NewestCaptures());
        Assert.Equal(flat.Info.StickId, newest.Capture.StickId);
        Assert.Contains(HashFlags.ClockSuspect, newest.Capture.Flags);
        Assert.Equal(clock.Now, newest.EffectiveAt);
    }

    [Fact]
    public void A_suspect_clock_on_one_device_does_not_move_another_devices_capture_forward()
    {
        using var first = StickStore.Open(temp.File("first.db"), Guid.NewGuid(), clock);
        first.Append(TestCaptures.Draft(7, new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))); // flat battery, another device
        first.Append(TestCaptures.Draft(1, Day.AddHours(1), groupTag: "monday"));
        using var second = Stick("second", (1, Day.AddHours(5)));
        using var hub = Hub();
        clock.Advance(TimeSpan.FromDays(1));
        hub.Merge(second, "second");
        clock.Advance(TimeSpan.FromDays(1));

        hub.Merge(first, "first");

        var device = Assert.Single(hub.NewestCaptures(), c => c.Capture.DeviceKey == "CLT-0000001");
        Assert.Equal(second.Info.StickId, device.Capture.StickId);
        Assert.Equal(Day.AddHours(1), hub.History(TestCaptures.Tenant, "CLT-0000001")[1].EffectiveAt);
    }

    [Fact]
    public void A_stick_dated_by_a_flat_battery_does_not_make_its_clock_plausible()
    {
        var flatBattery = new ManualClock(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var stick = StickStore.Open(temp.File("flat.db"), Guid.NewGuid(), flatBattery); // made by collect on that device
        stick.Append(TestCaptures.Draft(1, flatBattery.Now.AddMinutes(5)));
        using var hub = Hub();

        hub.Merge(stick, "flat");

        Assert.Contains(HashFlags.ClockSuspect, Assert.Single(hub.NewestCaptures()).Capture.Flags);
    }

    [Fact]
    public void A_capture_dated_after_the_merge_is_suspect_too()
    {
        using var future = Stick("future", (1, Day.AddYears(3)));
        using var hub = Hub();

        hub.Merge(future, "future");

        Assert.Contains(HashFlags.ClockSuspect, Assert.Single(hub.NewestCaptures()).Capture.Flags);
    }

    [Fact]
    public void Two_devices_sharing_a_serial_on_different_sticks_are_two_devices()
    {
        var twin = HashBuilder.Sample(1);
        twin.SmbiosUuid = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        using var a = Stick("a", (1, Day.AddHours(1)));
        using var b = StickStore.Open(temp.File("b.db"), Guid.NewGuid(), clock);
        b.Append(TestCaptures.Draft(twin, Day.AddHours(2)));
        b.Append(TestCaptures.Draft(twin, Day.AddHours(3)));
        using var hub = Hub();
        clock.Advance(TimeSpan.FromDays(1));

        hub.Merge(a, "a");
        hub.Merge(b, "b");

        var devices = hub.NewestCaptures().ToList();
        Assert.Equal(["CLT-0000001", "CLT-0000001~aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"], devices.Select(d => d.Capture.DeviceKey));
        Assert.Contains(HashFlags.SerialCollision, devices[1].Capture.Flags);
        Assert.Equal(3, hub.CountCaptures());
    }

    [Fact]
    public void Tenants_are_kept_apart()
    {
        using var stick = StickStore.Open(temp.File("t.db"), Guid.NewGuid(), clock);
        stick.Append(TestCaptures.Draft(1, Day.AddHours(1)));
        stick.Append(TestCaptures.Draft(1, Day.AddHours(2), tenant: TestCaptures.OtherTenant));
        using var hub = Hub();
        clock.Advance(TimeSpan.FromDays(1));

        hub.Merge(stick, "t");

        Assert.Single(hub.NewestCaptures(TestCaptures.Tenant));
        Assert.Single(hub.NewestCaptures(TestCaptures.OtherTenant));
        Assert.Equal(2, hub.CountDevices());
    }

    [Fact]
    public void A_stick_database_given_as_the_hub_is_refused()
    {
        using (Stick("s", (1, Day))) { }

        var error = Assert.Throws<StorageException>(() => HubStore.Open(temp.File("s.db"), clock));

        Assert.Contains("is a stick database, not a hub", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_writer_waits_briefly_then_says_the_hub_is_in_use()
    {
        using var first = Hub();

        var error = Assert.Throws<StorageException>(() => HubStore.Open(temp.File("hub", "hub.db"), clock, lockWait: TimeSpan.FromMilliseconds(300)));

        Assert.Contains("in use by another collector", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reader_opens_alongside_a_writer()
    {
        using var writer = Hub();

        using var reader = HubStore.Open(temp.File("hub", "hub.db"), clock, readOnly: true);

        Assert.Equal(0, reader.CountDevices());
    }

    private HubStore Hub() => HubStore.Open(temp.File("hub", "hub.db"), clock);

    private StickStore Stick(string name, params (int Sample, DateTimeOffset At)[] captures)
    {
        var store = StickStore.Open(temp.File($"{name}.db"), Guid.NewGuid(), clock);
        foreach (var (sample, at) in captures)
        {
            store.Append(TestCaptures.Draft(sample, at));
        }

        return store;
    }
}
