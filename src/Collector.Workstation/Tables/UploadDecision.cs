using Collector.Core.Hashing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tables;

/// <summary>What to do with one device, given what the table holds under its key.</summary>
public enum UploadAction
{
    /// <summary>No row: add one (fails with 409 if another desk adds it first).</summary>
    Add,

    /// <summary>The row holds an older capture: replace it, conditional on the ETag read.</summary>
    Replace,

    /// <summary>The row holds this very capture: nothing to send.</summary>
    Unchanged,

    /// <summary>The row holds a newer capture (another desk's, or the seed's later write): keep it.</summary>
    NewerInTable,

    /// <summary>The row is another device with the same serial: ours goes under <c>serial~uuid</c>.</summary>
    Collision,
}

/// <summary>
/// Newest capture wins, across desks too (design section 5): compare the row's Captured_At (a
/// seed row: its Timestamp) and then its Capture_Id with ours. UUID v7 capture ids sort by time,
/// so the id settles ties the same way on every desk.
/// </summary>
public static class UploadDecision
{
    public static UploadAction Decide(HubCapture ours, string deviceKey, TableRow? row)
    {
        if (row is null)
        {
            return UploadAction.Add;
        }

        if (row.CaptureId == ours.Capture.CaptureId)
        {
            return UploadAction.Unchanged;
        }

        if (IsSerialKey(deviceKey) && row.UuidKnown && row.SmbiosUuid is { } theirs
            && ours.Capture.SmbiosUuid is { } mine && theirs != mine)
        {
            return UploadAction.Collision;
        }

        return IsNewer(row, ours) ? UploadAction.NewerInTable : UploadAction.Replace;
    }

    /// <summary>
    /// True when a device belongs under its collision key (<c>serial~uuid</c>), from what the table
    /// holds under its serial key and, where the hub files it under its collision key, under that
    /// (null otherwise, or when that row is absent). The row rule that keeps one row per device
    /// whatever order desks meet devices in: a device claims its serial key first (Add is atomic);
    /// a row there is only ever replaced by the same device and no row is ever deleted, so once
    /// the serial key holds a device it holds it for good, and a device that has read another
    /// device there may take its collision key: no device ever ends under both. A device the table
    /// already holds under its collision key stays there unless its serial key is known to hold it.
    /// </summary>
    public static bool BelongsUnderCollisionKey(Guid? uuid, TableRow? atSerial, TableRow? atCollision)
    {
        if (atSerial is null)
        {
            return atCollision is not null;
        }

        if (atSerial.UuidKnown && atSerial.SmbiosUuid is { } theirs && uuid is { } mine)
        {
            return theirs != mine;
        }

        // A row under the serial key that is not known to be another device (a seed row whose hash
        // does not decode, or a device without a UUID): the device's own, unless it already has one.
        return atCollision is not null;
    }

    /// <summary>True when the row holds a capture newer than <paramref name="ours"/>.</summary>
    public static bool IsNewer(TableRow row, HubCapture ours)
    {
        if (row.EffectiveAt is not { } theirs)
        {
            return false; // a row that says nothing about its time is older than any capture
        }

        var byTime = theirs.CompareTo(ours.EffectiveAt);
        return byTime != 0
            ? byTime > 0
            : string.CompareOrdinal(row.CaptureId?.ToString("D") ?? "", ours.Capture.CaptureId.ToString("D")) > 0;
    }

    /// <summary>Keys that are serials can collide; <c>uuid:</c> and <c>hwid:</c> keys name one device by construction.</summary>
    public static bool IsSerialKey(string deviceKey) =>
        !deviceKey.StartsWith(DeviceIdentity.UuidKeyPrefix, StringComparison.Ordinal)
        && !deviceKey.StartsWith(DeviceIdentity.HardwareKeyPrefix, StringComparison.Ordinal);
}
