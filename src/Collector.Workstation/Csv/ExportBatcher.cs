using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Collector.Core.Captures;
using Collector.Core.Hashing;

namespace Collector.Workstation.Csv;

/// <summary>
/// Where a device came from, so the source can mark exactly what was written: for the hub the
/// tenant, device key and capture id; for a table the PartitionKey, RowKey and ETag as read.
/// </summary>
public sealed record ExportSourceRef(string PartitionKey, string RowKey, string Version);

/// <summary>
/// One device as an export source offers it: its newest capture, the serial from record 14 of its
/// hash (what Autopilot uses), and <paramref name="Problem"/> when the source already knows the
/// device cannot be exported (a table row without a valid hash). <paramref name="Hash"/> is the
/// base64 text as ASCII bytes; <see cref="ExportBatcher.Add"/> copies what it keeps, so a source
/// may pass a buffer it reuses for the next device.
/// </summary>
public sealed record ExportDevice(
    Guid TenantId, string DeviceKey, string Serial, ReadOnlyMemory<byte> Hash, string GroupTag, string AssignedUser,
    IReadOnlyList<string> Flags, ExportSourceRef Source, string? Problem = null)
{
    /// <summary>A device whose hash is text (a table row).</summary>
    public ExportDevice(
        Guid tenantId, string deviceKey, string serial, string hash, string groupTag, string assignedUser,
        IReadOnlyList<string> flags, ExportSourceRef source, string? problem = null)
        : this(tenantId, deviceKey, serial, Encoding.UTF8.GetBytes(hash), groupTag, assignedUser, flags, source, problem)
    {
    }

    public IntuneCsvRow Row => new(Serial, Hash, GroupTag, AssignedUser);
}

/// <summary>
/// The devices of one file, all of one tenant. Disposing it hands the memory its devices' hashes
/// are kept in back for the next files: the writer does so once the file is written and marked,
/// and reads none of them after.
/// </summary>
public sealed record ExportBatch(Guid TenantId, IReadOnlyList<ExportDevice> Devices) : IDisposable
{
    internal HashArena? Arena { get; init; }

    public IReadOnlyList<IntuneCsvRow> Rows => [.. Devices.Select(d => d.Row)];

    public void Dispose() => Arena?.Dispose();
}

/// <summary>A device Intune's format cannot carry, and why; it is not written and not marked.</summary>
public sealed record ExportLeftOut(string DeviceKey, string Reason);

/// <summary>
/// Cuts a stream of devices, ordered by tenant, into files Intune accepts (design section 6):
/// at most <c>batchSize</c> rows, one tenant per file, never one serial or one hash twice in a
/// file. A device whose serial is already in the file being filled waits for the next file (two
/// devices may share a serial, design section 2); a hash seen before in this run is left out,
/// since Intune would reject the repeat anyway (ZtdDeviceDuplicated, or 806 across files).
/// Push-based, so the caller can write and mark each file while the source is still streaming:
/// memory holds one file's devices, not the export's.
/// </summary>
/// <remarks>
/// The hashes of a file's devices are copied into pooled chunks that go with its
/// <see cref="ExportBatch"/>, and come back when it is disposed. Held as one 8 KB string per
/// device, they outlived the GC's youngest generation (a file holds 500 of them while it fills)
/// and kept it promoting and copying them: measured, 1.1 s of a 3 s export of 50,000 devices.
/// </remarks>
public sealed class ExportBatcher
{
    private readonly int batchSize;
    private readonly string? groupTagOverride;
    private readonly List<ExportLeftOut> leftOut = [];
    private readonly List<ExportDevice> current = [];
    private readonly HashSet<string> serialsInCurrent = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ExportDevice> deferred = [];
    private readonly Dictionary<UInt128, string> hashesSeen = [];
    private HashArena arena = new();
    private Guid? tenant;

