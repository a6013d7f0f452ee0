using System.Text.Json;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.Stick.Tests.Commands;

public sealed class ListCommandTests : IDisposable
{
    private readonly TestStick stick = new();

    public void Dispose() => stick.Dispose();

    [Fact]
    public async Task List_shows_one_row_per_device_with_its_newest_capture()
    {
        using (var store = StickStore.Open(stick.Paths.Database, Guid.NewGuid(), stick.Clock))
        {
            store.Append(TestCaptures.Draft(1, TestStick.Now, groupTag: "Old"));
            store.Append(TestCaptures.Draft(2, TestStick.Now));
            store.Append(TestCaptures.Draft(1, TestStick.Now.AddMinutes(3), groupTag: "New"));
        }

        var result = await stick.RunAsync("list");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.TrimEnd().Split('\n');
        Assert.StartsWith("2 device(s), 3 capture(s) on this stick", lines[0], StringComparison.Ordinal);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^\s+3  2026-11-27 09:33  CLT-0000001\s+Fabrikam, Fabrikam Pro 13\s+yes  -\s+New", lines[2]);
        Assert.Matches(@"^\s+2  2026-11-27 09:30  CLT-0000002\s+Northwind, Northwind Desk 5\s+yes", lines[3]);
        Assert.DoesNotContain("Old", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_json_prints_an_array_of_devices()
    {
        stick.Seed(1, 2, 1);

        var result = await stick.RunAsync("list", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var devices = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["CLT-0000001", "CLT-0000002"], devices.Select(d => d.GetProperty("deviceKey").GetString()));
        Assert.Equal(3, devices[0].GetProperty("stickSequence").GetInt64());
        Assert.Equal(
            ["deviceKey", "serial", "manufacturer", "model", "tpm", "tenantId", "groupTag", "assignedUser", "capturedAt", "stickSequence", "captureId", "method", "flags", "collectArchitecture"],
            devices[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task List_on_a_stick_with_nothing_captured_says_so_and_creates_nothing()
    {
        var plain = await stick.RunAsync("list");
        var json = await stick.RunAsync("list", "--json");

        Assert.Equal((0, "No captures on this stick yet."), (plain.ExitCode, plain.Out.Trim()));
        Assert.Equal((0, "[]"), (json.ExitCode, json.Out.Trim()));
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task List_refuses_a_foreign_database_and_leaves_it_alone()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(stick.Paths.Database)!);
        File.WriteAllText(stick.Paths.Database, "not a database at all, just text that is long enough" + new string('x', 200));
        var before = stick.DatabaseDigest();

        var result = await stick.RunAsync("list");

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains("not a SQLite database", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task List_accepts_stick_after_the_subcommand()
    {
        stick.Seed(4);

        var result = await stick.RunOnStickAsync("list", "--stick", stick.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(HashBuilder.Sample(4).Serial, result.Out, StringComparison.Ordinal);
    }
}
