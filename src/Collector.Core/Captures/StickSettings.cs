using System.Text;
using System.Text.Json;
using Collector.Core.Errors;

namespace Collector.Core.Captures;

/// <summary>
/// A stick's own settings, <c>collector\stick.json</c> (design section 3): tenant id, the group
/// tags a technician may give (one is the default; several are a choice collect offers), site,
/// technician and stick id. Command-line options override them. No secret ever
/// goes in here: a lost stick must lose no credential, so a setting this type does not know (a
/// SAS URL pasted in by hand, say) is refused rather than carried along.
/// </summary>
/// <remarks>
/// Read with <see cref="JsonDocument"/> and written with <see cref="Utf8JsonWriter"/> rather than
/// the reflection serializer: <c>collect</c> starts once per device and every millisecond of
/// start-up is paid at each one, and a hand reader can name the exact fault in the file.
/// </remarks>
public sealed record StickSettings
{
    public const string FileName = "stick.json";

    /// <summary>stick.json is a few hundred bytes; a larger file is not one.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>A technician chooses a tag with one key (1 to 9), so a stick offers at most nine.</summary>
    public const int MaxGroupTags = 9;

    private static readonly string[] Known = ["tenantId", "groupTag", "groupTags", "site", "technician", "stickId"];

    public Guid? TenantId { get; init; }

    /// <summary>
    /// The stick's group tags: none, one (every capture's default, the <c>groupTag</c> of older
    /// sticks) or several (collect asks which, <c>groupTags</c>). Trimmed, none empty, none twice.
    /// </summary>
    public IReadOnlyList<string> GroupTags { get; init; } = [];

    public string Site { get; init; } = "";
    public string Technician { get; init; } = "";

    /// <summary>The id a new stick database is created with; the database keeps its own once made.</summary>
    public Guid? StickId { get; init; }

    /// <summary><c>&lt;stick&gt;/collector/stick.json</c>.</summary>
    public static string PathOn(string stickRoot) => Path.Combine(stickRoot, "collector", FileName);

    /// <summary>
    /// Reads <paramref name="path"/>; null when there is no such file. A file that is not valid
    /// JSON, not an object, has a value of the wrong kind or a setting we do not know is an
    /// <see cref="InvalidInputException"/> (exit 2) naming the file and the fault.
    /// </summary>
    public static StickSettings? Read(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return null;
        }

        string text;
        using (var stream = Inputs.RegularFile.Open(path))
        {
            if (stream.Length > MaxBytes)
            {
                throw Fault(path, $"it is {stream.Length:N0} bytes; a stick.json is a few hundred");
            }

            try
            {
                // The reader honours a UTF-8 or UTF-16 BOM: Notepad may save either.
                using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
                text = reader.ReadToEnd();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException($"{path}: cannot be read ({e.Message})", e);
            }
        }

