using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Collector.Workstation;

/// <summary>
/// How every <c>--json</c> output is written: camelCase names, indented, one document, and
/// 7-bit ASCII. On Windows, .NET writes stdout in the console's code page (an OEM page such as
/// 437 or 850, also when redirected to a file or piped into PowerShell), which has no room for
/// most of Unicode: a technician "Łukasz" would come out as "?ukasz". Every character past ASCII
/// is therefore written as a JSON escape (<c>\u0141</c>), which every JSON reader turns back into
/// the same text, so the Windows and Linux builds print the same document.
/// </summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Serials and tags are printed as they are (no \u003C for '<'); this output is for scripts, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Task WriteAsync<T>(TextWriter writer, T value) =>
        writer.WriteLineAsync(Serialize(value));

    /// <summary>One value as the JSON text <see cref="WriteAsync"/> prints (ASCII only).</summary>
    public static string Serialize<T>(T value) => AsciiOnly(JsonSerializer.Serialize(value, Options));

    /// <summary>
    /// Escapes every non-ASCII UTF-16 unit as <c>\uXXXX</c> (a surrogate pair as two escapes, as
    /// JSON spells characters beyond U+FFFF). Outside strings a JSON document is ASCII already.
    /// </summary>
    private static string AsciiOnly(string json)
    {
        var first = json.AsSpan().IndexOfAnyExceptInRange('\0', '\u007e');
        if (first < 0)
        {
            return json;
        }

        var ascii = new StringBuilder(json.Length + 32).Append(json, 0, first);
        foreach (var c in json.AsSpan(first))
        {
            if (c <= '\u007e')
            {
                ascii.Append(c);
            }
            else
            {
                ascii.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return ascii.ToString();
    }
}
