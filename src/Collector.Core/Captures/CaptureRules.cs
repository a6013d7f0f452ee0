using System.Text.RegularExpressions;
using Collector.Core.Errors;

namespace Collector.Core.Captures;

/// <summary>
/// What a capture's own values must look like: a tenant id, a group tag and an assigned user
/// Intune's CSV can carry (no commas, no quotes, 7-bit ASCII: design section 6; no spreadsheet
/// formula: <see cref="SpreadsheetCell"/>), and names the table can take (the Table service's
/// per-property limit, here because collect, which cannot reference the desk, checks it too).
/// Checked at capture, at import, when a stick is merged and at export, so a value that cannot
/// travel is refused where it is typed, not found later.
/// </summary>
public static partial class CaptureRules
{
    /// <summary>Community-reported limit of Autopilot group tags.</summary>
    public const int MaxGroupTagLength = 512;

    /// <summary>
    /// A string property of an Azure Table entity is at most 64 KiB, UTF-16: 32,768 characters
    /// (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model).
    /// Every text a capture carries to the table stays within it.
    /// </summary>
    public const int MaxTextLength = 32 * 1024;

    /// <summary>Parses a tenant id: a GUID in any usual form, not the empty one.</summary>
    public static Guid ParseTenant(string? value, string source)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidInputException($"no tenant id: pass --tenant GUID or run 'collector stick init' ({source})");
        }

        if (!Guid.TryParse(value.Trim(), out var tenant))
        {
            throw new InvalidInputException($"tenant id '{DisplayText.Escape(Shorten(value))}' is not a GUID (from {source}); it looks like 00000000-0000-0000-0000-000000000000");
        }

        return tenant != Guid.Empty
            ? tenant
            : throw new InvalidInputException($"tenant id {tenant:D} (from {source}) {EmptyTenant}");
    }

    /// <summary>Null when a technician or site name is printable (no control characters) and fits the table; otherwise why not.</summary>
    public static string? NameProblem(string what, string value)
    {
        if (value.Length > MaxTextLength)
        {
            return $"{what} is {value.Length:N0} characters; Azure Table storage takes at most {MaxTextLength:N0}";
        }

        return value.Any(char.IsControl) ? $"{what} holds a control character" : null;
    }

    /// <summary>Null when the group tag can go into Intune's CSV; otherwise why not.</summary>
    public static string? GroupTagProblem(string groupTag)
    {
        if (groupTag.Length > MaxGroupTagLength)
        {
            return $"group tag is {groupTag.Length} characters; Autopilot takes at most {MaxGroupTagLength}";
        }

        return CsvValueProblem("group tag", groupTag) ?? SpreadsheetCell.FormulaProblem("group tag", groupTag);
    }

    /// <summary>Null when the assigned user is empty or a UPN Intune's CSV can carry; otherwise why not.</summary>
    public static string? AssignedUserProblem(string assignedUser)
    {
        if (assignedUser.Length == 0)
        {
            return null;
        }

        if (assignedUser.Length > MaxTextLength)
        {
            return $"assigned user is {assignedUser.Length:N0} characters; Azure Table storage takes at most {MaxTextLength:N0}";
        }

        return CsvValueProblem("assigned user", assignedUser)
            ?? SpreadsheetCell.FormulaProblem("assigned user", assignedUser)
            ?? (Upn().IsMatch(assignedUser) ? null : $"assigned user '{Shorten(assignedUser)}' is not a UPN (name@domain.example)");
    }

    /// <summary>
    /// Null when a stored capture's own values (those not read from its hash) say whose and what
    /// it is: a real tenant, a method Collector writes; otherwise why not (sync checks each row of
    /// a stick with it). Its group tag, user and names are not checked here: where they go (the
    /// CSV, the table) they are held to that place's rules, and a device that cannot go is named
    /// and left out there, never altered.
    /// </summary>
    public static string? CaptureProblem(Capture capture)
    {
        if (capture.TenantId == Guid.Empty)
        {
            return $"its tenant id {EmptyTenant}";
        }

        if (!CaptureMethods.All.Contains(capture.Method))
        {
            return $"its method '{DisplayText.Escape(Shorten(capture.Method))}' is none of {string.Join(", ", CaptureMethods.All)}";
        }

        return CollectArchitectures.All.Contains(capture.CollectArchitecture)
            ? null
            : $"how collect ran, '{DisplayText.Escape(Shorten(capture.CollectArchitecture))}', is none of {string.Join(", ", CollectArchitectures.All.Where(a => a.Length > 0))} (or empty)";
    }

    private const string EmptyTenant = "is the empty GUID, not a tenant: give your tenant's id (Microsoft Entra admin center, Overview, Tenant ID)";

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
                return $"{what} '{DisplayText.Escape(Shorten(value))}' holds {problem}, which Intune's CSV cannot carry";
            }
        }

        return null;
    }

    /// <summary>The same for a value held as UTF-8 bytes (an exported hash).</summary>
    public static string? CsvValueProblem(string what, ReadOnlySpan<byte> value) =>
        value.IndexOfAnyExceptInRange((byte)' ', (byte)'~') < 0 && value.IndexOfAny((byte)',', (byte)'"') < 0
            ? null
            : CsvValueProblem(what, System.Text.Encoding.UTF8.GetString(value)) ?? $"{what} is not printable 7-bit ASCII, which Intune's CSV needs";

    private static string Shorten(string s) => DisplayText.Shorten(s, 40);

    // local@domain.tld, ASCII, no spaces; Intune itself only checks that the domain is valid.
    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")]
    private static partial Regex Upn();
}
