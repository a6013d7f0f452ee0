using Collector.Core.Captures;

namespace Collector.Core.Tests.Captures;

public sealed class DisplayTextTests
{
    [Theory]
    [InlineData("5CG1234XYZ", "5CG1234XYZ")]
    [InlineData("Contoso Book 14 (Intel®)", "Contoso Book 14 (Intel®)")]
    [InlineData("", "")]
    public void Ordinary_text_passes_unchanged(string text, string shown)
    {
        Assert.Equal(shown, DisplayText.Escape(text));
    }

    [Theory]
    [InlineData("SN\u001b[2J1", "SN\\x1b[2J1")]
    [InlineData("bell\u0007", "bell\\x07")]
    [InlineData("nul\0cut", "nul\\x00cut")]
    [InlineData("line\r\nbreak", "line\\x0d\\x0abreak")]
    [InlineData("tab\there", "tab\\x09here")]
    [InlineData("del\u007f", "del\\x7f")]
    [InlineData("c1\u009b31m", "c1\\x9b31m")]
    [InlineData("abc\u202Efdp.exe", "abc\\u202efdp.exe")]
    [InlineData("\u2066isolate\u2069", "\\u2066isolate\\u2069")]
    public void Control_and_reordering_characters_are_shown_escaped(string text, string shown)
    {
        Assert.Equal(shown, DisplayText.Escape(text));
    }

    [Fact]
    public void Null_is_shown_as_nothing()
    {
        Assert.Equal("", DisplayText.Escape(null));
    }
}
