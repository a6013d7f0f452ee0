using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Tests.Sync;
using Collector.Workstation.Tests.Tables;

namespace Collector.Workstation.Tests.Commands;

/// <summary>stick clear --uploaded against a real table service (Azurite): the table is asked, not the hub's memory.</summary>
public sealed class StickClearUploadedTests(Azurite azurite) : IClassFixture<Azurite>, IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-2);
    private readonly TempDirectory temp = new();
    private readonly string table = Azurite.NewTableName("clr");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Only_captures_of_devices_whose_newest_capture_the_table_holds_are_removed()
    {
        TestTables.Create(azurite, table);
        var stick = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        var hub = temp.File("hub.db");
        Assert.Equal(0, (await Cli.RunAsync("sync", stick, "--hub", hub, "--table", azurite.ConnectionString, "--table-name", table)).ExitCode);
        using (var store = StickStore.OpenExisting(TestSticks.Database(stick)))
        {
            store.Append(TestCaptures.Draft(2, DateTimeOffset.UtcNow.AddMinutes(-2))); // newer than the table's, merged but not uploaded
            store.Append(TestCaptures.Draft(4, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }

        Assert.Equal(0, (await Cli.RunAsync("sync", stick, "--hub", hub)).ExitCode);

        var result = await Cli.RunAsync("stick", "clear", stick, "--hub", hub, "--uploaded", "--table", azurite.ConnectionString, "--table-name", table);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("removed 2 capture(s) of 2 device(s), kept 3.", result.Out, StringComparison.Ordinal);
        Assert.Contains("  removed  #1, #3", result.Out, StringComparison.Ordinal);
        Assert.Contains("  kept     #2 CLT-0000002: the table does not hold its device's newest capture", result.Out, StringComparison.Ordinal);
        Assert.Contains("  kept     #5 CLT-0000004: the table does not hold its device's newest capture", result.Out, StringComparison.Ordinal);
        using var left = StickStore.OpenExisting(TestSticks.Database(stick));
        Assert.Equal([2L, 4L, 5L], left.ReadCaptures().Select(c => c.StickSequence));
    }

    [Fact]
    public async Task A_device_whose_row_was_deleted_from_the_table_since_the_hub_uploaded_it_stays()
    {
        var client = TestTables.Create(azurite, table);
        var stick = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        var hub = temp.File("hub.db");
        await Cli.RunAsync("sync", stick, "--hub", hub, "--table", azurite.ConnectionString, "--table-name", table);
        await client.DeleteEntityAsync(TestCaptures.Tenant.ToString("D"), "CLT-0000002");

        var result = await Cli.RunAsync("stick", "clear", stick, "--hub", hub, "--uploaded", "--table", azurite.ConnectionString, "--table-name", table);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  kept     #2 CLT-0000002: the table does not hold its device's newest capture", result.Out, StringComparison.Ordinal);
        using var left = StickStore.OpenExisting(TestSticks.Database(stick));
        Assert.Equal([2L], left.ReadCaptures().Select(c => c.StickSequence));
    }

    [Fact]
    public async Task A_table_sas_without_read_is_refused_before_anything_is_sent()
    {
        TestTables.Create(azurite, table);
        var stick = TestSticks.Create(temp.File("stick"), Day, TestSticks.Samples(1, 1, Day.AddHours(1)));
        var hub = temp.File("hub.db");
        await Cli.RunAsync("sync", stick, "--hub", hub);
        var sas = TestTables.AccountSasUrl(azurite, table, Azure.Data.Tables.Sas.TableAccountSasPermissions.Add, DateTimeOffset.UtcNow.AddHours(1));

        var result = await Cli.RunAsync("stick", "clear", stick, "--hub", hub, "--uploaded", "--table", sas);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("lacks r (read)", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(TestTables.Signature(sas), result.Error, StringComparison.Ordinal);
        using var left = StickStore.OpenExisting(TestSticks.Database(stick));
        Assert.Single(left.ReadCaptures());
    }
}
