using Collector.Core.Storage;

namespace Collector.Workstation.Sync;

/// <summary>
/// What can still be read out of a damaged stick database (sync's private copy of it): its
/// capture rows, column by column, and the stick's own row, found page by page by
/// <see cref="SqliteFileScan"/>. A row counts as a capture when its values fit the captures
/// table's columns — as the file's schema names them, or, when the schema page itself is
/// damaged, as one of the layouts Collector ever wrote — with an id, a sequence number, a time
/// and a stick id that parse, and an id the primary key's index does not contradict (where its
/// entry for the row survived). Nothing here is trusted further: the rows go into a fresh stick
/// database and through the same checks as any other stick's (<see cref="Core.Captures.StoredCapture"/>).
/// </summary>
public static class StickSalvage
{
    /// <summary>Stick schema 1's column order, kept by the migrations that added product_key_id and site at the end.</summary>
    private static readonly string[] Schema1Layout =
    [
        CaptureRow.CaptureId, CaptureRow.Seq, CaptureRow.TenantId, CaptureRow.Serial, CaptureRow.DeviceKey, CaptureRow.HardwareHash,
        CaptureRow.SmbiosUuid, CaptureRow.Manufacturer, CaptureRow.Model, CaptureRow.TpmPresent, CaptureRow.NicCount, CaptureRow.GroupTag,
        CaptureRow.AssignedUser, CaptureRow.CapturedAt, CaptureRow.Technician, CaptureRow.StickId, CaptureRow.Method,
        CaptureRow.CollectorVersion, CaptureRow.Flags, CaptureRow.ProductKeyId, CaptureRow.Site,
    ];

    /// <summary>The fewest values a capture row ever had (schema 1, before the migration added two columns).</summary>
    private const int FewestColumns = 19;

    /// <summary>What was read: the stick's row if it survived, every distinct capture row, and how many rows could not be read.</summary>
    public sealed record Result(StickInfo? Info, IReadOnlyList<IReadOnlyDictionary<string, object?>> Captures, int Unreadable);

