using Azure;
using Collector.Core.Captures;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Tests.Tables;

public sealed class UploadDecisionTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid Uuid = Guid.Parse("9c1a0d52-5b9e-4d3a-8f61-2b7e4c0a1d11");
    private static readonly Guid Ours = Guid.Parse("019a8f00-0000-7000-8000-000000000002");

    [Fact]
    public void No_row_means_add() =>
        Assert.Equal(UploadAction.Add, UploadDecision.Decide(Capture(), "SN1", null));

    [Fact]
    public void A_row_holding_this_capture_is_unchanged() =>
        Assert.Equal(UploadAction.Unchanged, UploadDecision.Decide(Capture(), "SN1", Row(At.AddDays(9), Ours)));

    [Fact]
    public void A_row_with_an_older_capture_is_replaced() =>
        Assert.Equal(UploadAction.Replace, UploadDecision.Decide(Capture(), "SN1", Row(At.AddMinutes(-1), Guid.NewGuid())));

    [Fact]
    public void A_row_with_a_newer_capture_is_kept() =>
        Assert.Equal(UploadAction.NewerInTable, UploadDecision.Decide(Capture(), "SN1", Row(At.AddMinutes(1), Guid.NewGuid())));

    [Fact]
    public void At_the_same_time_the_larger_capture_id_wins()
    {
        var larger = Guid.Parse("019a8f00-0000-7000-8000-000000000003");
        var smaller = Guid.Parse("019a8f00-0000-7000-8000-000000000001");

        Assert.Equal(UploadAction.NewerInTable, UploadDecision.Decide(Capture(), "SN1", Row(At, larger)));
        Assert.Equal(UploadAction.Replace, UploadDecision.Decide(Capture(), "SN1", Row(At, smaller)));
    }

    [Fact]
    public void A_seed_row_is_as_new_as_its_timestamp()
    {
        var seed = new TableRow("SN1", new ETag("e"), null, null, At.AddHours(1)) { UuidKnown = true, SmbiosUuid = Uuid };

        Assert.Equal(UploadAction.NewerInTable, UploadDecision.Decide(Capture(), "SN1", seed));
        Assert.Equal(UploadAction.Replace, UploadDecision.Decide(Capture(), "SN1", seed with { Timestamp = At.AddHours(-1) }));
    }

    [Fact]
    public void A_row_of_another_device_under_our_serial_is_a_collision()
    {
        var theirs = Row(At.AddDays(-1), Guid.NewGuid()) with { SmbiosUuid = Guid.NewGuid() };

        Assert.Equal(UploadAction.Collision, UploadDecision.Decide(Capture(), "SN1", theirs));
    }

    [Fact]
    public void Uuid_keys_and_rows_of_unknown_devices_never_collide()
    {
        var theirs = Row(At.AddDays(-1), Guid.NewGuid()) with { SmbiosUuid = Guid.NewGuid() };

        Assert.Equal(UploadAction.Replace, UploadDecision.Decide(Capture(), "uuid:" + Uuid, theirs));
        Assert.Equal(UploadAction.Replace, UploadDecision.Decide(Capture(), "SN1", theirs with { UuidKnown = false }));
    }

    [Fact]
    public void A_device_claims_its_serial_key_unless_another_device_is_read_there()
    {
        var mine = Row(At, Guid.NewGuid());
        var other = mine with { SmbiosUuid = Guid.NewGuid() };

        Assert.False(UploadDecision.BelongsUnderCollisionKey(Uuid, null, null));
        Assert.False(UploadDecision.BelongsUnderCollisionKey(Uuid, mine, null));
        Assert.True(UploadDecision.BelongsUnderCollisionKey(Uuid, other, null));
        Assert.True(UploadDecision.BelongsUnderCollisionKey(Uuid, other, mine));
    }

    [Fact]
    public void A_device_already_under_its_collision_key_stays_unless_its_serial_key_is_known_to_hold_it()
    {
        var atCollision = Row(At, Guid.NewGuid());
        var unknown = atCollision with { UuidKnown = false, SmbiosUuid = null };

        Assert.True(UploadDecision.BelongsUnderCollisionKey(Uuid, null, atCollision));
        Assert.True(UploadDecision.BelongsUnderCollisionKey(Uuid, unknown, atCollision));
        Assert.False(UploadDecision.BelongsUnderCollisionKey(Uuid, Row(At, Guid.NewGuid()), atCollision));
        Assert.False(UploadDecision.BelongsUnderCollisionKey(Uuid, unknown, null));
    }

    private static TableRow Row(DateTimeOffset capturedAt, Guid captureId) =>
        new("SN1", new ETag("etag"), capturedAt, captureId, capturedAt.AddSeconds(5)) { UuidKnown = true, SmbiosUuid = Uuid };

    private static HubCapture Capture() => new(new Capture
    {
        CaptureId = Ours,
        StickSequence = 1,
        TenantId = Guid.NewGuid(),
        Serial = "SN1",
        DeviceKey = "SN1",
        HardwareHash = "",
        SmbiosUuid = Uuid,
        Manufacturer = "m",
        Model = "m",
        TpmPresent = true,
        NicCount = 1,
        ProductKeyId = "",
        GroupTag = "",
        AssignedUser = "",
        CapturedAt = At,
        Technician = "",
        Site = "",
        StickId = Guid.NewGuid(),
        Method = CaptureMethods.Oa3Report,
        CollectorVersion = "t",
        Flags = [],
    }, At);
}
