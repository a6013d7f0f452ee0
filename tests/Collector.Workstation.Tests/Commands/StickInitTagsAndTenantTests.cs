using System.Security.Cryptography;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Tests.Sticks;
using Collector.Workstation.Tests.Sync;

namespace Collector.Workstation.Tests.Commands;

/// <summary>stick init with several group tags, and a stick that moves to another tenant only once cleared.</summary>
public sealed class StickInitTagsAndTenantTests : IDisposable
{
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";
    private const string NewTenant = "0f6f2c1a-3e2b-4c5d-8e9f-a0b1c2d3e4f5";
    private readonly TempDirectory temp = new();
    private readonly string image;
    private readonly string stick;

    public StickInitTagsAndTenantTests()
    {
        image = TestStickImage.Create(temp);
        stick = temp.File("stick");
        Directory.CreateDirectory(stick);
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Group_tag_given_several_times_makes_the_sticks_list_in_that_order()
    {
        var result = await Init(Tenant, "--group-tag", "Kiosk", "--group-tag", " Standard ", "--group-tag", "Shared Desk");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Kiosk", "Standard", "Shared Desk"], StickSettings.Read(StickSettings.PathOn(stick))!.GroupTags);
        Assert.Contains("  group tags   1 Kiosk, 2 Standard, 3 Shared Desk (collect asks which; Collect N chooses)", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kiosk", "Kiosk", "group tag 'Kiosk' is given twice")]
    [InlineData("Kiosk", "KIOSK", "group tag 'KIOSK' is given twice")]
    [InlineData("Kiosk", "", "a group tag is empty")]
    [InlineData("Kiosk", "   ", "a group tag is empty")]
    [InlineData("Kiosk", "Lobby,East", "holds a comma")]
    public async Task A_repeated_empty_or_unwritable_tag_is_refused_and_nothing_is_written(string first, string second, string why)
    {
        var result = await Init(Tenant, "--group-tag", first, "--group-tag", second);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains(why, result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(stick));
    }

    [Fact]
    public async Task More_tags_than_one_key_can_choose_are_refused()
    {
        var tags = Enumerable.Range(1, 10).SelectMany(i => new[] { "--group-tag", $"T{i}" }).ToArray();

        var result = await Init(Tenant, tags);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("10 group tags; a stick offers at most 9", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Force_without_group_tag_keeps_the_list_and_with_it_replaces_the_list()
    {
        await Init(Tenant, "--group-tag", "A", "--group-tag", "B");

        await Init(Tenant, "--force");
        var kept = StickSettings.Read(StickSettings.PathOn(stick))!.GroupTags;
        await Init(Tenant, "--force", "--group-tag", "C");

        Assert.Equal(["A", "B"], kept);
        Assert.Equal(["C"], StickSettings.Read(StickSettings.PathOn(stick))!.GroupTags);
    }

    [Fact]
    public async Task A_stick_holding_captures_of_its_tenant_is_not_moved_to_another_even_with_force()
    {
        await Init(Tenant);
        Capture(1, 2);
        var before = Snapshot();

        var result = await Init(NewTenant, "--force");

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"holds captures of tenant {Tenant}: a stick changes tenant only once it is empty", result.Error, StringComparison.Ordinal);
        Assert.Contains("collector stick clear", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task After_a_clear_that_emptied_it_force_moves_the_stick_to_another_tenant_keeping_its_id()
    {
        await Init(Tenant);
        Capture(1, 2);
        var hub = temp.File("hub.db");
        var stickId = StickStore.Peek(TestSticks.Database(stick)).Info.StickId;
        Assert.Equal(0, (await Cli.RunAsync("sync", stick, "--hub", hub)).ExitCode);
        var clear = await Cli.RunAsync("stick", "clear", stick, "--hub", hub);

        var result = await Init(NewTenant, "--force");

        Assert.Equal(0, clear.ExitCode);
        Assert.Equal(0, result.ExitCode);
        var settings = StickSettings.Read(StickSettings.PathOn(stick))!;
        Assert.Equal((Guid.Parse(NewTenant), stickId), (settings.TenantId, settings.StickId));
        Assert.Equal(stickId, StickStore.Peek(TestSticks.Database(stick)).Info.StickId);
    }

    [Fact]
    public async Task Force_with_the_same_tenant_is_still_fine_on_a_stick_with_captures()
    {
        await Init(Tenant);
        Capture(1);

        var result = await Init(Tenant, "--force");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, StickStore.Peek(TestSticks.Database(stick)).Captures);
    }

    private void Capture(params int[] samples)
    {
        using var store = StickStore.OpenExisting(TestSticks.Database(stick));
        foreach (var sample in samples)
        {
            store.Append(TestCaptures.Draft(sample, DateTimeOffset.UtcNow.AddMinutes(-sample)));
        }
    }

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.EnumerateFiles(stick, "*", SearchOption.AllDirectories).ToDictionary(f => f, f => SHA256.HashData(File.ReadAllBytes(f)));

    private Task<CliResult> Init(string tenant, params string[] extra) =>
        Cli.RunAsync(["stick", "init", stick, "--tenant", tenant, "--image", image, .. extra]);
}
