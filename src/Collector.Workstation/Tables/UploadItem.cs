using Azure;
using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tables;

/// <summary>
/// One device in an upload batch: which row it goes to, its entity, and what was decided for it.
/// A device's row is its serial key (the device key without a collision suffix) unless the
/// table holds another device there; then its collision key, <c>serial~uuid</c>
/// (<see cref="UploadDecision.BelongsUnderCollisionKey"/>). Its hub key may be either until the upload records
/// where it went.
/// </summary>
internal sealed class UploadItem
{
    private TableEntity? entity;

    public UploadItem(PendingUpload pending)
    {
        Pending = pending;
        var uuid = pending.Newest.Capture.SmbiosUuid;
        SerialKey = DeviceIdentity.SerialKeyOf(pending.DeviceKey, uuid);
        CollisionKey = DeviceIdentity.CollisionKey(SerialKey, uuid);
        Capture = Keyed(SerialKey);
        DeviceKey = SerialKey;
    }

    public PendingUpload Pending { get; }

    /// <summary>The key the hub files the device under now.</summary>
    public string HubKey => Pending.DeviceKey;

    /// <summary>The key a device claims first: its serial (or its uuid:/hwid: key, which never collides).</summary>
    public string SerialKey { get; }

    /// <summary>Its key when the table holds another device under its serial.</summary>
    public string CollisionKey { get; }

    /// <summary>True when the hub files it under its collision key (another device met first, here or in the table).</summary>
    public bool HubCollided => HubKey != SerialKey;

    /// <summary>Serial keys can be shared by two devices; <c>uuid:</c> and <c>hwid:</c> keys cannot.</summary>
    public bool CanCollide => UploadDecision.IsSerialKey(SerialKey);

    /// <summary>The key this upload writes: <see cref="SerialKey"/> or <see cref="CollisionKey"/>.</summary>
    public string DeviceKey { get; private set; }

    /// <summary>True once it is placed under its collision key.</summary>
    public bool Collided => DeviceKey != SerialKey;

    public HubCapture Capture { get; private set; }

    public TableEntity Entity => entity ??= DeviceEntity.From(Capture);

    public string RowKey => Entity.RowKey;

    public string CollisionRowKey => DeviceEntity.EncodeRowKey(CollisionKey);

    public TableRow? Row { get; set; }

    public UploadAction Action { get; private set; }

    public ETag ETag { get; private set; }

    public void Decide(UploadAction action, ETag etag)
    {
        Action = action;
        ETag = etag;
    }

    /// <summary>Back to the serial key, to be placed afresh from what the table holds now.</summary>
    public void Reset()
    {
        if (Collided)
        {
            DeviceKey = SerialKey;
            Capture = Keyed(SerialKey);
            entity = null;
        }

        Row = null;
    }

    /// <summary>Moves the device to <c>serial~uuid</c>; null when it can, otherwise why not.</summary>
    public string? Collide(Func<string, bool> keyTakenInHubByAnother)
    {
        if (Collided || !CanCollide)
        {
            return $"the table holds another device (SMBIOS UUID {Row?.SmbiosUuid}) under {DeviceKey}, which is already this device's collision key";
        }

        if (keyTakenInHubByAnother(CollisionKey))
        {
            return $"the table holds another device under {SerialKey}, and this hub already has another device under {CollisionKey}";
        }

        var moved = Keyed(CollisionKey);
        var candidate = DeviceEntity.From(moved);
        if (EntityRules.Problem(candidate) is { } problem)
        {
            return problem;
        }

        DeviceKey = CollisionKey;
        Capture = moved;
        entity = candidate;
        Row = null;
        return null;
    }

    public TableTransactionAction ToAction() => Action == UploadAction.Add
        ? new TableTransactionAction(TableTransactionActionType.Add, Entity)
        : new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity, ETag);

    /// <summary>What the hub records: the capture, the row's ETag, and the row's key when the hub files it elsewhere.</summary>
    public UploadRecord Record(string? etag) =>
        new(Pending.DeviceId, Capture.Capture.CaptureId, etag, DeviceKey != HubKey ? DeviceKey : null);

    /// <summary>The newest capture filed under <paramref name="key"/>, flagged serial-collision exactly when that is its collision key.</summary>
    private HubCapture Keyed(string key)
    {
        var capture = Pending.Newest.Capture;
        var flags = key == SerialKey
            ? capture.Flags.Where(f => f != HashFlags.SerialCollision).ToList()
            : capture.Flags.Contains(HashFlags.SerialCollision) ? capture.Flags : [.. capture.Flags, HashFlags.SerialCollision];
        return Pending.Newest with { Capture = capture with { DeviceKey = key, Flags = flags } };
    }
}
