using System.Text.Encodings.Web;
using Collector.Core.Captures;

namespace Collector.Workstation.Report;

/// <summary>
/// Text from a device or a person, made safe for the report's HTML (element text and attribute
/// values alike): control characters and bidi overrides first shown as <c>\x1b</c> or <c>\u202e</c>
/// (<see cref="DisplayText.Escape"/>, as on a terminal), then <c>&lt;</c>, <c>&gt;</c>,
/// <c>&amp;</c>, quotes and every non-ASCII character written as character references
/// (<see cref="HtmlEncoder"/>), so a serial <c>&lt;script&gt;</c> is text, never markup.
/// </summary>
public static class Html
{
    public static string Encode(string? text) => HtmlEncoder.Default.Encode(DisplayText.Escape(text));
}
