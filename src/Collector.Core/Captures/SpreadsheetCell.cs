namespace Collector.Core.Captures;

/// <summary>
/// The one rule for a value written into a CSV cell that people open in spreadsheet programs
/// (CSV injection, https://owasp.org/www-community/attacks/CSV_Injection): a value that begins
/// with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c> (or a tab or carriage return, which the CSV rules
/// refuse as control characters anyway) is read by Excel, LibreOffice and Google Sheets as a
/// formula, which can run a command (<c>=cmd|' /C calc'!A0</c>) or send data away
/// (<c>=HYPERLINK(…)</c>). Intune's format has no quoting to neutralise one and a value is never
/// altered, so such a value is refused where it comes in (collect, import) and left out where it
/// goes out (export). Core, not the desk: collect refuses a group tag by the same rule.
/// </summary>
/// <remarks>
/// Where the line for <c>-</c> is drawn: a <c>-</c> followed only by ASCII letters and digits
/// (<c>-ABC123</c>, <c>-5</c>) passes. A formula needs more than one term to do anything:
/// an operator (<c>-2+3+cmd|…</c>), a function call (a parenthesis), a DDE link (<c>|</c>) or
/// a reference to another sheet (<c>!</c>); letters and digits alone read as at most a number or
/// a cell reference, shown negated, with nothing run and nothing sent. Every other <c>-</c>
/// lead is refused. A <c>-</c> anywhere but first (<c>5CG-1234</c>, as in many real serials) is
/// never a formula lead.
/// </remarks>
public static class SpreadsheetCell
{
    private static readonly System.Buffers.SearchValues<char> AsciiLettersAndDigits =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    /// <summary>Null when <paramref name="value"/> cannot be read as a formula; otherwise why it would be.</summary>
    public static string? FormulaProblem(string what, string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        var lead = value[0];
        var formula = lead switch
        {
            '=' or '+' or '@' or '\t' or '\r' => true,
            '-' => value.AsSpan(1).ContainsAnyExcept(AsciiLettersAndDigits),
            _ => false,
        };
        if (!formula)
        {
            return null;
        }

        var shown = char.IsControl(lead) ? $"U+{(int)lead:X4}" : $"'{lead}'";
        return $"{what} '{DisplayText.Escape(DisplayText.Shorten(value, 40))}' begins with {shown}, which a spreadsheet would read as a formula";
    }
}
