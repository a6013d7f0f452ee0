using System.Diagnostics;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Testing;

namespace Collector.Stick.Tests.Commands;

/// <summary>
/// collect against what a hostile or unlucky world hands it: a damaged stick database, settings
/// and options that could not travel to the table or to Intune's CSV, device text that would
/// steer the terminal, a folder or a FIFO where a file belongs.
/// </summary>
public sealed class CaptureHostileInputTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TestStick stick = new();

    public void Dispose() => stick.Dispose();

    [Fact]
    public async Task A_database_that_fails_quick_check_is_refused_and_not_added_to()
    {
        stick.Seed(Enumerable.Range(1, 30).ToArray());
        var pages = StickPages.Read(stick.Paths.Database);
        // A leaf in the middle: collect's insert never reads it (it goes down to the last leaf).
        var page = Enumerable.Range(1, pages.PageCount).First(p => pages.KindOf(p) == PageKind.CaptureLeaf && !pages.CapturesOn(p).Contains(pages.Captures[^1]));
        StickPages.DamagePage(stick.Paths.Database, page, pages.PageSize, StickPages.Damage.Zeros, new Random(5));
        var before = stick.DatabaseDigest();
        var report = stick.WriteReport(HashBuilder.Sample(31));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains("the stick's database is damaged", result.Error, StringComparison.Ordinal);
        Assert.Contains("sync it at a desk, then run 'collector stick init --force'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SAVED", result.Out, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task A_group_tag_a_spreadsheet_would_run_as_a_formula_is_refused_at_capture()
    {
        var report = stick.WriteReport(HashBuilder.Sample(1));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, "--group-tag", "=2+5");

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("begins with '='", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task A_site_longer_than_the_table_takes_is_refused_at_capture()
    {
        var report = stick.WriteReport(HashBuilder.Sample(1));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, "--site", new string('s', 100_000));

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("site is 100,000 characters; Azure Table storage takes at most 32,768", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task Stick_json_with_a_setting_twice_in_different_case_is_refused()
    {
        stick.WriteSettingsText($$"""{ "tenantId": "{{Tenant}}", "TENANTID": "0f6f2c1a-3e2b-4c5d-8e9f-a0b1c2d3e4f5" }""");
        var report = stick.WriteReport(HashBuilder.Sample(1));

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("\"tenantId\" appears twice", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task Control_characters_in_a_devices_serial_and_model_are_shown_escaped()
    {
        var report = stick.WriteReport(new HashBuilder { Serial = "EVIL\u001b[2J\u0007", Model = "Book\u009b\u202e" });

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);
        var list = await stick.RunAsync("list");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(@"Serial       EVIL\x1b[2J\x07", result.Out, StringComparison.Ordinal);
        Assert.Contains(@"Book\x9b\u202e", result.Out, StringComparison.Ordinal);
        Assert.Contains(@"EVIL\x1b[2J", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Out + list.Out, c => DisplayText.IsUnsafe(c) && c is not '\n' and not '\r');
    }

    [Fact]
    public async Task An_all_zero_tenant_is_called_empty_not_malformed()
    {
        var report = stick.WriteReport(HashBuilder.Sample(1));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Guid.Empty.ToString("D"));

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("is the empty GUID, not a tenant", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not a GUID", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_given_as_the_oa3_report_is_called_a_folder()
    {
        var folder = stick.Scratch("reports-folder");
        Directory.CreateDirectory(folder);

        var result = await stick.RunAsync("--oa3-report", folder, "--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"{folder} is a folder, not a file", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_given_as_the_oa3_report_is_refused_at_once_instead_of_waiting_for_a_writer()
    {
        var fifo = stick.Scratch("OA3.fifo");
        Process.Start("mkfifo", fifo).WaitForExit();

        var run = Task.Run(() => stick.RunAsync("--oa3-report", fifo, "--tenant", Tenant));
        var answered = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20))) == run;
        if (!answered)
        {
            using (File.OpenWrite(fifo))
            {
                // a writer releases the reader that waits for one, so the test ends either way
            }
        }

        var result = await run;

        Assert.True(answered, "collect waited for a writer on the FIFO");
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"{fifo} is not a regular file", result.Error, StringComparison.Ordinal);
    }
}
