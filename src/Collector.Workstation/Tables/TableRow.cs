using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Collector.Core.Hashing;

namespace Collector.Workstation.Tables;

/// <summary>
/// What the table holds under one RowKey, as much as sync needs to decide: which capture, when,
/// of which device. Rows the seed script wrote carry none of our metadata: their time is the
/// row's Timestamp and their device is read from their hash (see <see cref="NeedsHash"/>).
/// </summary>
public sealed record TableRow(string RowKey, ETag ETag, DateTimeOffset? CapturedAt, Guid? CaptureId, DateTimeOffset? Timestamp)
{
    /// <summary>The properties read back: a few short ones, never the 4 KB hash.</summary>
    public static readonly IReadOnlyList<string> Select =
        ["RowKey", "Timestamp", DeviceEntity.CapturedAt, DeviceEntity.CaptureId, DeviceEntity.SmbiosUuid];

    /// <summary>The device's SMBIOS UUID (null when it has none), meaningful when <see cref="UuidKnown"/>.</summary>
    public Guid? SmbiosUuid { get; init; }

    /// <summary>False for a row without <c>Smbios_Uuid</c> (the seed's) until its hash was decoded.</summary>
    public bool UuidKnown { get; init; }

    /// <summary>A seed row: its device is known only from its hash, read separately.</summary>
    public bool NeedsHash => !UuidKnown;

    /// <summary>A seed row whose hash does not validate: it names no device, and no time (any capture is newer).</summary>
    public bool HashInvalid { get; init; }

    /// <summary>The time "newest" is decided by: our Captured_At, else (seed rows) when the row was written; none for a row whose hash is invalid.</summary>
    public DateTimeOffset? EffectiveAt => HashInvalid ? null : CapturedAt ?? Timestamp;

    public static TableRow From(string rowKey, TableEntity entity)
    {
        var uuidText = entity.TryGetValue(DeviceEntity.SmbiosUuid, out var u) ? u as string : null;
        var idText = entity.TryGetValue(DeviceEntity.CaptureId, out var c) ? c as string : null;
        return new TableRow(rowKey, entity.ETag, ReadTime(entity), Guid.TryParse(idText, out var id) ? id : null, entity.Timestamp)
        {
            UuidKnown = uuidText is not null,
            SmbiosUuid = Guid.TryParse(uuidText, out var uuid) ? uuid : null,
        };
    }

    /// <summary>
    /// This row with its device read from a <c>Hardware_Hash</c> (a seed row). A table is untrusted
    /// input: a hash that does not validate (a flipped bit, not base64, missing) names no device —
    /// never the UUID its damaged records claim — and gives the row no time, so a valid capture
    /// of the device replaces it.
    /// </summary>
    public TableRow WithHash(string? hardwareHash)
    {
        var check = hardwareHash is null ? null : HashCodec.Check(hardwareHash);
        return check is { Valid: true, Hash: { } hash }
            ? this with { UuidKnown = true, SmbiosUuid = hash.SmbiosUuid }
            : this with { UuidKnown = true, SmbiosUuid = null, HashInvalid = true };
    }

    private static DateTimeOffset? ReadTime(TableEntity entity) =>
        entity.TryGetValue(DeviceEntity.CapturedAt, out var value)
            ? value switch
            {
                DateTimeOffset o => o,
                DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
                string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
                _ => null,
            }
            : null;
}
