using System.Buffers.Binary;
using System.Text;

namespace Collector.Workstation.Sync;

/// <summary>One row found on a table leaf page (or one index entry): its page, rowid and column values (long, double, string, byte[] or null).</summary>
public sealed record ScannedRecord(int Page, long RowId, object?[] Values);

/// <summary>
/// Reads the rows of every table b-tree leaf page of a SQLite file straight from its bytes, as the
/// file format describes them (https://www.sqlite.org/fileformat2.html: b-tree pages, cells,
/// overflow chains, the record format), without SQLite and without walking each tree down from
/// its root. So a damaged page costs only what lies on it: an interior page, an index, the
/// schema or the header cost no row at all. This is what SQLite's <c>.recover</c> does; the
/// e_sqlite3 Microsoft.Data.Sqlite ships is built without the recover extension (and without
/// the sqlite_dbpage table it needs), so sync does it here. Every offset is checked: a damaged
/// page yields what it still holds, or nothing, never an exception.
/// </summary>
public static class SqliteFileScan
{
    private const byte TableLeaf = 0x0D;
    private const byte IndexLeaf = 0x0A;
    private const byte IndexInterior = 0x02;
    private const int MaxPayload = 16 * 1024 * 1024;

    /// <summary>The records of every table leaf page, read with <paramref name="pageSize"/> and <paramref name="reserved"/> bytes per page; <paramref name="broken"/> counts cells that could not be read.</summary>
    public static List<ScannedRecord> Read(byte[] file, int pageSize, int reserved, out int broken)
    {
        broken = 0;
        var records = new List<ScannedRecord>();
        var usable = pageSize - reserved;
        var pages = file.Length / pageSize;
        for (var page = 1; page <= pages; page++)
        {
            var data = file.AsSpan((page - 1) * pageSize, usable);
            var header = page == 1 ? 100 : 0;
            if (data[header] != TableLeaf)
            {
                continue;
            }

            int cells = BinaryPrimitives.ReadUInt16BigEndian(data[(header + 3)..]);
            var pointers = header + 8;
            if (pointers + 2 * cells > usable)
            {
                broken++;
                continue;
            }

            for (var i = 0; i < cells; i++)
            {
                int cell = BinaryPrimitives.ReadUInt16BigEndian(data[(pointers + 2 * i)..]);
                if (cell < pointers + 2 * cells || cell >= usable || ReadCell(file, pageSize, usable, data, cell) is not { } read)
                {
                    broken++;
                    continue;
                }

                if (Decode(read.Payload) is { } values)
                {
                    records.Add(new ScannedRecord(page, read.RowId, values));
                }
                else
                {
                    broken++;
                }
            }
        }

        return records;
    }

    /// <summary>
    /// The entries of every index b-tree page (leaf and interior: an interior cell of an index
    /// holds an entry too) whose entry lies whole on its page — the key's values, then the rowid
    /// of the row it points to. <see cref="ScannedRecord.RowId"/> is 0: an index cell has none.
    /// Entries that overflow their page are passed over (a capture id's is about 40 bytes).
    /// </summary>
    public static List<ScannedRecord> ReadIndexEntries(byte[] file, int pageSize, int reserved)
    {
        var entries = new List<ScannedRecord>();
        var usable = pageSize - reserved;
        var mostLocal = ((usable - 12) * 64 / 255) - 23;
        for (var page = 1; page <= file.Length / pageSize; page++)
        {
            var data = file.AsSpan((page - 1) * pageSize, usable);
            var header = page == 1 ? 100 : 0;
            var (pointers, childPointer) = data[header] switch
            {
                IndexLeaf => (header + 8, 0),
                IndexInterior => (header + 12, 4),
                _ => (-1, 0),
            };
            int cells = pointers < 0 ? 0 : BinaryPrimitives.ReadUInt16BigEndian(data[(header + 3)..]);
            if (pointers < 0 || pointers + 2 * cells > usable)
            {
                continue;
            }

            for (var i = 0; i < cells; i++)
            {
                var at = BinaryPrimitives.ReadUInt16BigEndian(data[(pointers + 2 * i)..]) + childPointer;
                if (at < pointers + 2 * cells || at >= usable || !Varint(data, ref at, out var size)
                    || size < 1 || size > mostLocal || at + size > usable)
                {
                    continue;
                }

                if (Decode(data.Slice(at, (int)size).ToArray()) is { } values)
                {
                    entries.Add(new ScannedRecord(page, 0, values));
                }
            }
        }

        return entries;
    }

