using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Collector.Stick.Commands;

/// <summary>What <c>collect --json</c> prints: exactly these six names (a contract for scripts).</summary>
public sealed record CaptureJson(
    string CaptureId, string Serial, string DeviceKey, IReadOnlyList<string> Flags, bool AlreadyOnStick, int DevicesOnStick);

/// <summary>
/// One device in <c>collect list --json</c>: its newest capture. <c>collectArchitecture</c> says how
/// collect ran (<c>arm64</c>, <c>x64-on-arm64</c>, <c>x64</c>; empty when not known).
/// </summary>
public sealed record DeviceJson(
    string DeviceKey, string Serial, string Manufacturer, string Model, bool Tpm, string TenantId, string GroupTag,
    string AssignedUser, string CapturedAt, long StickSequence, string CaptureId, string Method, IReadOnlyList<string> Flags,
    string CollectArchitecture);

/// <summary>
/// Source-generated serialization: no reflection at start-up, which every device pays for.
/// camelCase, indented; serials and tags printed as they are (this output is for scripts, not HTML).
/// </summary>
[JsonSerializable(typeof(CaptureJson))]
[JsonSerializable(typeof(List<DeviceJson>))]
internal sealed partial class StickJson : JsonSerializerContext
{
    public static StickJson Output { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
