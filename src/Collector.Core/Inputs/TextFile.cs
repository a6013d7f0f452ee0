using System.Text;
using Collector.Core.Errors;

namespace Collector.Core.Inputs;

/// <summary>
/// Opens a text file the way real tools write them: UTF-16LE with a BOM (Windows PowerShell's
/// Out-File), UTF-16BE with a BOM, UTF-8 with or without a BOM. Anything else with NUL bytes, or
/// bytes that are not UTF-8, is a binary file and refused with one clear line.
/// </summary>
public static class TextFile
{
    private const int SniffLength = 8192;

    /// <summary>
    /// Opens <paramref name="path"/> for streaming reads. With <paramref name="maxBytes"/>, a larger
    /// file is refused before anything is read.
    /// </summary>
    /// <param name="tooLarge">What follows "larger than the N MB" for a file that is too large: who reads at most that, and what to do instead.</param>
    public static TextReader Open(string path, long? maxBytes = null, string? tooLarge = null)
    {
        var stream = RegularFile.Open(path, 64 * 1024);
        try
        {
            if (maxBytes is { } max && stream.Length > max)
            {
                throw new InvalidInputException(
                    $"{path} is {stream.Length / (1024.0 * 1024.0):N1} MB, larger than the {max / (1024 * 1024)} MB {tooLarge ?? "this command reads"}");
            }

            var head = new byte[SniffLength];
            var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var (encoding, bomLength) = Detect(path, head.AsSpan(0, read));
            stream.Position = bomLength;
            return new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads to the end, turning undecodable bytes into one clear line.</summary>
    public static string ReadToEnd(TextReader reader, string path)
    {
        try
        {
            return reader.ReadToEnd();
        }
        catch (DecoderFallbackException e)
        {
            throw NotText(path, e);
        }
    }

    public static InvalidInputException NotText(string path, Exception? inner = null) =>
        new($"{path} is a binary file, not a hash, OA3.xml or CSV text", inner);

    // The BOM is skipped here, so the decoders are strict ones without a preamble of their own:
    // StreamReader's own BOM detection would swap in a lenient decoder.
    private static (Encoding Encoding, int BomLength) Detect(string path, ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2);
        }

        if (head.Contains((byte)0))
        {
            throw NotText(path);
        }

        // Strict UTF-8: plain ASCII, the format Intune asks for, is a subset.
        var bom = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        return (new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), bom);
    }
}
