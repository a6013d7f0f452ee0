using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tests.Commands;
using Collector.Workstation.Tests.Csv;

namespace Collector.Workstation.Tests.Report;

public sealed class ReportCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();
    private readonly TestHub hub;

    public ReportCommandTests() => hub = new TestHub(temp, new ManualClock(Day));

    public void Dispose() => temp.Dispose();

    /// <summary>The ids of every chart and table a report of a hub with devices holds.</summary>
    public static readonly string[] ChartIds = ["per-day-chart", "sites-chart", "technicians-chart", "states-chart", "models-chart"];

    public static readonly string[] TableIds = ["sites-table", "technicians-table", "states-table", "models-table", "flags-table", "sticks-table"];

    [Fact]
    public async Task The_report_is_one_page_with_every_chart_and_table_and_nothing_to_load()
    {
        ReportHubs.FillSmall(hub, Day);
        var page = temp.File("report.html");

        var result = await Cli.RunAsync("report", "--hub", hub.Path, "--out", page);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"Report: {page} (5 devices, 7 captures,", result.Out, StringComparison.Ordinal);
        var html = File.ReadAllText(page);
        Assert.All(ChartIds, id => Assert.Contains($"<svg id=\"{id}\"", html, StringComparison.Ordinal));
        Assert.All(TableIds, id => Assert.Contains($"<table id=\"{id}\"", html, StringComparison.Ordinal));
        Assert.Contains("<table id=\"flagged-1-history\" class=\"history\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["http://www.w3.org/2000/svg"], System.Text.RegularExpressions.Regex.Matches(html, "https?://[^\"' <]+").Select(m => m.Value).Distinct());
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
        Assert.False(File.Exists(page + ".partial"));
    }

    [Fact]
    public async Task Text_from_devices_and_people_is_escaped_so_a_script_in_a_serial_is_only_text()
    {
        hub.Merge(TestHub.Draft(new HashBuilder { Serial = "<script>alert(1)</script>", Tpm = false, Model = "<img src=x onerror=alert(2)>" }, Day,
            technician: "Sam \"&\" <b>Kim</b>", site: "Leeds'><svg onload=alert(3)>"));
        var page = temp.File("report.html");

        var result = await Cli.RunAsync("report", "--hub", hub.Path, "--out", page);

        Assert.True(result.ExitCode == 0, result.ToString());
        var html = File.ReadAllText(page);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Sam &quot;&amp;&quot; &lt;b&gt;Kim&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>Kim", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg onload", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_hub_makes_a_report_that_says_so_and_exits_0()
    {
        using (HubStore.Open(hub.Path, TimeProvider.System))
        {
        }

        var page = temp.File("report.html");

        var result = await Cli.RunAsync("report", "--hub", hub.Path, "--out", page);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("the hub holds no devices yet", result.Out, StringComparison.Ordinal);
        var html = File.ReadAllText(page);
        Assert.Contains("<p id=\"empty\"", html, StringComparison.Ordinal);
        Assert.Contains("This hub holds no devices yet", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_into_a_missing_folder_exits_3_and_writes_nothing()
    {
        ReportHubs.FillSmall(hub, Day);
        var page = temp.File("no-such-folder", "report.html");

        var result = await Cli.RunAsync("report", "--hub", hub.Path, "--out", page);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"cannot write the report {page}: the folder {temp.File("no-such-folder")} does not exist", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.File("no-such-folder")));
    }

    [Fact]
    public async Task Out_into_a_read_only_folder_exits_3_and_leaves_it_empty()
    {
        ReportHubs.FillSmall(hub, Day);
        var folder = temp.File("read-only");
        using var mount = new TmpfsMount(folder, 1024, readOnly: true);

        var result = await Cli.RunAsync("report", "--hub", hub.Path, "--out", Path.Combine(folder, "report.html"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Read-only file system", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task A_hub_that_does_not_exist_exits_3_and_no_page_is_left()
    {
        var page = temp.File("report.html");

        var result = await Cli.RunAsync("report", "--hub", temp.File("nowhere.db"), "--out", page);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no hub at", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(temp.Path, "report.html*"));
    }

    [Fact]
    public async Task A_report_over_a_page_that_exists_replaces_it_whole()
    {
        ReportHubs.FillSmall(hub, Day);
        var page = temp.Write("report.html", "an old report");

        var result = await Cli.RunAsync("report", "--hub", hub.Path, "--out", page);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(page), StringComparison.Ordinal);
    }
}
