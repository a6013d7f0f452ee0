using System.Globalization;
using System.Text.Json;
using System.Web;

namespace Collector.Testing.Graph;

/// <summary>The documented operations: import, list (paged), get, delete, and $batch around them.</summary>
public sealed partial class GraphStandIn
{
    private const int MaxImport = 500;
    private const int MaxBatchSteps = 20;

    private Answer Dispatch(Guid tenant, string method, string path, string query, string body)
    {
        var kind = Kind(method, path);
        var id = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Last();
        var select = Select(query);
        return kind switch
        {
            GraphRequestKind.Import => Import(tenant, body),
            GraphRequestKind.List => List(tenant, query, select),
            GraphRequestKind.Get => Get(tenant, id, select),
            GraphRequestKind.Delete => Delete(tenant, id),
            _ => Answer.Error(400, "BadRequest", $"Resource not found for the segment '{path}'."),
        };
    }

    private Answer Import(Guid tenant, string body)
    {
        if (Array(body, "importedWindowsAutopilotDeviceIdentities") is not { } devices)
        {
            return Answer.Error(400, "BadRequest", "The request body is not an import of importedWindowsAutopilotDeviceIdentities.");
        }

        if (devices.GetArrayLength() is 0 or > MaxImport)
        {
            return Answer.Error(400, "BadRequest", $"An import takes 1 to {MaxImport} devices; this one has {devices.GetArrayLength()}.");
        }

        var created = new List<StandInRecord>();
        lock (gate)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var device in devices.EnumerateArray())
            {
                var hash = Text(device, "hardwareIdentifier");
                hardwareIdentifiers.Add(hash);
                if (hash.Length == 0 || hash.Length % 4 != 0 || !IsBase64(hash))
                {
                    // What Graph answers an unpadded hash (Microsoft's Autopilot troubleshooting guide).
                    return Answer.Error(400, "BadRequest", $"Cannot convert the literal '{hash[..Math.Min(hash.Length, 16)]}…' to the expected type 'Edm.Binary'.");
                }

                if (!seen.Add(hash))
                {
                    return Answer.Error(400, "BadRequest", "The same device is twice in one import (ZtdDeviceDuplicated).");
                }

                var serial = Text(device, "serialNumber");
                created.Add(NewRecord(tenant, serial, hash, Text(device, "groupTag"), Text(device, "assignedUserPrincipalName"), Text(device, "productKey"), Text(device, "importId")));
            }

