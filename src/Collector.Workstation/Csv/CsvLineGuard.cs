using System.Globalization;
using System.Text;

namespace Collector.Workstation.Csv;

/// <summary>
/// Stands between a CSV file and the CSV parser and makes every physical line a row of its own.
/// No value of an Autopilot CSV can hold a line break, so a line with an odd number of double
/// quotes is an unterminated quote: left to the parser, it would swallow the lines after it into
/// one value (five valid rows lost to one stray quote). A line longer than
/// <see cref="MaxLineLength"/> is no device row either, and the parser would stop at 16 MB with
/// an exception. Such a line is handed on as a one-value marker row, which
/// <see cref="TakeProblem"/> turns back into what was wrong with it; every other line, and its
/// line ending, passes unchanged, so line numbers stay those of the file. Memory stays at one
/// line of at most <see cref="MaxLineLength"/> characters, whatever the file.
/// </summary>
public sealed class CsvLineGuard(TextReader inner) : TextReader
{
    /// <summary>A device row is a few thousand characters (a 4,000-character hash and short values); no line is read past this.</summary>
    public const int MaxLineLength = 1024 * 1024;

    // U+FFFF is a noncharacter: no tool writes it. A file that holds one anyway only gets its own line misreported.
    private const char Marker = '\uFFFF';

    private readonly char[] input = new char[64 * 1024];
    private readonly StringBuilder line = new();
    private readonly StringBuilder output = new();
    private readonly Dictionary<string, string> problems = new(StringComparer.Ordinal);
    private int inputStart, inputEnd, outputStart, markers;
    private long lineLength, lineQuotes;
    private bool pendingCarriageReturn, innerDone;

    /// <summary>What was wrong with the line behind a marker row's one value; null for an ordinary value.</summary>
    public string? TakeProblem(string value) =>
        value.Length > 1 && value[0] == Marker && problems.Remove(value, out var problem) ? problem : null;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        while (outputStart == output.Length && Fill())
        {
        }

        var n = Math.Min(buffer.Length, output.Length - outputStart);
        output.CopyTo(outputStart, buffer, n);
        outputStart += n;
        if (outputStart == output.Length)
        {
            output.Clear();
            outputStart = 0;
        }

        return n;
    }

    public override int Peek() => throw new NotSupportedException("read in blocks");

    public override int Read() => throw new NotSupportedException("read in blocks");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Moves at least one whole line (or the end of the file) to the output; false at the end.</summary>
    private bool Fill()
    {
        if (inputStart == inputEnd)
        {
            if (innerDone)
            {
                return false;
            }

            inputStart = 0;
            inputEnd = inner.Read(input, 0, input.Length);
            if (inputEnd == 0)
            {
                innerDone = true;
                if (pendingCarriageReturn || lineLength > 0)
                {
                    EndLine(pendingCarriageReturn ? "\r" : "");
                }

                return output.Length > 0;
            }
        }

        if (pendingCarriageReturn)
        {
            pendingCarriageReturn = false;
            if (input[inputStart] == '\n')
            {
                inputStart++;
                EndLine("\r\n");
            }
            else
            {
                EndLine("\r");
            }

            return true;
        }

        var rest = input.AsSpan(inputStart, inputEnd - inputStart);
        var end = rest.IndexOfAny('\r', '\n');
        var content = end < 0 ? rest : rest[..end];
        Append(content);
        inputStart += content.Length;
        if (end < 0)
        {
            return true;
        }

        inputStart++;
        if (rest[end] == '\n')
        {
            EndLine("\n");
        }
        else if (inputStart < inputEnd)
        {
            var crlf = input[inputStart] == '\n';
            inputStart += crlf ? 1 : 0;
            EndLine(crlf ? "\r\n" : "\r");
        }
        else
        {
            pendingCarriageReturn = true; // the next block says whether a \n follows
        }

        return true;
    }

    private void Append(ReadOnlySpan<char> content)
    {
        lineQuotes += content.Count('"');
        if (lineLength + content.Length <= MaxLineLength)
        {
            line.Append(content);
        }

        lineLength += content.Length;
    }

    private void EndLine(string ending)
    {
        string? problem = null;
        if (lineLength > MaxLineLength)
        {
            problem = string.Create(CultureInfo.InvariantCulture,
                $"the line is {lineLength:N0} characters long; a device row is a few thousand (at most {MaxLineLength:N0} are read): not read");
        }
        else if (lineQuotes % 2 == 1)
        {
            problem = "an unbalanced double quote: a quote opened in this line is not closed in it (Autopilot values never span lines), so this line is not read; the lines after it are";
        }

        if (problem is null)
        {
            output.Append(line);
        }
        else
        {
            var marker = string.Create(CultureInfo.InvariantCulture, $"{Marker}{++markers}");
            problems[marker] = problem;
            output.Append(marker);
        }

        output.Append(ending);
        line.Clear();
        lineLength = 0;
        lineQuotes = 0;
    }
}
