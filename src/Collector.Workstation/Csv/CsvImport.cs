using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Collector.Core.Captures;
using Collector.Core.Hashing;

namespace Collector.Workstation.Csv;

/// <summary>
/// What one CSV row becomes: a capture to file in the hub, with the warnings about its serial
/// worth showing line by line (other flags travel with the capture), or the reason it was rejected.
/// </summary>
public sealed record CsvImportRow(int Line, Capture? Capture, string? Rejected, IReadOnlyList<string> Warnings)
{
    public static CsvImportRow Reject(int line, string reason) => new(line, null, reason, []);
}

/// <summary>
/// Turns rows of an Autopilot CSV into captures (method <c>csv-import</c>), each hash decoded and
/// validated like a live capture: an invalid hash, or a group tag or user Intune's CSV cannot
/// carry, rejects the row. The serial stored is the one in the hash (record 14, what Autopilot
/// uses); a serial column that is empty or says otherwise is flagged <c>serial-mismatch</c>.
/// </summary>
public static class CsvImport
{
    /// <summary>
    /// The stick id every CSV import's captures carry: they come from no stick, and no capture
    /// carries an all-zero stick id (the hub refuses a stick with one). A fixed id, not one per hub,
    /// because an import's capture ids are derived from tenant and hash (<see cref="CaptureIdFor"/>):
    /// the same file imported at two desks makes the same captures, stick id included. It is the
    /// name-based UUID (version 8, SHA-256) of "collector:csv-import", so it is no random stick's.
    /// </summary>
    public static readonly Guid ImportStickId = new("a534f5de-8288-814e-81ab-ab87976b6934");

    /// <param name="groupTagOverride">When set (validated by the caller), replaces the row's tag.</param>
    /// <param name="capturedAt">When the file was written: the best a CSV says about when its hashes were read.</param>
    public static CsvImportRow ToCapture(CsvDeviceRow row, Guid tenant, string? groupTagOverride, DateTimeOffset capturedAt, string collectorVersion)
    {
        if (row.Hash.Length == 0)
        {
            return CsvImportRow.Reject(row.Line, "no hardware hash in this row");
        }

        var check = HashCodec.Check(row.Hash);
        if (check.Hash is not { } decoded || !check.Valid)
        {
            return CsvImportRow.Reject(row.Line, $"the hardware hash is invalid: {check.Problem}");
        }

        var groupTag = groupTagOverride ?? row.GroupTag;
        if ((CaptureRules.GroupTagProblem(groupTag) ?? CaptureRules.AssignedUserProblem(row.AssignedUser)) is { } problem)
        {
            return CsvImportRow.Reject(row.Line, problem);
        }

        var hash = decoded.CheckStatedSerial(row.Serial);
        var warnings = new List<string>();
        if (hash.Flags.Contains(HashFlags.SerialMismatch))
        {
            warnings.Add(row.Serial.Length == 0
                ? $"{HashFlags.SerialMismatch}: the serial column is empty; the hash says '{hash.Serial}', which is kept"
                : $"{HashFlags.SerialMismatch}: the serial column says '{row.Serial}', the hash says '{hash.Serial}', which is kept");
        }

        if (hash.Flags.Contains(HashFlags.PlaceholderSerial))
        {
            warnings.Add($"{HashFlags.PlaceholderSerial}: {HashFlags.Describe(HashFlags.PlaceholderSerial)} ({hash.DeviceKey})");
        }

        var capture = new CaptureDraft(tenant, hash, groupTag, row.AssignedUser, capturedAt, Technician: "", Site: "", CaptureMethods.CsvImport, collectorVersion)
            .ToCapture(CaptureIdFor(tenant, hash.Base64), stickSequence: row.Line, ImportStickId);
        return new CsvImportRow(row.Line, capture, null, warnings);
    }

    /// <summary>
    /// The capture id of an imported hash: a name-based UUID (version 8) of tenant and hash, so
    /// that importing the same file again finds every row already there.
    /// </summary>
    public static Guid CaptureIdFor(Guid tenant, string base64Hash)
    {
        // SHA-256 of the UTF-8 of "csv-import|<tenant>|<hash>", hashed from a pooled buffer rather
        // than a 4 KB string and its 4 KB encoding per row.
        var prefix = $"csv-import|{tenant:D}|";
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(prefix.Length + base64Hash.Length));
        Span<byte> digest = stackalloc byte[32];
        try
        {
            var length = Encoding.UTF8.GetBytes(prefix, buffer);
            length += Encoding.UTF8.GetBytes(base64Hash, buffer.AsSpan(length));
            SHA256.HashData(buffer.AsSpan(0, length), digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var bytes = digest[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (RFC 9562: custom)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }
}
