using System.Text.Json;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tests.Commands;

/// <summary>
/// <c>collector status</c> counts the hub's "waiting for upload" against the table sync would
/// upload to: COLLECTOR_TABLE, as sync takes it. Nothing is asked of the table itself.
/// </summary>
public sealed class StatusUploadTableTests : IDisposable
{
    private const string Synced = "UseDevelopmentStorage=true";
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);

    // What sync records for a connection string to Azurite's well-known endpoint and the default table.
    private const string SyncedAddress = "http://127.0.0.1:10002/devstoreaccount1/autopilothashes";

    private readonly TempDirectory temp = new();

    public StatusUploadTableTests()
    {
        var clock = new ManualClock(Day);
        using var stick = StickStore.Open(temp.File("stick.db"), Guid.NewGuid(), clock);
        stick.Append(TestCaptures.Draft(1, Day.AddHours(1)));
        stick.Append(TestCaptures.Draft(2, Day.AddHours(2)));
        var unpadded = HashCodec.Check(new HashBuilder { Serial = "CLT-UNPADDED", Length = 2999 }.Build().TrimEnd('=')).Hash!;
        stick.Append(TestCaptures.Draft(3, Day.AddHours(3)) with { Hash = unpadded });
        clock.Advance(TimeSpan.FromDays(1));
        using var hub = HubStore.Open(Hub, clock);
        hub.Merge(stick, "/media/stick");
        hub.UseUploadTarget(SyncedAddress);
        var uploaded = hub.WaitingForUpload(TestCaptures.Tenant, null, 10).Take(2);
        hub.RecordUploads([.. uploaded.Select(p => new UploadRecord(p.DeviceId, p.Newest.Capture.CaptureId, "W/\"etag\""))]);
    }

    private string Hub => temp.File("hub.db");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task With_collector_table_naming_the_table_the_hub_uploaded_to_the_hub_s_upload_state_counts()
    {
        var result = await Cli.RunAsync(new Dictionary<string, string> { ["COLLECTOR_TABLE"] = Synced }, "status", "--hub", Hub, "--json");
        var text = await Cli.RunAsync(new Dictionary<string, string> { ["COLLECTOR_TABLE"] = Synced }, "status", "--hub", Hub);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal((1, SyncedAddress), (Tenant(result).GetProperty("waitingForUpload").GetInt64(), UploadTable(result)));
        Assert.Contains("Uploads: counted against table 'autopilothashes' (connection string) (COLLECTOR_TABLE)", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_collector_table_naming_another_table_every_device_waits_as_sync_would_upload_every_one()
    {
        var environment = new Dictionary<string, string> { ["COLLECTOR_TABLE"] = Synced };

        var result = await Cli.RunAsync(environment, "status", "--hub", Hub, "--table-name", "elsewhere", "--json");
        var text = await Cli.RunAsync(environment, "status", "--hub", Hub, "--table-name", "elsewhere");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal((3, "http://127.0.0.1:10002/devstoreaccount1/elsewhere"), (Tenant(result).GetProperty("waitingForUpload").GetInt64(), UploadTable(result)));
        Assert.Contains("which this hub has not uploaded to: sync would upload every device there", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_collector_table_the_table_the_hub_last_uploaded_to_counts_and_is_named()
    {
        var result = await Cli.RunAsync("status", "--hub", Hub, "--json");
        var text = await Cli.RunAsync("status", "--hub", Hub);

        Assert.Equal((1, SyncedAddress), (Tenant(result).GetProperty("waitingForUpload").GetInt64(), UploadTable(result)));
        Assert.Contains($"Uploads: counted against {SyncedAddress}, the table this hub last uploaded to (COLLECTOR_TABLE is not set)", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_collector_table_status_cannot_use_is_exit_2_as_for_sync()
    {
        var result = await Cli.RunAsync(new Dictionary<string, string> { ["COLLECTOR_TABLE"] = "not a table" }, "status", "--hub", Hub);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("neither a URL", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_with_an_unpadded_hash_is_flagged_for_being_short_not_for_its_padding()
    {
        var before = await Cli.RunAsync("status", "--hub", Hub, "--json");
        // Unpadded base64 always holds fewer than 3,000 bytes (3,000 is a whole number of quads), so
        // the merge flags such a hash truncated too; with that warning gone only the note is left.
        HubFile.Execute(Hub, "UPDATE captures SET flags = 'unpadded-input' WHERE flags LIKE '%unpadded-input%'");

        var after = await Cli.RunAsync("status", "--hub", Hub, "--json");

        Assert.Equal((3, 1), (Tenant(before).GetProperty("devices").GetInt64(), Tenant(before).GetProperty("flagged").GetInt64()));
        Assert.Equal((3, 0), (Tenant(after).GetProperty("devices").GetInt64(), Tenant(after).GetProperty("flagged").GetInt64()));
    }

    private static JsonElement Tenant(CliResult result) =>
        Assert.Single(JsonDocument.Parse(result.Out).RootElement.GetProperty("tenants").EnumerateArray()).Clone();

    private static string? UploadTable(CliResult result) =>
        JsonDocument.Parse(result.Out).RootElement.GetProperty("uploadTable").GetString();
}
