using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Collector.Workstation.Csv;

/// <summary>
/// One device row of an Intune import file, the hash as ASCII bytes. Windows Product ID is always
/// written empty.
/// </summary>
public sealed record IntuneCsvRow(string Serial, ReadOnlyMemory<byte> Hash, string GroupTag, string AssignedUser)
{
    public IntuneCsvRow(string serial, string hash, string groupTag, string assignedUser)
        : this(serial, Encoding.UTF8.GetBytes(hash), groupTag, assignedUser)
    {
    }
}

/// <summary>
/// Writes an Autopilot import file exactly as Intune asks for it (design section 6): the header
/// <c>Device Serial Number,Windows Product ID,Hardware Hash</c>, then <c>,Group Tag</c> and
/// <c>,Assigned User</c> when the file's rows need them (the same columns on every row), no
/// quotes, 7-bit ASCII, no BOM, CRLF after every line, Windows Product ID empty.
/// </summary>
/// <remarks>
/// Written by hand rather than with Sep: the format has no escaping at all (a value that would
/// need it cannot be exported and is left out before it gets here), and Sep's writer ends lines
/// with the platform's newline, so on Linux it cannot write Intune's CRLF.
/// </remarks>
public static class IntuneCsvWriter
{
    public const int MaxRowsPerFile = 500;

    public static readonly string Header3 = string.Join(',', AutopilotCsvColumns.Serial, AutopilotCsvColumns.ProductId, AutopilotCsvColumns.Hash);
    public static readonly string Header4 = Header3 + "," + AutopilotCsvColumns.GroupTag;
    public static readonly string Header5 = Header4 + "," + AutopilotCsvColumns.AssignedUser;

    /// <summary>
    /// 3, 4 or 5: the columns a file holding <paramref name="rows"/> needs. Get-WindowsAutopilotInfo
    /// writes Group Tag (empty if need be) whenever it writes Assigned User, and so do we.
    /// </summary>
    public static int ColumnsFor(IEnumerable<IntuneCsvRow> rows)
    {
        var columns = 3;
        foreach (var row in rows)
        {
            if (row.AssignedUser.Length > 0)
            {
                return 5;
            }

            if (row.GroupTag.Length > 0)
            {
                columns = 4;
            }
        }

        return columns;
    }

    /// <summary>The whole file as bytes: at most <see cref="MaxRowsPerFile"/> rows, each value checked again.</summary>
    public static byte[] Format(IReadOnlyList<IntuneCsvRow> rows)
    {
        byte[]? bytes = null;
        Format(rows, ref bytes); // a buffer made for the file is exactly its length
        return bytes;
    }

    /// <summary>
    /// Formats the file into <paramref name="buffer"/>, replaced by a larger one when it is too
    /// small (or null), and returns the file's length. Export reuses its buffers from file to
    /// file: a new 2 MB array per file cost more than formatting it (fresh pages, GC work).
    /// </summary>
    public static int Format(IReadOnlyList<IntuneCsvRow> rows, [NotNull] ref byte[]? buffer)
    {
        if (rows.Count > MaxRowsPerFile)
        {
            throw new ArgumentException($"{rows.Count} rows: Intune takes at most {MaxRowsPerFile} per file", nameof(rows));
        }

        var columns = ColumnsFor(rows);
        var header = columns switch { 5 => Header5, 4 => Header4, _ => Header3 };
        var length = header.Length + 2;
        foreach (var row in rows)
        {
            // serial,,hash[,tag[,user]] CRLF
            length += row.Serial.Length + 2 + row.Hash.Length + 2
                + (columns >= 4 ? 1 + row.GroupTag.Length : 0) + (columns == 5 ? 1 + row.AssignedUser.Length : 0);
        }

        var bytes = CsvBytes.Room(ref buffer, length);
        var at = CsvBytes.Put(bytes, 0, header);
        at = CsvBytes.Put(bytes, at, CsvBytes.LineEnd);
        foreach (var row in rows)
        {
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "serial", row.Serial, required: true));
            at = CsvBytes.Put(bytes, at, ",,");
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "hardware hash", row.Hash.Span));
            if (columns >= 4)
            {
                at = CsvBytes.Put(bytes, at, ",");
                at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "group tag", row.GroupTag));
            }

            if (columns == 5)
            {
                at = CsvBytes.Put(bytes, at, ",");
                at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "assigned user", row.AssignedUser));
            }

            at = CsvBytes.Put(bytes, at, CsvBytes.LineEnd);
        }

        return at;
    }

    private const string Row = "an Intune CSV row";
}
