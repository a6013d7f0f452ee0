using System.Text.Encodings.Web;
using System.Text.Json;

namespace Collector.Workstation;

/// <summary>How every <c>--json</c> output is written: camelCase names, indented, one document.</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Serials and tags are printed as they are; this output is for scripts, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Task WriteAsync<T>(TextWriter writer, T value) =>
        writer.WriteLineAsync(JsonSerializer.Serialize(value, Options));
}