        return Parse(text, path);
    }

    /// <summary>Parses the text of a stick.json; <paramref name="name"/> is used in messages.</summary>
    public static StickSettings Parse(string text, string name)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
                MaxDepth = 4,
            });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw Fault(name, $"not valid JSON{where}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Fault(name, $"expected an object {{ \"tenantId\": … }}, found {Describe(root.ValueKind)}");
            }

            var settings = new StickSettings();
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                var known = Array.Find(Known, k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase))
                    ?? throw Fault(name, $"unknown setting \"{DisplayText.Escape(property.Name)}\" (known: {string.Join(", ", Known)}; no secret ever goes on a stick)");

                // Names are case-insensitive, so "tenantId" and "TENANTID" are one setting given twice:
                // which one counts must not depend on the order a hand edit left them in.
                if (!seen.TryAdd(known, property.Name))
                {
                    throw Fault(name, $"\"{known}\" appears twice (as \"{DisplayText.Escape(seen[known])}\" and \"{DisplayText.Escape(property.Name)}\"): keep one");
                }

                if (known == "groupTags")
                {
                    settings = settings with { GroupTags = ParseTags(property.Value, name) };
                    continue;
                }

                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Null => null,
                    var kind => throw Fault(name, $"\"{known}\" must be a string, found {Describe(kind)}"),
                };
                settings = known switch
                {
                    "tenantId" => settings with { TenantId = ParseGuid(value, known, name) },
                    "stickId" => settings with { StickId = ParseGuid(value, known, name) },
                    "groupTag" => settings with { GroupTags = string.IsNullOrWhiteSpace(value) ? [] : [value.Trim()] },
                    "site" => settings with { Site = value ?? "" },
                    _ => settings with { Technician = value ?? "" },
                };
            }

            // One list, one place: which of the two counted would depend on their order.
            if (seen.ContainsKey("groupTag") && seen.ContainsKey("groupTags"))
            {
                throw Fault(name, "both \"groupTag\" and \"groupTags\" are given: keep one (\"groupTags\": [\"A\", \"B\"] for several)");
            }

            return settings;
        }
    }

    /// <summary>Writes the settings as indented UTF-8 JSON without a BOM (what <c>collector stick init</c> lays down).</summary>
    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, ToJson(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("tenantId", TenantId?.ToString("D"));
            // One tag is written as older sticks had it, so an older collect still reads the file;
            // a list only where there is a choice.
            if (GroupTags.Count > 1)
            {
                json.WriteStartArray("groupTags");
                foreach (var tag in GroupTags)
                {
                    json.WriteStringValue(tag);
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteString("groupTag", GroupTags.Count == 1 ? GroupTags[0] : "");
            }

            json.WriteString("site", Site);
            json.WriteString("technician", Technician);
            json.WriteString("stickId", StickId?.ToString("D"));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Null when <paramref name="tags"/> can be a stick's list: at most <see cref="MaxGroupTags"/>,
    /// none empty, none twice (ignoring case: two tags a technician cannot tell apart on the
    /// screen are one tag twice); otherwise why not. Each tag's own rules
    /// (<see cref="CaptureRules.GroupTagProblem"/>) are checked where a tag is used.
    /// </summary>
    public static string? GroupTagsProblem(IReadOnlyList<string> tags)
    {
        if (tags.Count > MaxGroupTags)
        {
            return $"{tags.Count} group tags; a stick offers at most {MaxGroupTags} (one key chooses)";
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var tag in tags)
        {
            if (string.IsNullOrWhiteSpace(tag))
            {
                return "a group tag is empty";
            }

            if (!seen.Add(tag.Trim()))
            {
                return $"group tag '{DisplayText.Escape(tag.Trim())}' is given twice";
            }
        }

        return null;
    }

    /// <summary>Equal when every setting is, the group tags in the same order.</summary>
    public bool Equals(StickSettings? other) =>
        other is not null && TenantId == other.TenantId && GroupTags.SequenceEqual(other.GroupTags, StringComparer.Ordinal)
        && Site == other.Site && Technician == other.Technician && StickId == other.StickId;

    public override int GetHashCode() => HashCode.Combine(TenantId, GroupTags.Count, Site, Technician, StickId);

    private static List<string> ParseTags(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Fault(name, $"\"groupTags\" must be an array of strings, found {Describe(value.ValueKind)}");
        }

        var tags = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            tags.Add(item.ValueKind == JsonValueKind.String
                ? item.GetString()!.Trim()
                : throw Fault(name, $"\"groupTags\" holds {Describe(item.ValueKind)}; each tag is a string"));
        }

        return GroupTagsProblem(tags) is { } problem ? throw Fault(name, $"\"groupTags\": {problem}") : tags;
    }

    private static Guid? ParseGuid(string? value, string setting, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Guid.TryParse(value.Trim(), out var guid))
        {
            throw Fault(name, $"\"{setting}\" is '{DisplayText.Escape(DisplayText.Shorten(value, 40))}', not a GUID (like 00000000-0000-0000-0000-000000000000)");
        }

        return guid != Guid.Empty ? guid : throw Fault(name, $"\"{setting}\" is the empty GUID: give the real one");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Null => "null",
        _ => "a string",
    };

    private static InvalidInputException Fault(string name, string fault, Exception? inner = null) =>
        new($"{name} is malformed: {fault}", inner);
}
