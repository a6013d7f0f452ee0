using System.Diagnostics.CodeAnalysis;
using System.Text;
using Collector.Core.Captures;

namespace Collector.Workstation.Csv;

/// <summary>
/// Writing the export formats' bytes (Intune's Autopilot CSV, corporate identifiers, Partner
/// Center's CSV): values are 7-bit printable ASCII with no comma or quote — checked again here,
/// since the formats have no quoting and a value that needs it was left out before — written
/// into a buffer sized for the whole file.
/// </summary>
internal static class CsvBytes
{
    public const string LineEnd = "\r\n";

    // Every character is printable 7-bit ASCII (checked), so narrowing loses nothing.
    public static int Put(byte[] bytes, int at, string value)
    {
        Ascii.FromUtf16(value, bytes.AsSpan(at), out var written);
        return at + written;
    }

    public static int Put(byte[] bytes, int at, ReadOnlySpan<byte> value)
    {
        value.CopyTo(bytes.AsSpan(at));
        return at + value.Length;
    }

    /// <summary>The buffer for a file of <paramref name="length"/> bytes: <paramref name="buffer"/> if large enough, else a new one.</summary>
    public static byte[] Room([NotNull] ref byte[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new byte[length];
        }

        return buffer;
    }

    // Callers leave out what cannot be written; reaching here with such a value is a bug, not input.
    public static string Checked(string row, string what, string value, bool required = false)
    {
        if (required && value.Length == 0)
        {
            throw new ArgumentException($"the {what} of {row} cannot be empty");
        }

        return CaptureRules.CsvValueProblem(what, value) is { } problem ? throw new ArgumentException(problem) : value;
    }

    public static ReadOnlySpan<byte> Checked(string row, string what, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            throw new ArgumentException($"the {what} of {row} cannot be empty");
        }

        return CaptureRules.CsvValueProblem(what, value) is { } problem ? throw new ArgumentException(problem) : value;
    }
}
