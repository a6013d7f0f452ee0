using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// A stick with several group tags, laid out by the published collector and run through its own
/// Collect.cmd by the published collect.exe under Wine: <c>Collect 2</c> chooses the second tag
/// without asking, a number not on the list saves nothing, and with no key to read (stdin is not
/// a console) collect says how to choose instead of guessing.
/// </summary>
[Collection(WineCollection.Name)]
public sealed class WineGroupTagTests : IDisposable
{
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";
    private readonly Wine wine;
    private readonly TempDirectory temp = new("collect-wine-tags-");
    private readonly string stick;
    private readonly string report;

    public WineGroupTagTests(Wine wine)
    {
        this.wine = wine;
        stick = temp.File("stick");
        Directory.CreateDirectory(stick);
        var init = Programs.Run(Release.Collector,
            ["stick", "init", stick, "--tenant", Tenant, "--group-tag", "Kiosk", "--group-tag", "Standard", "--group-tag", "Shared", "--technician", "ci"]);
        Assert.True(init.ExitCode == 0, init.ToString());
        report = temp.Write("OA3.xml", SampleDevices.Oa3Report(SampleDevices.All[3].Builder.Build()));
    }

    public void Dispose() => temp.Dispose();

    private string Database => Path.Combine(stick, "collector", "data", "captures.db");

    [Fact]
    public void Collect_2_takes_the_second_tag_on_the_sticks_list_without_asking_and_it_reaches_the_csv()
    {
        var collect = Collect("2", "--oa3-report", Wine.WindowsPath(report));
        var sync = Programs.Run(Release.Collector, ["sync", stick, "--hub", temp.File("hub.db")]);
        var export = Programs.Run(Release.Collector, ["export", "--hub", temp.File("hub.db"), "--out", temp.File("csv")]);

        Assert.True(collect.ExitCode == 0, collect.ToString());
        Assert.Contains("Group tag    Standard", collect.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Group tag for this device", collect.Out + collect.Error, StringComparison.Ordinal);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.True(export.ExitCode == 0, export.ToString());
        var csv = Assert.Single(Directory.GetFiles(temp.File("csv"), "*.csv"));
        Assert.EndsWith(",Standard\r\n", File.ReadAllText(csv), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("0")]
    public void A_number_not_on_the_list_exits_2_and_saves_nothing(string number)
    {
        var before = Digest();

        var collect = Collect(number, "--oa3-report", Wine.WindowsPath(report));

        Assert.Equal(2, collect.ExitCode);
        Assert.Contains("is not a group tag on this stick: choose 1 to 3 (1 Kiosk, 2 Standard, 3 Shared)", collect.Error, StringComparison.Ordinal);
        Assert.Equal(before, Digest());
        Assert.Equal(0, StickStore.Peek(Database).Captures);
    }

    [Fact]
    public void With_no_key_to_read_collect_exits_2_saying_how_to_choose_and_saves_nothing()
    {
        var before = Digest();

        var collect = Collect("--oa3-report", Wine.WindowsPath(report));

        Assert.Equal(2, collect.ExitCode);
        Assert.Contains("pass the tag's number (Collect 2) or --group-tag NAME", collect.Error, StringComparison.Ordinal);
        Assert.Equal(before, Digest());
        Assert.Equal(0, StickStore.Peek(Database).Captures);
    }

    [Fact]
    public void The_technicians_sheet_the_release_puts_on_the_stick_explains_the_tag_choice_and_collect_n()
    {
        var sheet = File.ReadAllText(Path.Combine(stick, "README-TECHNICIAN.txt"));

        Assert.Contains("GROUP TAG CHOICE", sheet, StringComparison.Ordinal);
        Assert.Contains(@"D:\Collect 2     saves this device with tag 2.", sheet, StringComparison.Ordinal);
        Assert.Contains("No key for 60 seconds: 1 is taken", sheet, StringComparison.Ordinal);
    }

    // stick init made the empty stick database: nothing saved leaves it byte for byte as it was.
    private string Digest() => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Database)));

    private ProcessResult Collect(params string[] args) =>
        wine.Run(["cmd", "/c", Wine.WindowsPath(Path.Combine(stick, "Collect.cmd")), .. args]);
}