    public static Result Read(string path)
    {
        var file = File.ReadAllBytes(path);
        var result = new Result(null, [], 0);
        foreach (var (pageSize, reserved) in Geometries(file))
        {
            var records = SqliteFileScan.Read(file, pageSize, reserved, out var broken);
            result = Interpret(records, CaptureIdsByRow(SqliteFileScan.ReadIndexEntries(file, pageSize, reserved)), broken);
            if (result.Captures.Count > 0)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>The stick's row, or one made from its captures: their stick id, and the earliest time they name.</summary>
    public static StickInfo InferInfo(Result salvaged)
    {
        if (salvaged.Info is { } info)
        {
            return info;
        }

        var stick = salvaged.Captures.Select(c => c[CaptureRow.StickId] as string).GroupBy(s => s).OrderByDescending(g => g.Count()).First().Key;
        var created = salvaged.Captures.Select(c => DbTime.Read((string)c[CaptureRow.CapturedAt]!)).Min();
        return new StickInfo(Guid.Parse(stick!), created);
    }

    // The header's page size first; when the header is gone, SQLite's default and then the rest.
    private static IEnumerable<(int PageSize, int Reserved)> Geometries(byte[] file)
    {
        if (SqliteFileScan.Geometry(file) is { } fromHeader)
        {
            yield return fromHeader;
            yield break;
        }

        foreach (var size in new[] { 4096, 1024, 2048, 8192, 16384, 32768, 65536, 512 })
        {
            yield return (size, 0);
        }
    }

    /// <summary>
    /// The capture ids the primary key's index holds for each rowid: its entries are (capture id,
    /// rowid), the only index of a stick whose entries are a GUID and a number.
    /// </summary>
    private static Dictionary<long, HashSet<string>> CaptureIdsByRow(List<ScannedRecord> entries)
    {
        var ids = new Dictionary<long, HashSet<string>>();
        foreach (var entry in entries)
        {
            if (entry.Values is [string id, long rowId] && IsGuid(id))
            {
                (ids.TryGetValue(rowId, out var set) ? set : ids[rowId] = new HashSet<string>(StringComparer.Ordinal)).Add(id);
            }
        }

        return ids;
    }

    private static Result Interpret(List<ScannedRecord> records, Dictionary<long, HashSet<string>> indexedIds, int broken)
    {
        var layouts = records.Select(SchemaLayout).OfType<string[]>().Take(1).ToList();
        if (layouts.Count == 0)
        {
            layouts = [[.. CaptureRow.ColumnNames], Schema1Layout];
        }

        StickInfo? info = null;
        var captures = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        var unreadable = broken;
        foreach (var record in records)
        {
            if (StickRow(record) is { } stick)
            {
                info ??= stick;
                continue;
            }

            if (record.Values.Length < FewestColumns)
            {
                continue; // the schema's rows, or a row of another table: not a capture
            }

            var capture = layouts.Select(layout => Fit(record.Values, layout)).FirstOrDefault(c => c is not null);
            if (capture is null)
            {
                unreadable++;
                continue;
            }

            var id = (string)capture[CaptureRow.CaptureId]!;
            if (indexedIds.TryGetValue(record.RowId, out var indexed) && !indexed.Contains(id))
            {
                // The row and the index disagree on the capture's id: one of them was damaged and
                // nothing says which, so the row is not trusted (its sequence is reported missing).
                unreadable++;
                continue;
            }

            captures.TryAdd(id, capture); // a freed page may hold a stale copy of a row
        }

        return new Result(info, [.. captures.Values], unreadable);
    }

    /// <summary>The captures table's columns as the schema row names them, if this record is that row and names only columns we know.</summary>
    private static string[]? SchemaLayout(ScannedRecord record)
    {
        if (record.Values is not ["table", "captures", _, _, string sql])
        {
            return null;
        }

        var open = sql.IndexOf('(', StringComparison.Ordinal);
        var close = sql.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        var columns = new List<string>();
        foreach (var part in TopLevelParts(sql[(open + 1)..close]))
        {
            var name = part.Trim().Split([' ', '\t', '\r', '\n'], 2)[0].Trim('"', '`', '[', ']');
            if (name.ToUpperInvariant() is "PRIMARY" or "UNIQUE" or "CHECK" or "FOREIGN" or "CONSTRAINT")
            {
                continue;
            }

            columns.Add(name);
        }

        return columns.Count >= FewestColumns && columns.All(CaptureRow.ColumnNames.Contains) ? [.. columns] : null;
    }

    private static IEnumerable<string> TopLevelParts(string definitions)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < definitions.Length; i++)
        {
            depth += definitions[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (definitions[i] == ',' && depth == 0)
            {
                yield return definitions[start..i];
                start = i + 1;
            }
        }

        yield return definitions[start..];
    }

    private static Dictionary<string, object?>? Fit(object?[] values, string[] layout)
    {
        if (values.Length > layout.Length)
        {
            return null;
        }

        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            row[layout[i]] = values[i];
        }

        return row.GetValueOrDefault(CaptureRow.Seq) is long
            && IsGuid(row.GetValueOrDefault(CaptureRow.CaptureId)) && IsGuid(row.GetValueOrDefault(CaptureRow.StickId))
            && row.GetValueOrDefault(CaptureRow.HardwareHash) is string && row.GetValueOrDefault(CaptureRow.TenantId) is string
            && IsTime(row.GetValueOrDefault(CaptureRow.CapturedAt))
            ? row
            : null;
    }

    /// <summary>The stick table's one row: (singleton, stick_id, created_at[, device_count]); singleton is the rowid, stored as NULL.</summary>
    private static StickInfo? StickRow(ScannedRecord record) =>
        record.RowId == 1 && record.Values.Length is 3 or 4 && record.Values[0] is null or 1L
        && record.Values[1] is string id && Guid.TryParse(id, out var stickId)
        && record.Values[2] is string created && DbTime.TryRead(created, out var createdAt)
        && (record.Values.Length == 3 || record.Values[3] is long)
            ? new StickInfo(stickId, createdAt)
            : null;

    private static bool IsGuid(object? value) => value is string text && Guid.TryParse(text, out _);

    private static bool IsTime(object? value) => value is string text && DbTime.TryRead(text, out _);
}
