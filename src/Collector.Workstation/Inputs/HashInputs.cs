using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Inputs;
using Collector.Workstation.Csv;

namespace Collector.Workstation.Inputs;

/// <summary>One hash found in an input, where it was found and, for a CSV row, the serial the row names.</summary>
public sealed record FoundHash(string Origin, string Base64, string? StatedSerial = null);

/// <summary>
/// Finds the hashes in what a user hands to <c>collector inspect</c>: a base64 hash, a file
/// holding one, an OA3.xml report, or an Autopilot CSV (every row).
/// </summary>
public static class HashInputs
{
    /// <summary>Inspect reads at most this much; bulk CSVs go through <c>collector import</c>.</summary>
    public const long MaxInspectBytes = 4 * 1024 * 1024;

    public static IReadOnlyList<FoundHash> Find(string input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            throw new InvalidInputException("the hash is empty");
        }

        if (Directory.Exists(input))
        {
            throw new InvalidInputException($"{input} is a folder; give a hash, or a file holding one");
        }

        if (!File.Exists(input))
        {
            // Base64 has neither '.' nor '\': with one of them this was meant as a file name.
            return input.AsSpan().ContainsAny('.', '\\')
                ? throw new InvalidInputException($"{Shorten(input)}: no such file")
                : [new FoundHash("argument", input)];
        }

        using var text = TextFile.Open(input, MaxInspectBytes,
            "inspect reads; check a larger CSV with 'collector import' (into a scratch hub with --hub: it names every bad row by its line)");
        var content = TextFile.ReadToEnd(text, input);
        var start = content.AsSpan().TrimStart();
        if (start.IsEmpty)
        {
            throw new InvalidInputException($"{input} is empty");
        }

        if (start[0] == '<')
        {
            return [new FoundHash("OA3 report", Oa3Report.ReadHash(new StringReader(content), input))];
        }

        var firstLine = start[..Math.Max(0, start.IndexOfAny('\r', '\n') is var n and >= 0 ? n : start.Length)];
        if (firstLine.Contains(','))
        {
            return FromCsv(content, input);
        }

        if (content.Any(c => char.IsControl(c) && !char.IsWhiteSpace(c)))
        {
            throw TextFile.NotText(input);
        }

        return [new FoundHash(Path.GetFileName(input), content)];
    }

    private static List<FoundHash> FromCsv(string content, string path)
    {
        var found = new List<FoundHash>();
        foreach (var row in AutopilotCsvReader.Read(new StringReader(content), path))
        {
            switch (row)
            {
                case CsvDeviceRow device:
                    found.Add(new FoundHash($"line {device.Line}", device.Hash, device.Serial));
                    break;
                case CsvRowProblem problem:
                    throw new InvalidInputException($"{path}, line {problem.Line}: {problem.Problem}");
            }
        }

        return found.Count > 0 ? found : throw new InvalidInputException($"{path} has a header but no device rows");
    }

    private static string Shorten(string s) => DisplayText.Shorten(s, 60);
}
