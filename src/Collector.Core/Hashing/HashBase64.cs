using System.Buffers;
using System.Text;

namespace Collector.Core.Hashing;

/// <summary>
/// The base64 of a hash as sources give it: pasted with line breaks, padded or not (Microsoft's
/// troubleshooting guide: devices encode it unpadded), and what <see cref="HashCodec"/> refuses.
/// </summary>
internal static class HashBase64
{
    private static readonly SearchValues<char> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /// <summary>The text without spaces, tabs and line breaks (a pasted or wrapped hash); the same string when it has none.</summary>
    public static string RemoveWhitespace(string text)
    {
        // Tab to space holds them all and no base64 character: the usual hash is passed over by
        // one range search, which runs vectorised from the first call (sync checks every capture).
        var span = text.AsSpan();
        if (span.IndexOfAnyInRange('\t', ' ') < 0 || span.IndexOfAny(" \t\r\n\f\v") < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in span)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Why <paramref name="text"/> (whitespace removed) is not base64 character by character, or
    /// null: letters, digits, <c>+</c> and <c>/</c>, then at most two <c>=</c> that end a whole
    /// number of quads. A <c>=</c> anywhere else is refused, not skipped.
    /// </summary>
    public static string? BadCharacter(string text)
    {
        var end = text.Length;
        while (end > 0 && text[end - 1] == '=')
        {
            end--;
        }

        var bad = text.AsSpan(0, end).IndexOfAnyExcept(Base64Alphabet);
        if (bad >= 0)
        {
            var c = text[bad];
            return c == '='
                ? $"the hash is not base64: '=' at position {bad + 1:N0}, where only the end may carry padding"
                : $"the hash is not base64: {(char.IsControl(c) || c > '~' ? $"U+{(int)c:X4}" : $"'{c}'")} at position {bad + 1:N0}";
        }

        var padding = text.Length - end;
        if (padding == 0)
        {
            return null;
        }

        if (padding > 2)
        {
            return $"the hash is not base64: it ends in {padding} '=', and padding is at most two";
        }

        return text.Length % 4 == 0
            ? null
            : $"the hash is not base64: it ends in '=' but {text.Length:N0} characters is not a whole number of base64 quads";
    }

    /// <summary>
    /// True when <paramref name="padded"/> is exactly how <paramref name="bytes"/> encode: base64
    /// decoders ignore the unused low bits of the last character, so a hash whose last quad sets
    /// them decodes to the same bytes but is not what those bytes encode to. Only the last quad
    /// can differ, so only it is re-encoded.
    /// </summary>
    public static bool IsCanonical(string padded, ReadOnlySpan<byte> bytes)
    {
        var tail = bytes.Length % 3 == 0 ? Math.Min(3, bytes.Length) : bytes.Length % 3;
        Span<char> quad = stackalloc char[4];
        return Convert.TryToBase64Chars(bytes[^tail..], quad, out var written)
            && quad[..written].SequenceEqual(padded.AsSpan(padded.Length - written));
    }
}
