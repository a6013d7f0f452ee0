using Collector.Core.Captures;
using Collector.Core.Errors;
using nietras.SeparatedValues;

namespace Collector.Workstation.Csv;

/// <summary>What one line of an Autopilot CSV held: a device row or a problem.</summary>
public abstract record CsvRow(int Line);

/// <summary>One device row, values unquoted and trimmed; absent columns read as "".</summary>
public sealed record CsvDeviceRow(
    int Line, string Serial, string ProductId, string Hash, string GroupTag, string AssignedUser,
    string Manufacturer, string Model) : CsvRow(Line);

/// <summary>A row that could not be read as a device, with its line number and why.</summary>
public sealed record CsvRowProblem(int Line, string Problem) : CsvRow(Line);

/// <summary>
/// Streams the device rows of an Autopilot CSV as real tools write it: 3, 4 or 5 columns, the
/// partner form, quoted or not (Sep does the CSV syntax). The header must name only Intune's
/// columns, spelled exactly; a header fault is an <see cref="InvalidInputException"/> because no
/// row can be trusted, while a row fault is yielded as a <see cref="CsvRowProblem"/> and the
/// reading goes on. Memory stays flat whatever the file's size.
/// </summary>
public static class AutopilotCsvReader
{
    public static IEnumerable<CsvRow> Read(TextReader text, string fileName)
    {
        // Every physical line is a row: an unterminated quote or an endless line is reported as
        // that one line's problem, and the parser never sees it (CsvLineGuard).
        var guard = new CsvLineGuard(text);
        using var reader = Open(guard, fileName);
        using var rows = reader.GetEnumerator();
        if (!MoveNext(rows, fileName))
        {
            throw new InvalidInputException($"{fileName} is empty: no header, no devices");
        }

        if (rows.Current.ColCount == 1 && guard.TakeProblem(rows.Current[0].ToString()) is { } headerProblem)
        {
            throw new InvalidInputException($"{fileName}: the header line: {headerProblem}");
        }

        var columns = ReadHeader(rows.Current, fileName);
        while (MoveNext(rows, fileName))
        {
            var row = rows.Current;
            var line = row.LineNumberFrom;
            if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty)
            {
                continue; // blank line, as at the end of Out-File output
            }

            if (row.ColCount == 1 && guard.TakeProblem(row[0].ToString()) is { } lineProblem)
            {
                yield return new CsvRowProblem(line, lineProblem);
                continue;
            }

            if (row.ColCount != columns.Count)
            {
                yield return new CsvRowProblem(line,
                    $"{row.ColCount} values where the header has {columns.Count} columns (a comma inside a value, or a value missing?)");
                continue;
            }

            yield return new CsvDeviceRow(line,
                Get(row, columns, AutopilotCsvColumns.Serial), Get(row, columns, AutopilotCsvColumns.ProductId),
                Get(row, columns, AutopilotCsvColumns.Hash), Get(row, columns, AutopilotCsvColumns.GroupTag),
                Get(row, columns, AutopilotCsvColumns.AssignedUser), Get(row, columns, AutopilotCsvColumns.Manufacturer),
                Get(row, columns, AutopilotCsvColumns.Model));
        }
    }

    private static string Get(SepReader.Row row, Dictionary<string, int> columns, string column) =>
        columns.TryGetValue(column, out var i) ? row[i].ToString().Trim() : "";

    private static SepReader Open(TextReader text, string fileName)
    {
        try
        {
            return Sep.New(',').Reader(o => o with
            {
                HasHeader = false,
                Unescape = true,
                DisableColCountCheck = true,
            }).From(text);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw Core.Inputs.TextFile.NotText(fileName, e);
        }
    }

    private static bool MoveNext(IEnumerator<SepReader.Row> rows, string fileName)
    {
        try
        {
            return rows.MoveNext();
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw Core.Inputs.TextFile.NotText(fileName, e);
        }
    }

    private static Dictionary<string, int> ReadHeader(SepReader.Row header, string fileName)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.ColCount; i++)
        {
            var name = header[i].ToString().Trim();
            if (name.Contains('\0', StringComparison.Ordinal) || name.Any(char.IsControl))
            {
                throw Core.Inputs.TextFile.NotText(fileName);
            }

            if (!AutopilotCsvColumns.All.Contains(name))
            {
                var near = AutopilotCsvColumns.All.FirstOrDefault(c => IsNear(c, name));
                throw new InvalidInputException(near is null
                    ? $"{fileName}: column '{Shorten(name)}' is not one of Intune's ({string.Join(", ", AutopilotCsvColumns.All.Take(5))})"
                    : $"{fileName}: column '{Shorten(name)}' should be spelled '{near}' (Intune compares headers exactly)");
            }

            if (!columns.TryAdd(name, i))
            {
                throw new InvalidInputException($"{fileName}: column '{name}' appears twice in the header");
            }
        }

        foreach (var required in new[] { AutopilotCsvColumns.Hash, AutopilotCsvColumns.Serial })
        {
            if (!columns.ContainsKey(required))
            {
                throw new InvalidInputException($"{fileName}: no '{required}' column in the header");
            }
        }

        return columns;
    }

    private static string Shorten(string s) => DisplayText.Shorten(s, 40);

    /// <summary>Same letters ignoring case, spaces and underscores, or at most two edits away.</summary>
    private static bool IsNear(string expected, string actual)
    {
        static string Fold(string s) => new([.. s.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)]);
        var (a, b) = (Fold(expected), Fold(actual));
        return a == b || Distance(a, b) <= 2;
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return int.MaxValue;
        }

        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
