using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Collector.Testing;

/// <summary>What a damaged page was before the damage, as SQLite's dbstat saw it.</summary>
public enum PageKind
{
    /// <summary>Page 1: the file header and the schema.</summary>
    Header,

    /// <summary>A leaf of the captures table: the first ~500 bytes of each of its rows.</summary>
    CaptureLeaf,

    /// <summary>The rest of one capture's row (its hash, mostly).</summary>
    CaptureOverflow,

    /// <summary>An interior page of the captures table: no row on it, only the way to them.</summary>
    CaptureInterior,

    /// <summary>A page of the capture id's index (the primary key's): the entries of the captures whose ids it holds.</summary>
    CaptureIndex,

    /// <summary>Another index's page, the stick's own row, the schema's: no capture on it.</summary>
    Other,
}

/// <summary>
/// Which pages of a stick database hold which capture, read by an independent reader: the sqlite3
/// shell's dbstat virtual table (Debian's sqlite3 has it; the e_sqlite3 Collector ships does not).
/// A row of the captures table lives on a leaf page (its first bytes) and on overflow pages (the
/// rest of its 4 KB hash): dbstat lists leaves in key order with their cell counts, and each
/// overflow page under the path of its leaf and cell, so the k-th cell in path order is the k-th
/// row in rowid order. A capture's id also lives in an entry of the primary key's index, which
/// sync checks the row against.
/// </summary>
public sealed class StickPages
{
    private const string Sqlite3 = "/usr/bin/sqlite3";

    /// <summary>The index SQLite makes for the captures table's TEXT PRIMARY KEY (capture_id).</summary>
    private const string CaptureIdIndex = "sqlite_autoindex_captures_1";

    private readonly Dictionary<int, PageKind> kinds = [];
    private readonly Dictionary<int, List<Guid>> capturesOnPage = [];

    private StickPages(string database)
    {
        var texts = Query(database, "SELECT capture_id FROM captures ORDER BY rowid").Select(r => r[0]).ToList();
        var rows = texts.Select(Guid.Parse).ToList();
        var ids = rows.Zip(texts).ToDictionary(p => p.First, p => p.Second);
        var file = File.ReadAllBytes(database);
        PageSize = int.Parse(Query(database, "PRAGMA page_size")[0][0], CultureInfo.InvariantCulture);
        PageCount = int.Parse(Query(database, "PRAGMA page_count")[0][0], CultureInfo.InvariantCulture);
        var leafCells = new Dictionary<string, (int FirstRow, int Page)>(StringComparer.Ordinal);
        var next = 0;
        foreach (var page in Query(database, "SELECT name, path, pageno, pagetype, ncell FROM dbstat ORDER BY name, path"))
        {
            var (name, path, number, type) = (page[0], page[1], int.Parse(page[2], CultureInfo.InvariantCulture), page[3]);
            kinds[number] = (name, type) switch
            {
                _ when number == 1 => PageKind.Header,
                ("captures", "leaf") => PageKind.CaptureLeaf,
                ("captures", "overflow") => PageKind.CaptureOverflow,
                ("captures", "internal") => PageKind.CaptureInterior,
                (CaptureIdIndex, _) => PageKind.CaptureIndex,
                _ => PageKind.Other,
            };
            if (name == CaptureIdIndex)
            {
                // An index entry is the id's text and the rowid: the captures whose id is on the page.
                var bytes = new ArraySegment<byte>(file, (number - 1) * PageSize, PageSize);
                capturesOnPage[number] = [.. rows.Where(id => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(ids[id])) >= 0)];
                continue;
            }

            if (name != "captures")
            {
                continue;
            }

            if (type == "leaf")
            {
                var cells = int.Parse(page[4], CultureInfo.InvariantCulture);
                leafCells[path] = (next, number);
                capturesOnPage[number] = rows.GetRange(next, cells);
                next += cells;
            }
            else if (type == "overflow")
            {
                // "/000/003+000000": cell 3 of leaf "/000/", first overflow page of its chain.
                var plus = path.IndexOf('+', StringComparison.Ordinal);
                var leafPath = path[..(path.LastIndexOf('/', plus) + 1)];
                var cell = int.Parse(path[leafPath.Length..plus], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                capturesOnPage[number] = [rows[leafCells[leafPath].FirstRow + cell]];
            }
        }

        if (next != rows.Count)
        {
            throw new InvalidOperationException($"dbstat shows {next} cells in the captures table's leaves, the table holds {rows.Count} rows");
        }

        Captures = rows;
    }

    public int PageSize { get; }

    public int PageCount { get; }

    /// <summary>Every capture id, in rowid order.</summary>
    public IReadOnlyList<Guid> Captures { get; }

    /// <summary>Reads the page map of <paramref name="database"/> (which must be sound).</summary>
    public static StickPages Read(string database) => new(database);

    public PageKind KindOf(int page) => kinds.GetValueOrDefault(page, PageKind.Other);

    /// <summary>The captures with a part of their row on <paramref name="page"/>.</summary>
    public IReadOnlyList<Guid> CapturesOn(int page) => capturesOnPage.GetValueOrDefault(page) ?? [];

    /// <summary>Runs a query through the sqlite3 shell; each row split at '|'. Fails with the install line when the shell is missing.</summary>
    public static List<string[]> Query(string database, string sql)
    {
        RepoPaths.Require(Sqlite3, "apt-get install -y sqlite3");
        var start = new ProcessStartInfo(Sqlite3)
        {
            ArgumentList = { "-readonly", "-batch", "-separator", "|", database, sql },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"sqlite3 {database} \"{sql}\" failed ({process.ExitCode}): {error.Result}");
        }

        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('|'))];
    }

    /// <summary>Damage done to one page: every byte random, every byte zero (a write that never landed), or a few bytes flipped.</summary>
    public enum Damage
    {
        Random,
        Zeros,
        Flips,
    }

    /// <summary>Damages page <paramref name="page"/> (1-based) of the file in place.</summary>
    public static void DamagePage(string database, int page, int pageSize, Damage damage, Random random)
    {
        var bytes = File.ReadAllBytes(database);
        var region = bytes.AsSpan((page - 1) * pageSize, pageSize);
        switch (damage)
        {
            case Damage.Random:
                random.NextBytes(region);
                break;
            case Damage.Zeros:
                region.Clear();
                break;
            default:
                for (var i = random.Next(1, 9); i > 0; i--)
                {
                    region[random.Next(region.Length)] ^= (byte)(1 << random.Next(8));
                }

                break;
        }

        File.WriteAllBytes(database, bytes);
    }
}
