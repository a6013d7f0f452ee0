using System.Globalization;
using System.Text;

namespace Collector.Core.Captures;

/// <summary>
/// Text from a device or a file (a serial, a model, a name), made safe to print on a terminal:
/// control characters (C0, DEL, C1: ESC starts terminal escape sequences, BEL rings, NUL cuts a
/// line short) and the bidirectional overrides and isolates that reorder what a reader sees
/// (U+202A–U+202E, U+2066–U+2069; CVE-2021-42574, "Trojan Source") are shown as <c>\x1b</c> or
/// <c>\u202e</c>. Everything else passes unchanged, so ordinary text costs one scan. Every place
/// that prints such text goes through <see cref="Escape"/>; HTML and CSV have rules of their own.
/// </summary>
public static class DisplayText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var first = IndexOfUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (!IsUnsafe(c))
            {
                escaped.Append(c);
            }
            else if (c <= 0xFF)
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return escaped.ToString();
    }

    /// <summary>The first line of a library's error message, at most 200 characters: enough to say what went wrong in one line of ours.</summary>
    public static string FirstLine(string message) => Shorten(message.Split('\n', 2)[0].Trim(), 200);

    /// <summary>At most <paramref name="max"/> characters of <paramref name="text"/>, an ellipsis saying where it was cut.</summary>
    public static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    /// <summary>True when <paramref name="c"/> must not reach a terminal as it is.</summary>
    public static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    private static int IndexOfUnsafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