    /// <summary>The page size and reserved bytes the header gives, or null when the header is not a SQLite header (or says nonsense).</summary>
    public static (int PageSize, int Reserved)? Geometry(byte[] file)
    {
        if (file.Length < 100 || !file.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8))
        {
            return null;
        }

        int size = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(16));
        size = size == 1 ? 65536 : size;
        var reserved = file[20];
        return size is >= 512 and <= 65536 && (size & (size - 1)) == 0 && reserved < size - 480 ? (size, reserved) : null;
    }

    private static (long RowId, byte[] Payload)? ReadCell(byte[] file, int pageSize, int usable, ReadOnlySpan<byte> page, int at)
    {
        if (!Varint(page, ref at, out var size) || !Varint(page, ref at, out var rowId) || size < 0 || size > Math.Min(MaxPayload, file.Length))
        {
            return null;
        }

        var local = LocalSize((int)size, usable);
        if (at + local > usable || (local < size && at + local + 4 > usable))
        {
            return null;
        }

        var payload = new byte[size];
        page.Slice(at, local).CopyTo(payload);
        if (local == size)
        {
            return (rowId, payload);
        }

        // The rest of the row on a chain of overflow pages: a next-page number, then content.
        var next = BinaryPrimitives.ReadUInt32BigEndian(page[(at + local)..]);
        var filled = local;
        var pages = file.Length / pageSize;
        for (var hops = 0; filled < size; hops++)
        {
            if (next < 1 || next > pages || hops > pages)
            {
                return null;
            }

            var overflow = file.AsSpan((int)(next - 1) * pageSize, usable);
            var take = Math.Min(usable - 4, (int)size - filled);
            overflow.Slice(4, take).CopyTo(payload.AsSpan(filled));
            filled += take;
            next = BinaryPrimitives.ReadUInt32BigEndian(overflow);
        }

        return (rowId, payload);
    }

    // How much of a table leaf cell's payload stays on the page (fileformat2.html, "Cell Payload Overflow Pages").
    private static int LocalSize(int size, int usable)
    {
        var most = usable - 35;
        if (size <= most)
        {
            return size;
        }

        var least = ((usable - 12) * 32 / 255) - 23;
        var local = least + ((size - least) % (usable - 4));
        return local <= most ? local : least;
    }

    /// <summary>A record's values, or null when its header and body do not add up.</summary>
    private static object?[]? Decode(byte[] payload)
    {
        var at = 0;
        if (!Varint(payload, ref at, out var headerSize) || headerSize < 1 || headerSize > payload.Length)
        {
            return null;
        }

        var types = new List<long>();
        while (at < headerSize)
        {
            if (!Varint(payload, ref at, out var type))
            {
                return null;
            }

            types.Add(type);
        }

        var body = (int)headerSize;
        var values = new object?[types.Count];
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i];
            var length = type switch
            {
                0 or 8 or 9 => 0,
                1 or 2 or 3 or 4 => (int)type,
                5 => 6,
                6 or 7 => 8,
                >= 12 => (int)Math.Min((type - 12) / 2, int.MaxValue),
                _ => -1,
            };
            if (length < 0 || body + length > payload.Length)
            {
                return null;
            }

            var bytes = payload.AsSpan(body, length);
            values[i] = type switch
            {
                0 => null,
                8 => 0L,
                9 => 1L,
                7 => BinaryPrimitives.ReadDoubleBigEndian(bytes),
                < 7 => Integer(bytes),
                _ when type % 2 == 0 => bytes.ToArray(),
                _ => Encoding.UTF8.GetString(bytes),
            };
            body += length;
        }

        return values;
    }

    private static long Integer(ReadOnlySpan<byte> bytes)
    {
        long value = (sbyte)bytes[0];
        foreach (var b in bytes[1..])
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static bool Varint(ReadOnlySpan<byte> data, ref int at, out long value)
    {
        value = 0;
        for (var i = 0; i < 9; i++)
        {
            if (at >= data.Length)
            {
                return false;
            }

            var b = data[at++];
            if (i == 8)
            {
                value = (value << 8) | b;
                return true;
            }

            value = (value << 7) | (long)(b & 0x7F);
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return true;
    }
}
