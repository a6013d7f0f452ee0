using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Tests.Commands;

namespace Collector.Workstation.Tests.Report;

/// <summary>
/// The report opened in a real browser, Debian's headless Chromium: what it rendered (the DOM
/// after loading), a screenshot, and its console, where any script error, console message or
/// blocked load (the page's Content-Security-Policy lets nothing load) would show.
/// </summary>
public sealed class ReportInBrowserTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new("collector-report-test-");
    private readonly TestHub hub;

    public ReportInBrowserTests() => hub = new TestHub(temp, new ManualClock(Day));

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Chromium_renders_every_chart_and_table_with_no_console_message_and_takes_a_screenshot()
    {
        ReportHubs.FillSmall(hub, Day);
        var page = temp.File("report.html");
        Assert.Equal(0, (await Cli.RunAsync("report", "--hub", hub.Path, "--out", page)).ExitCode);

        var rendered = Chromium.DumpDom(page);
        var shot = Chromium.Screenshot(page, temp.File("report.png"), 1100, 1600);

        Assert.Empty(rendered.ConsoleMessages);
        Assert.Empty(shot.ConsoleMessages);
        Assert.All(ReportCommandTests.ChartIds, id => Assert.Matches($"<svg id=\"{id}\"[^>]*>.*?<rect ", rendered.Dom));
        Assert.All(ReportCommandTests.TableIds, id => Assert.Matches($"<table id=\"{id}\"><thead>.*?</thead><tbody><tr>", rendered.Dom));
        Assert.Contains("<h3>uuid:", rendered.Dom, StringComparison.Ordinal);
        var png = File.ReadAllBytes(temp.File("report.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal((1100, 1600), PngSize(png));
        Assert.True(png.Length > 30_000, $"a {png.Length}-byte screenshot is too small to show the report");
    }

    [Fact]
    public async Task A_script_in_a_serial_is_shown_as_text_and_never_runs()
    {
        hub.Merge(TestHub.Draft(new HashBuilder { Serial = "<script>alert(1)</script>", Tpm = false }, Day, technician: "<script>console.error('x')</script>"));
        var page = temp.File("report.html");
        Assert.Equal(0, (await Cli.RunAsync("report", "--hub", hub.Path, "--out", page)).ExitCode);

        var rendered = Chromium.DumpDom(page);

        Assert.Empty(rendered.ConsoleMessages);
        Assert.DoesNotContain("<script", rendered.Dom, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>", rendered.Dom, StringComparison.Ordinal);
    }

    [Fact]
    public void The_console_check_fails_on_a_page_with_a_script_error_or_a_blocked_load()
    {
        var broken = temp.Write("broken.html", "<!DOCTYPE html><html><body><p>x</p><script>notAFunction();</script></body></html>");
        var loading = temp.Write("loading.html", $"""
            <!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{Collector.Workstation.Report.ReportPage.ContentSecurityPolicy}"></head>
            <body><img src="http://127.0.0.1:9/logo.png"></body></html>
            """);

        var scriptError = Chromium.DumpDom(broken);
        var blockedLoad = Chromium.DumpDom(loading);

        Assert.Contains(scriptError.ConsoleMessages, m => m.Contains("notAFunction is not defined", StringComparison.Ordinal));
        Assert.Contains(blockedLoad.ConsoleMessages, m => m.Contains("Content Security Policy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_hub_renders_a_page_that_says_so()
    {
        using (Collector.Workstation.Hub.HubStore.Open(hub.Path, TimeProvider.System))
        {
        }

        var page = temp.File("report.html");
        Assert.Equal(0, (await Cli.RunAsync("report", "--hub", hub.Path, "--out", page)).ExitCode);

        var rendered = Chromium.DumpDom(page);

        Assert.Empty(rendered.ConsoleMessages);
        Assert.Contains("This hub holds no devices yet", rendered.Dom, StringComparison.Ordinal);
    }

    /// <summary>Width and height from a PNG's IHDR chunk (big-endian, at bytes 16 and 20).</summary>
    private static (int, int) PngSize(byte[] png) =>
        (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
}
