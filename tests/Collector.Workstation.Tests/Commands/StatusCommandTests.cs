using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tests.Commands;

public sealed class StatusCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Status_counts_devices_waiting_and_flagged_per_tenant_and_lists_sticks()
    {
        var clock = new ManualClock(Day);
        using (var stick = StickStore.Open(temp.File("stick", "collector", "data", "captures.db"), Guid.NewGuid(), clock))
        {
            stick.Append(TestCaptures.Draft(1, Day.AddHours(1)));
            stick.Append(TestCaptures.Draft(new HashBuilder { Serial = "CLT-NOTPM", Tpm = false }, Day.AddHours(2)));
            stick.Append(TestCaptures.Draft(2, Day.AddHours(3), tenant: TestCaptures.OtherTenant));
            clock.Advance(TimeSpan.FromDays(1));
            using var hub = HubStore.Open(temp.File("hub.db"), clock);
            hub.Merge(stick, "/media/stick");
        }

        var result = await Cli.RunAsync("status", "--hub", temp.File("hub.db"), "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var tenants = json.RootElement.GetProperty("tenants").EnumerateArray().ToList();
        Assert.Equal([TestCaptures.OtherTenant.ToString("D"), TestCaptures.Tenant.ToString("D")], tenants.Select(t => t.GetProperty("tenantId").GetString()));
        var main = tenants[1];
        Assert.Equal((2, 2, 2, 1), (main.GetProperty("devices").GetInt64(), main.GetProperty("waitingForUpload").GetInt64(),
            main.GetProperty("waitingForExport").GetInt64(), main.GetProperty("flagged").GetInt64()));
        var stickRow = Assert.Single(json.RootElement.GetProperty("sticks").EnumerateArray());
        Assert.Equal(3, stickRow.GetProperty("captures").GetInt64());
        Assert.Equal("/media/stick", stickRow.GetProperty("lastPath").GetString());
    }

    [Fact]
    public async Task Status_of_a_hub_that_does_not_exist_says_so_and_creates_nothing()
    {
        var result = await Cli.RunAsync("status", "--hub", temp.File("new", "hub.db"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no hub at", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("new", "hub.db")));
    }

    [Fact]
    public async Task Status_of_an_empty_hub_says_what_to_do()
    {
        using (HubStore.Open(temp.File("hub.db"), TimeProvider.System))
        {
        }

        var result = await Cli.RunAsync("status", "--hub", temp.File("hub.db"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("no devices yet", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hub_and_table_together_are_a_usage_error()
    {
        var result = await Cli.RunAsync("status", "--hub", temp.File("hub.db"), "--table", "UseDevelopmentStorage=true");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("give one of them", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_file_that_is_not_a_hub_exits_3()
    {
        var path = temp.Write("notes.db", "not a database at all, just text that is long enough to have a header......................................");

        var result = await Cli.RunAsync("status", "--hub", path);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("not a SQLite database", result.Error, StringComparison.Ordinal);
    }
}
