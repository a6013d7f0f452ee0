using System.Text.RegularExpressions;
using Collector.Core.Errors;

namespace Collector.Core.Captures;

/// <summary>
/// What a tenant id, group tag and assigned user must look like for Intune's CSV to carry them
/// (no commas, no quotes, 7-bit ASCII: design section 6). Checked at capture, at import and at
/// export, so a value that cannot be exported is refused where it is typed, not found later.
/// </summary>
public static partial class CaptureRules
{
    /// <summary>Community-reported limit of Autopilot group tags.</summary>
    public const int MaxGroupTagLength = 512;

    /// <summary>Parses a tenant id: a GUID in any usual form.</summary>
    public static Guid ParseTenant(string? value, string source)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidInputException($"no tenant id: pass --tenant GUID or run 'collector stick init' ({source})");
        }

        return Guid.TryParse(value.Trim(), out var tenant) && tenant != Guid.Empty
            ? tenant
            : throw new InvalidInputException($"tenant id '{Shorten(value)}' is not a GUID (from {source}); it looks like 00000000-0000-0000-0000-000000000000");
    }

    /// <summary>Null when a technician or site name is printable (no control characters); otherwise why not.</summary>
    public static string? NameProblem(string what, string value) =>
        value.Any(char.IsControl) ? $"{what} holds a control character" : null;

    /// <summary>Null when the group tag can go into Intune's CSV; otherwise why not.</summary>
    public static string? GroupTagProblem(string groupTag)
    {
        if (groupTag.Length > MaxGroupTagLength)
        {
            return $"group tag is {groupTag.Length} characters; Autopilot takes at most {MaxGroupTagLength}";
        }

        return CsvValueProblem("group tag", groupTag);
    }

    /// <summary>Null when the assigned user is empty or a UPN Intune's CSV can carry; otherwise why not.</summary>
    public static string? AssignedUserProblem(string assignedUser)
    {
        if (assignedUser.Length == 0)
        {
            return null;
        }

        return CsvValueProblem("assigned user", assignedUser)
            ?? (Upn().IsMatch(assignedUser) ? null : $"assigned user '{Shorten(assignedUser)}' is not a UPN (name@domain.example)");
    }

    /// <summary>Null when a value can stand in Intune's CSV as it is: 7-bit printable ASCII, no comma, no quote.</summary>
    public static string? CsvValueProblem(string what, string value)
    {
        // Vectorised fast path: export checks every 4,000-character hash it writes.
        if (value.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0 && value.AsSpan().IndexOfAny(',', '"') < 0)
        {
            return null;
        }

        foreach (var c in value)
        {
            var problem = c switch
            {
                ',' => "a comma",
                '"' => "a double quote",
                _ when c > '~' => $"the non-ASCII character '{c}'",
                _ when c < ' ' => $"the control character U+{(int)c:X4}",
                _ => null,
            };
            if (problem is not null)
            {
                return $"{what} '{Shorten(value)}' holds {problem}, which Intune's CSV cannot carry";
            }
        }

        return null;
    }

    /// <summary>The same for a value held as UTF-8 bytes (an exported hash).</summary>
    public static string? CsvValueProblem(string what, ReadOnlySpan<byte> value) =>
        value.IndexOfAnyExceptInRange((byte)' ', (byte)'~') < 0 && value.IndexOfAny((byte)',', (byte)'"') < 0
            ? null
            : CsvValueProblem(what, System.Text.Encoding.UTF8.GetString(value)) ?? $"{what} is not printable 7-bit ASCII, which Intune's CSV needs";

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    // local@domain.tld, ASCII, no spaces; Intune itself only checks that the domain is valid.
    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")]
    private static partial Regex Upn();
}