    /// <param name="batchSize">1 to 500 rows per file.</param>
    /// <param name="groupTagOverride">When set, every device is written with this tag (validated by the caller).</param>
    public ExportBatcher(int batchSize, string? groupTagOverride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, IntuneCsvWriter.MaxRowsPerFile);
        this.batchSize = batchSize;
        this.groupTagOverride = groupTagOverride;
    }

    /// <summary>Devices left out so far, in the order they were met.</summary>
    public IReadOnlyList<ExportLeftOut> LeftOut => leftOut;

    /// <summary>Takes the next device; returns the files it completed (usually none).</summary>
    public IReadOnlyList<ExportBatch> Add(ExportDevice device)
    {
        var ready = new List<ExportBatch>();
        if (tenant is { } t && t != device.TenantId)
        {
            FlushTenant(ready);
        }

        tenant = device.TenantId;
        var candidate = device with
        {
            Serial = device.Serial.Trim(),
            GroupTag = groupTagOverride ?? device.GroupTag,
        };
        if (ProblemOf(candidate) is { } problem)
        {
            leftOut.Add(new ExportLeftOut(device.DeviceKey, problem));
            return ready;
        }

        var digest = Digest(candidate.Hash.Span);
        if (!hashesSeen.TryAdd(digest, candidate.DeviceKey))
        {
            leftOut.Add(new ExportLeftOut(device.DeviceKey,
                $"its hardware hash is exactly that of device {hashesSeen[digest]}, which this export writes: Intune would reject the repeat"));
            return ready;
        }

        Place(candidate, ready, copyHash: true);
        return ready;
    }

    /// <summary>The files still being filled, after the last device.</summary>
    public IReadOnlyList<ExportBatch> Complete()
    {
        var ready = new List<ExportBatch>();
        FlushTenant(ready);
        return ready;
    }

    /// <summary>Null when Intune's CSV can carry the device as it is; otherwise why not.</summary>
    public static string? ProblemOf(ExportDevice device)
    {
        if (device.Problem is { } known)
        {
            return known;
        }

        if (device.Hash.Length == 0)
        {
            return "no hardware hash";
        }

        foreach (var flag in new[] { HashFlags.ChecksumBad, HashFlags.NoSerial, HashFlags.NoManufacturer })
        {
            if (device.Flags.Contains(flag))
            {
                return HashFlags.Describe(flag);
            }
        }

        if (device.Serial.Length == 0)
        {
            return HashFlags.Describe(HashFlags.NoSerial);
        }

        return CaptureRules.CsvValueProblem("the serial in the hash", device.Serial)
            ?? SpreadsheetCell.FormulaProblem("the serial in the hash", device.Serial)
            ?? CaptureRules.CsvValueProblem("the hardware hash", device.Hash.Span)
            ?? CaptureRules.GroupTagProblem(device.GroupTag)
            ?? CaptureRules.AssignedUserProblem(device.AssignedUser);
    }

    // The hash the source passed is copied (copyHash) into the file's chunks, or, for a device
    // that waits for the next file, into an array of its own, which it keeps when placed later.
    private void Place(ExportDevice device, List<ExportBatch> ready, bool copyHash)
    {
        if (!serialsInCurrent.Add(device.Serial))
        {
            deferred.Add(copyHash ? device with { Hash = device.Hash.ToArray() } : device);
            return;
        }

        current.Add(copyHash ? device with { Hash = arena.Copy(device.Hash.Span) } : device);
        if (current.Count == batchSize)
        {
            Cut(ready);
        }
    }

    // Each cut takes at least one device, and a device placed into an empty file is never
    // deferred, so cutting until the file is empty also empties the waiting list.
    private void Cut(List<ExportBatch> ready)
    {
        ready.Add(new ExportBatch(tenant!.Value, [.. current]) { Arena = arena });
        arena = new HashArena();
        current.Clear();
        serialsInCurrent.Clear();
        var waiting = deferred.ToArray();
        deferred.Clear();
        foreach (var device in waiting)
        {
            Place(device, ready, copyHash: false);
        }
    }

    private void FlushTenant(List<ExportBatch> ready)
    {
        while (current.Count > 0)
        {
            Cut(ready);
        }

        hashesSeen.Clear();
    }

    private static UInt128 Digest(ReadOnlySpan<byte> hash)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(hash, digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }
}

/// <summary>
/// The hashes of one file's devices, end to end in chunks from the shared array pool; the chunks
/// go back to the pool on <see cref="Dispose"/>, after which the memory handed out is reused.
/// </summary>
internal sealed class HashArena : IDisposable
{
    private const int ChunkSize = 1 << 20; // 262 hashes of 4,000 characters
    private readonly List<byte[]> chunks = [];
    private int used;

    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ChunkSize)
        {
            return bytes.ToArray(); // never for a valid hash; kept correct anyway
        }

        if (chunks.Count == 0 || chunks[^1].Length - used < bytes.Length)
        {
            chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
            used = 0;
        }

        var chunk = chunks[^1];
        bytes.CopyTo(chunk.AsSpan(used));
        var copy = chunk.AsMemory(used, bytes.Length);
        used += bytes.Length;
        return copy;
    }

    public void Dispose()
    {
        foreach (var chunk in chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        chunks.Clear();
        used = 0;
    }
}
