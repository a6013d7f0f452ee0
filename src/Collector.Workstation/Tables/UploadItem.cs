using Azure;
using Azure.Data.Tables;
using Collector.Core.Hashing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tables;

/// <summary>One device in an upload batch: its entity, and what was decided for it.</summary>
internal sealed class UploadItem(PendingUpload pending)
{
    private TableEntity? entity;

    public PendingUpload Pending { get; } = pending;

    public string DeviceKey { get; private set; } = pending.DeviceKey;

    public bool Collided { get; private set; }

    public HubCapture Capture { get; private set; } = pending.Newest with { Capture = pending.Newest.Capture with { DeviceKey = pending.DeviceKey } };

    public TableEntity Entity => entity ??= DeviceEntity.From(Capture);

    public string RowKey => Entity.RowKey;

    public TableRow? Row { get; set; }

    public UploadAction Action { get; private set; }

    public ETag ETag { get; private set; }

    public void Decide(UploadAction action, ETag etag)
    {
        Action = action;
        ETag = etag;
    }

    /// <summary>Moves the device to <c>serial~uuid</c>; null when it can, otherwise why not.</summary>
    public string? Collide(Func<string, bool> keyTakenInHub)
    {
        var capture = Capture.Capture;
        var key = DeviceIdentity.CollisionKey(DeviceKey, capture.SmbiosUuid);
        if (Collided || capture.Flags.Contains(HashFlags.SerialCollision))
        {
            return $"the table holds another device (SMBIOS UUID {Row?.SmbiosUuid}) under {DeviceKey}, which is already this device's collision key";
        }

        if (keyTakenInHub(key))
        {
            return $"the table holds another device under {DeviceKey}, and this hub already has a device under {key}";
        }

        var moved = Capture with { Capture = capture with { DeviceKey = key, Flags = [.. capture.Flags, HashFlags.SerialCollision] } };
        var candidate = DeviceEntity.From(moved);
        if (EntityRules.Problem(candidate) is { } problem)
        {
            return problem;
        }

        DeviceKey = key;
        Capture = moved;
        entity = candidate;
        Collided = true;
        return null;
    }

    public TableTransactionAction ToAction() => Action == UploadAction.Add
        ? new TableTransactionAction(TableTransactionActionType.Add, Entity)
        : new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity, ETag);

    public UploadRecord Record(string? etag) =>
        new(Pending.DeviceId, Capture.Capture.CaptureId, etag, Collided ? DeviceKey : null);
}