            foreach (var record in created)
            {
                records.Add(record);
                this.created.Add(record);
                imports[record.Serial] = imports.GetValueOrDefault(record.Serial) + 1;
            }
        }

        OnImport?.Invoke();
        return Answer.Ok(json =>
        {
            json.WriteStartObject();
            json.WriteString("@odata.context", $"{Root}v1.0/$metadata#Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)");
            json.WriteStartArray("value");
            foreach (var record in created)
            {
                record.Write(json, answered: false, select: null);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private Answer List(Guid tenant, string query, IReadOnlySet<string>? select)
    {
        var skip = int.TryParse(HttpUtility.ParseQueryString(query)["$skiptoken"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        lock (gate)
        {
            var mine = records.Where(r => r.Tenant == tenant).ToList();
            var page = mine.Skip(skip).Take(PageSize).ToList();
            return Answer.Ok(json =>
            {
                json.WriteStartObject();
                json.WriteString("@odata.context", $"{Root}v1.0/$metadata#deviceManagement/importedWindowsAutopilotDeviceIdentities");
                if (skip + page.Count < mine.Count)
                {
                    var selectPart = select is null ? "" : "$select=" + string.Join(',', select) + "&";
                    json.WriteString("@odata.nextLink", $"{Root}v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities?{selectPart}$skiptoken={skip + page.Count}");
                }

                json.WriteStartArray("value");
                foreach (var record in page)
                {
                    record.Write(json, Read(record), select);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            });
        }
    }

    private Answer Get(Guid tenant, string id, IReadOnlySet<string>? select)
    {
        lock (gate)
        {
            var record = records.FirstOrDefault(r => r.Tenant == tenant && r.Id == id);
            return record is null
                ? Answer.Error(404, "ResourceNotFound", $"Resource '{id}' not found.")
                : Answer.Ok(json => record.Write(json, Read(record), select));
        }
    }

    private Answer Delete(Guid tenant, string id)
    {
        lock (gate)
        {
            var record = records.FirstOrDefault(r => r.Tenant == tenant && r.Id == id);
            if (record is null)
            {
                return Answer.Error(404, "ResourceNotFound", $"Resource '{id}' not found.");
            }

            records.Remove(record);
            deleted.Add(id);
            return new Answer(204, null);
        }
    }

    /// <summary>JSON batching: at most 20 steps, each answered as if sent alone, in one response.</summary>
    private Answer Batch(Guid tenant, string body)
    {
        if (Array(body, "requests") is not { } steps)
        {
            return Answer.Error(400, "BadRequest", "Invalid batch payload format.");
        }

        if (steps.GetArrayLength() is 0 or > MaxBatchSteps)
        {
            return Answer.Error(400, "BadRequest", $"A batch holds 1 to {MaxBatchSteps} requests.");
        }

        var answers = new List<(string Id, Answer Answer)>();
        foreach (var step in steps.EnumerateArray())
        {
            var method = Text(step, "method").ToUpperInvariant();
            var url = Text(step, "url");
            var (path, query) = url.Split('?', 2) is [var p, var q] ? (p, "?" + q) : (url, "");
            var stepBody = step.TryGetProperty("body", out var b) ? b.GetRawText() : "";
            var answer = Dispatch(tenant, method, "/v1.0" + path, query, stepBody);
            Log(Kind(method, "/v1.0" + path), method, "/v1.0" + url, answer.Status, true, null);
            answers.Add((Text(step, "id"), answer));
        }

        return Answer.Ok(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("responses");
            foreach (var (id, answer) in answers)
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteNumber("status", answer.Status);
                json.WriteStartObject("headers");
                if (answer.Json is not null)
                {
                    json.WriteString("Content-Type", "application/json");
                }

                json.WriteEndObject();
                if (answer.Json is { } content)
                {
                    json.WritePropertyName("body");
                    using var document = JsonDocument.Parse(content);
                    document.WriteTo(json);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private StandInRecord NewRecord(Guid tenant, string serial, string hash, string groupTag, string user, string productKey, string importId) => new()
    {
        Id = Guid.CreateVersion7().ToString("D") + "-" + (++nextId).ToString(CultureInfo.InvariantCulture),
        Tenant = tenant,
        Serial = serial,
        HardwareIdentifier = hash,
        GroupTag = groupTag,
        AssignedUser = user,
        ProductKey = productKey,
        ImportId = importId,
        Outcome = outcomes.GetValueOrDefault(serial, DefaultOutcome),
    };

    /// <summary>Counts a read of <paramref name="record"/>; true once its answer shows.</summary>
    private bool Read(StandInRecord record) => ++record.Reads > ReadsBeforeAnswer;

    private static IReadOnlySet<string>? Select(string query) =>
        HttpUtility.ParseQueryString(query)["$select"] is { Length: > 0 } fields
            ? fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : null;

    /// <summary>The array <paramref name="name"/> of a JSON body; null when the body is not JSON or has no such array.</summary>
    private static JsonElement? Array(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    /// <summary>An answer: status, optional JSON body, optional Retry-After.</summary>
    private sealed record Answer(int Status, byte[]? Json, string? RetryAfter = null)
    {
        public static Answer Ok(Action<Utf8JsonWriter> write) => new(200, Write(write));

        public static Answer Error(int status, string code, string message, string? retryAfter = null) =>
            new(status, Write(json =>
            {
                json.WriteStartObject();
                json.WriteStartObject("error");
                json.WriteString("code", code);
                json.WriteString("message", message);
                json.WriteEndObject();
                json.WriteEndObject();
            }), retryAfter);

        private static byte[] Write(Action<Utf8JsonWriter> write)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                write(json);
            }

            return buffer.ToArray();
        }
    }
}
