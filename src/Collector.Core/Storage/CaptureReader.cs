using Collector.Core.Captures;
using Collector.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>
/// Reads captures from the rows of one query by column name (<see cref="CaptureRow"/>): the
/// ordinals are looked up once, when it is made, so the query may select other columns too, in
/// any order. A row whose ids or times do not parse (a database with our application id but not
/// our writer) becomes a <see cref="StorageException"/> that names the capture and the field.
/// </summary>
public sealed class CaptureReader
{
    private readonly SqliteDataReader reader;
    private readonly int captureId, seq, tenantId, serial, deviceKey, hardwareHash, smbiosUuid, manufacturer, model,
        tpmPresent, nicCount, productKeyId, groupTag, assignedUser, capturedAt, technician, site, stickId, method,
        collectorVersion, flags, collectArchitecture;

    public CaptureReader(SqliteDataReader reader)
    {
        this.reader = reader;
        captureId = reader.GetOrdinal(CaptureRow.CaptureId);
        seq = reader.GetOrdinal(CaptureRow.Seq);
        tenantId = reader.GetOrdinal(CaptureRow.TenantId);
        serial = reader.GetOrdinal(CaptureRow.Serial);
        deviceKey = reader.GetOrdinal(CaptureRow.DeviceKey);
        hardwareHash = reader.GetOrdinal(CaptureRow.HardwareHash);
        smbiosUuid = reader.GetOrdinal(CaptureRow.SmbiosUuid);
        manufacturer = reader.GetOrdinal(CaptureRow.Manufacturer);
        model = reader.GetOrdinal(CaptureRow.Model);
        tpmPresent = reader.GetOrdinal(CaptureRow.TpmPresent);
        nicCount = reader.GetOrdinal(CaptureRow.NicCount);
        productKeyId = reader.GetOrdinal(CaptureRow.ProductKeyId);
        groupTag = reader.GetOrdinal(CaptureRow.GroupTag);
        assignedUser = reader.GetOrdinal(CaptureRow.AssignedUser);
        capturedAt = reader.GetOrdinal(CaptureRow.CapturedAt);
        technician = reader.GetOrdinal(CaptureRow.Technician);
        site = reader.GetOrdinal(CaptureRow.Site);
        stickId = reader.GetOrdinal(CaptureRow.StickId);
        method = reader.GetOrdinal(CaptureRow.Method);
        collectorVersion = reader.GetOrdinal(CaptureRow.CollectorVersion);
        flags = reader.GetOrdinal(CaptureRow.Flags);
        collectArchitecture = OrdinalIfPresent(reader, CaptureRow.CollectArchitecture);
    }

    /// <summary>The stick sequence number of the current row.</summary>
    public long Sequence => reader.GetInt64(seq);

    /// <summary>The capture in the reader's current row.</summary>
    public Capture Read() =>
        TryRead(out var problem, out var failure) ?? throw new StorageException($"capture #{Sequence} is unreadable: {problem}", failure);

    /// <summary>The capture in the current row, or null with why it cannot be read as one (an id or time that does not parse).</summary>
    public Capture? TryRead(out string? problem) => TryRead(out problem, out _);

    private Capture? TryRead(out string? problem, out FormatException? failure)
    {
        problem = null;
        failure = null;
        try
        {
            return new()
            {
                CaptureId = Id(captureId, "capture id"),
                StickSequence = reader.GetInt64(seq),
                TenantId = Id(tenantId, "tenant id"),
                Serial = reader.GetString(serial),
                DeviceKey = reader.GetString(deviceKey),
                HardwareHash = reader.GetString(hardwareHash),
                SmbiosUuid = reader.IsDBNull(smbiosUuid) ? null : Id(smbiosUuid, "SMBIOS UUID"),
                Manufacturer = reader.GetString(manufacturer),
                Model = reader.GetString(model),
                TpmPresent = reader.GetInt64(tpmPresent) != 0,
                NicCount = (int)reader.GetInt64(nicCount),
                ProductKeyId = reader.GetString(productKeyId),
                GroupTag = reader.GetString(groupTag),
                AssignedUser = reader.GetString(assignedUser),
                CapturedAt = Time(capturedAt, "capture time"),
                Technician = reader.GetString(technician),
                Site = reader.GetString(site),
                StickId = Id(stickId, "stick id"),
                Method = reader.GetString(method),
                CollectorVersion = reader.GetString(collectorVersion),
                Flags = CaptureRow.ReadFlags(reader.GetString(flags)),
                CollectArchitecture = collectArchitecture < 0 ? CollectArchitectures.Unknown : reader.GetString(collectArchitecture),
            };
        }
        catch (FormatException e)
        {
            problem = e.Message;
            failure = e;
            return null;
        }
    }

    private DateTimeOffset Time(int column, string what)
    {
        var text = reader.GetString(column);
        return DbTime.TryRead(text, out var time)
            ? time
            : throw new FormatException($"its {what} '{DisplayText.Escape(DisplayText.Shorten(text, 40))}' is not a time as Collector stores them");
    }

    /// <summary>
    /// The column's ordinal, or -1 when the query has none: a reader (status) reads an older hub as
    /// it is, and a hub older than the column knows nothing of how its captures were taken.
    /// </summary>
    private static int OrdinalIfPresent(SqliteDataReader reader, string name)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private Guid Id(int column, string what)
    {
        var text = reader.GetString(column);
        return Guid.TryParse(text, out var id)
            ? id
            : throw new FormatException($"its {what} '{DisplayText.Escape(DisplayText.Shorten(text, 40))}' is not a GUID");
    }
}
