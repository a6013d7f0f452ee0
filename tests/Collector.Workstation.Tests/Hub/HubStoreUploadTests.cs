using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tests.Hub;

public sealed class HubStoreUploadTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();
    private readonly ManualClock clock = new(Day);

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Every_merged_device_waits_for_upload_in_pages_in_key_order()
    {
        using var hub = Merged(1, 2, 3, 4, 5);

        var first = hub.WaitingForUpload(TestCaptures.Tenant, null, 2);
        var second = hub.WaitingForUpload(TestCaptures.Tenant, first[^1].DeviceKey, 2);
        var third = hub.WaitingForUpload(TestCaptures.Tenant, second[^1].DeviceKey, 2);

        Assert.Equal(5, hub.CountWaitingForUpload());
        Assert.Equal([TestCaptures.Tenant], hub.TenantsWaitingForUpload());
        Assert.Equal(["CLT-0000001", "CLT-0000002", "CLT-0000003", "CLT-0000004", "CLT-0000005"],
            first.Concat(second).Concat(third).Select(p => p.DeviceKey));
        Assert.All(first, p => Assert.Null(p.UploadedEtag));
    }

    [Fact]
    public void A_recorded_upload_stops_the_device_waiting_until_a_newer_capture_arrives()
    {
        using var hub = Merged(1, 2);
        var pending = hub.WaitingForUpload(TestCaptures.Tenant, null, 10);

        hub.RecordUploads([.. pending.Select(p => new UploadRecord(p.DeviceId, p.Newest.Capture.CaptureId, "W/\"1\""))]);
        Merge(hub, Day.AddHours(5), 2);

        var waiting = Assert.Single(hub.WaitingForUpload(TestCaptures.Tenant, null, 10));
        Assert.Equal("CLT-0000002", waiting.DeviceKey);
        Assert.Equal("W/\"1\"", waiting.UploadedEtag);
        Assert.Equal(pending[1].Newest.Capture.CaptureId.ToString("D"), waiting.UploadedCaptureId);
    }

    [Fact]
    public void A_device_moved_to_its_collision_key_stays_there_for_later_captures()
    {
        using var hub = Merged(1);
        var device = Assert.Single(hub.WaitingForUpload(TestCaptures.Tenant, null, 10));
        var key = DeviceIdentity.CollisionKey("CLT-0000001", device.Newest.Capture.SmbiosUuid);

        hub.RecordUploads([new UploadRecord(device.DeviceId, device.Newest.Capture.CaptureId, "W/\"1\"", key)]);
        Merge(hub, Day.AddHours(5), 1);

        var newest = Assert.Single(hub.NewestCaptures());
        Assert.Equal(key, newest.Capture.DeviceKey);
        Assert.Contains(HashFlags.SerialCollision, newest.Capture.Flags);
        Assert.Equal(2, hub.History(TestCaptures.Tenant, key).Count);
        Assert.All(hub.History(TestCaptures.Tenant, key), c => Assert.Equal(key, c.Capture.DeviceKey));
        Assert.Equal(1, hub.CountDevices());
    }

    [Fact]
    public void Two_devices_sharing_a_serial_swap_keys_when_the_table_holds_them_the_other_way_round()
    {
        using var hub = Merged(1);
        MergeTwin(hub);
        var (first, twin) = Pair(hub);
        var twinKey = twin.DeviceKey;
        var firstCollisionKey = DeviceIdentity.CollisionKey("CLT-0000001", first.Newest.Capture.SmbiosUuid);

        // The table holds the twin under the serial and the first under its collision key: the
        // twin's record comes first, while the first still holds the serial here.
        hub.RecordUploads([
            new UploadRecord(twin.DeviceId, twin.Newest.Capture.CaptureId, "W/\"t\"", "CLT-0000001"),
            new UploadRecord(first.DeviceId, first.Newest.Capture.CaptureId, "W/\"f\"", firstCollisionKey)]);

        Assert.Equal(DeviceIdentity.CollisionKey("CLT-0000001", twin.Newest.Capture.SmbiosUuid), twinKey);
        var keys = hub.NewestCaptures().ToDictionary(c => c.Capture.SmbiosUuid!.Value, c => c.Capture);
        Assert.Equal("CLT-0000001", keys[twin.Newest.Capture.SmbiosUuid!.Value].DeviceKey);
        Assert.DoesNotContain(HashFlags.SerialCollision, keys[twin.Newest.Capture.SmbiosUuid!.Value].Flags);
        Assert.Equal(firstCollisionKey, keys[first.Newest.Capture.SmbiosUuid!.Value].DeviceKey);
        Assert.Contains(HashFlags.SerialCollision, keys[first.Newest.Capture.SmbiosUuid!.Value].Flags);
        Assert.Equal(0, hub.CountWaitingForUpload());
    }

    [Fact]
    public void A_device_holding_the_key_another_one_is_recorded_under_steps_aside_and_waits_for_upload_again()
    {
        using var hub = Merged(1);
        MergeTwin(hub);
        var (first, twin) = Pair(hub);
        hub.RecordUploads([new UploadRecord(first.DeviceId, first.Newest.Capture.CaptureId, "W/\"f\"")]);

        hub.RecordUploads([new UploadRecord(twin.DeviceId, twin.Newest.Capture.CaptureId, "W/\"t\"", "CLT-0000001")]);

        var waiting = Assert.Single(hub.WaitingForUpload(TestCaptures.Tenant, null, 10));
        Assert.Equal(first.DeviceId, waiting.DeviceId);
        Assert.Equal(DeviceIdentity.CollisionKey("CLT-0000001", first.Newest.Capture.SmbiosUuid), waiting.DeviceKey);
        Assert.Null(waiting.UploadedCaptureId);
    }

    [Fact]
    public void Pointing_the_hub_at_another_table_makes_every_device_wait_again()
    {
        using var hub = Merged(1, 2);
        Assert.False(hub.UseUploadTarget("http://127.0.0.1:1/acct/first"));
        hub.RecordUploads([.. hub.WaitingForUpload(TestCaptures.Tenant, null, 10).Select(p => new UploadRecord(p.DeviceId, p.Newest.Capture.CaptureId, "e"))]);

        var same = hub.UseUploadTarget("http://127.0.0.1:1/acct/first");
        var waitingBefore = hub.CountWaitingForUpload();
        var changed = hub.UseUploadTarget("http://127.0.0.1:1/acct/second");

        Assert.False(same);
        Assert.Equal(0, waitingBefore);
        Assert.True(changed);
        Assert.Equal(2, hub.CountWaitingForUpload());
    }

    [Fact]
    public void Devices_between_two_keys_are_counted_from_the_index()
    {
        using var hub = Merged(1, 2, 3, 4, 5, 6);

        Assert.Equal(4, hub.CountDevicesBetween(TestCaptures.Tenant, "CLT-0000002", "CLT-0000005"));
        Assert.Equal(0, hub.CountDevicesBetween(TestCaptures.OtherTenant, "CLT-0000002", "CLT-0000005"));
    }

    /// <summary>A second device with sample 1's serial and another UUID, merged after it: filed under its collision key.</summary>
    private void MergeTwin(HubStore hub)
    {
        var twin = HashBuilder.Sample(2);
        twin.Serial = "CLT-0000001";
        using var stick = StickStore.Open(temp.File($"{Guid.NewGuid():N}.db"), Guid.NewGuid(), new ManualClock(Day));
        stick.Append(TestCaptures.Draft(twin, Day.AddHours(2)));
        clock.Now = Day.AddDays(2);
        hub.Merge(stick, stick.Path);
    }

    private static (PendingUpload First, PendingUpload Twin) Pair(HubStore hub)
    {
        var pending = hub.WaitingForUpload(TestCaptures.Tenant, null, 10);
        Assert.Equal(2, pending.Count);
        return (pending.Single(p => p.DeviceKey == "CLT-0000001"), pending.Single(p => p.DeviceKey != "CLT-0000001"));
    }

    private HubStore Merged(params int[] samples)
    {
        var hub = HubStore.Open(temp.File("hub", "hub.db"), clock);
        Merge(hub, Day.AddHours(1), samples);
        return hub;
    }

    private void Merge(HubStore hub, DateTimeOffset at, params int[] samples)
    {
        using var stick = StickStore.Open(temp.File($"{Guid.NewGuid():N}.db"), Guid.NewGuid(), new ManualClock(Day));
        foreach (var sample in samples)
        {
            stick.Append(TestCaptures.Draft(sample, at));
        }

        clock.Now = at.AddDays(1);
        hub.Merge(stick, stick.Path);
    }
}
