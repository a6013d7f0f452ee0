using System.Security.Cryptography;
using Collector.Core.Captures;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Sticks;
using Collector.Workstation.Tests.Sticks;

namespace Collector.Workstation.Tests.Commands;

public sealed class StickInitCommandTests : IDisposable
{
    private const string Tenant = "5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01";
    private readonly TempDirectory temp = new();
    private readonly string image;
    private readonly string stick;

    public StickInitCommandTests()
    {
        image = TestStickImage.Create(temp);

        stick = temp.File("stick");
        Directory.CreateDirectory(stick);
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_fresh_stick_gets_the_image_settings_with_a_new_stick_id_and_an_empty_database()
    {
        var result = await Init("--group-tag", "Warehouse7", "--site", "Bay 3", "--technician", "ana");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("WARNING", result.Out, StringComparison.Ordinal);
        foreach (var file in StickImage.RequiredFiles.Concat(StickImage.Arm64Files))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(image, file)), File.ReadAllBytes(Path.Combine(stick, file)));
        }

        var settings = StickSettings.Read(StickSettings.PathOn(stick))!;
        Assert.Equal(Guid.Parse(Tenant), settings.TenantId);
        Assert.Equal(("Warehouse7", "Bay 3", "ana"), (settings.GroupTags.Single(), settings.Site, settings.Technician));
        var (info, captures) = StickStore.Peek(Path.Combine(stick, "collector", "data", "captures.db"));
        Assert.Equal(settings.StickId, info.StickId);
        Assert.Equal(0, captures);
        Assert.Contains($"stick id     {info.StickId:D}", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stick_json_never_holds_a_secret_or_anything_but_the_five_settings()
    {
        await Init("--group-tag", "Sales");

        var json = File.ReadAllText(StickSettings.PathOn(stick));

        Assert.DoesNotContain("sig=", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey", json, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["groupTag", "site", "stickId", "technician", "tenantId"],
            System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Oa3tool_and_pcpksp_are_copied_into_the_tools_folder()
    {
        var oa3tool = temp.Write("adk/oa3tool.exe", Pe(2048));
        var pcpksp = temp.Write("sys32/PCPKsp.dll", Pe(1024));

        var result = await Init("--oa3tool", oa3tool, "--pcpksp", pcpksp);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllBytes(oa3tool), File.ReadAllBytes(Path.Combine(stick, "collector", "tools", "oa3tool.exe")));
        Assert.Equal(File.ReadAllBytes(pcpksp), File.ReadAllBytes(Path.Combine(stick, "collector", "tools", "PCPKsp.dll")));
        Assert.Contains("present (WinPE capture works)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oa3tool_that_is_not_a_windows_executable_is_refused_before_anything_is_written()
    {
        var fake = temp.Write("oa3tool.exe", "#!/bin/sh\necho not a PE file\n");

        var result = await Init("--oa3tool", fake);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not a Windows executable", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(stick));
    }

    [Fact]
    public async Task A_stick_with_captures_is_refreshed_only_with_force_and_its_captures_are_kept()
    {
        await Init("--group-tag", "Old");
        var db = Path.Combine(stick, "collector", "data", "captures.db");
        var settings = StickSettings.Read(StickSettings.PathOn(stick))!;
        using (var store = StickStore.Open(db, Guid.NewGuid(), TimeProvider.System))
        {
            store.Append(TestCaptures.Draft(1, DateTimeOffset.UtcNow, Guid.Parse(Tenant)));
        }

        var before = SHA256.HashData(File.ReadAllBytes(db));

        var refused = await Init("--group-tag", "New");
        var refreshed = await Init("--group-tag", "New", "--force");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("pass --force", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, refreshed.ExitCode);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(db)));
        var after = StickSettings.Read(StickSettings.PathOn(stick))!;
        Assert.Equal((settings.StickId, "New"), (after.StickId, after.GroupTags.Single()));
    }

    [Fact]
    public async Task Force_replaces_an_older_layout_in_place_and_keeps_the_captures_the_stick_id_and_the_tools()
    {
        // A stick laid out by an older release: a folder build (collect.exe among its DLLs) for
        // both architectures, an admin's oa3tool, and captures.
        await Init();
        var db = Path.Combine(stick, "collector", "data", "captures.db");
        var stickId = StickSettings.Read(StickSettings.PathOn(stick))!.StickId;
        using (var store = StickStore.Open(db, Guid.NewGuid(), TimeProvider.System))
        {
            store.Append(TestCaptures.Draft(1, DateTimeOffset.UtcNow, Guid.Parse(Tenant)));
        }

        foreach (var old in new[] { "x64/System.Management.dll", "x64/coreclr.dll", "x64/runtimes/win/lib/old.dll", "arm64/coreclr.dll" })
        {
            temp.Write(Path.Combine("stick", "collector", old), Pe(2048));
        }

        var oa3tool = temp.Write("stick/collector/tools/oa3tool.exe", Pe(2048));
        var before = SHA256.HashData(File.ReadAllBytes(db));
        var toolBefore = File.ReadAllBytes(oa3tool);
        File.Delete(Path.Combine(image, "collector", "arm64", "collect.exe"));

        var result = await Init("--force");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("old layout   6 file(s) of an older build removed", result.Out, StringComparison.Ordinal);
        Assert.Equal(StickImage.BuildFiles.Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(stick, "collector", "x64"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(stick, "collector", "x64"), f)).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(stick, "collector", "arm64")));
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(db)));
        Assert.Equal(stickId, StickSettings.Read(StickSettings.PathOn(stick))!.StickId);
        Assert.Equal(toolBefore, File.ReadAllBytes(oa3tool));
    }

    [Fact]
    public async Task A_folder_holding_another_sticks_captures_is_never_taken_over()
    {
        var db = Path.Combine(stick, "collector", "data", "captures.db");
        using (var store = StickStore.Open(db, Guid.NewGuid(), TimeProvider.System))
        {
            store.Append(TestCaptures.Draft(1, DateTimeOffset.UtcNow, Guid.Parse(Tenant)));
        }

        var before = SHA256.HashData(File.ReadAllBytes(db));

        var result = await Init("--force");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("holds 1 capture(s) of another stick", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(db)));
        Assert.False(File.Exists(StickSettings.PathOn(stick)));
    }

    [Fact]
    public async Task Force_repairs_a_stick_whose_stick_json_was_broken_by_hand_and_keeps_its_id_and_captures()
    {
        await Init("--group-tag", "Old");
        var db = Path.Combine(stick, "collector", "data", "captures.db");
        var stickId = StickSettings.Read(StickSettings.PathOn(stick))!.StickId;
        using (var store = StickStore.Open(db, Guid.NewGuid(), TimeProvider.System))
        {
            store.Append(TestCaptures.Draft(1, DateTimeOffset.UtcNow, Guid.Parse(Tenant)));
        }

        File.WriteAllText(StickSettings.PathOn(stick), "{ \"tenantId\": \"5b0c7e4e-8f1d-4c36\" ");
        var before = SHA256.HashData(File.ReadAllBytes(db));

        var refused = await Init();
        var repaired = await Init("--force");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("stick.json is malformed", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, repaired.ExitCode);
        Assert.Equal(stickId, StickSettings.Read(StickSettings.PathOn(stick))!.StickId);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(db)));
    }

    [Fact]
    public async Task A_database_left_empty_by_an_init_cut_short_is_adopted()
    {
        var db = Path.Combine(stick, "collector", "data", "captures.db");
        Guid leftover;
        using (var store = StickStore.Open(db, Guid.NewGuid(), TimeProvider.System))
        {
            leftover = store.Info.StickId;
        }

        var result = await Init();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(leftover, StickSettings.Read(StickSettings.PathOn(stick))!.StickId);
    }

    [Fact]
    public async Task A_path_that_does_not_exist_or_is_a_file_is_refused()
    {
        var missing = await Cli.RunAsync("stick", "init", temp.File("nope"), "--tenant", Tenant, "--image", image);
        var file = await Cli.RunAsync("stick", "init", temp.Write("file.txt", "x"), "--tenant", Tenant, "--image", image);

        Assert.Equal((2, 2), (missing.ExitCode, file.ExitCode));
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
        Assert.Contains("is a file", file.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_missing_a_build_is_refused_naming_the_missing_file()
    {
        File.Delete(Path.Combine(image, "collector", "x64", "collect.exe"));

        var result = await Init();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is missing collector/x64/collect.exe", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(stick));
    }

    [Fact]
    public async Task An_image_without_the_arm64_build_makes_a_stick_that_says_arm64_is_captured_through_x64_emulation_on_windows_11()
    {
        Directory.Delete(Path.Combine(image, "collector", "arm64"), recursive: true);

        var result = await Init();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  ARM64        captured through x64 emulation on Windows 11 (no collector/arm64/collect.exe in the image", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot capture ARM64", result.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(stick, "collector", "arm64", "collect.exe")));
        Assert.True(File.Exists(Path.Combine(stick, "collector", "x64", "collect.exe")));
    }

    [Fact]
    public async Task A_tenant_that_is_not_a_guid_is_refused()
    {
        var result = await Cli.RunAsync("stick", "init", stick, "--tenant", "contoso.onmicrosoft.com", "--image", image);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not a GUID", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_stick_is_a_storage_error()
    {
        using var exfat = new ExfatStick(16L * 1024 * 1024);
        exfat.Unmount();
        exfat.Mount(readOnly: true);

        var result = await Cli.RunAsync("stick", "init", exfat.MountPoint, "--tenant", Tenant, "--image", image);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("write-protected", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stick_without_room_is_refused_before_anything_is_written()
    {
        using var exfat = new ExfatStick(8L * 1024 * 1024);
        File.WriteAllBytes(Path.Combine(image, "collector", "x64", "collect.exe"), Pe(12 * 1024 * 1024));

        var result = await Cli.RunAsync("stick", "init", exfat.MountPoint, "--tenant", Tenant, "--image", image);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("MB free; the stick needs", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(exfat.MountPoint));
    }

    [Fact]
    public async Task A_stick_whose_database_is_damaged_is_refused_without_force_with_what_to_do()
    {
        await Init();
        var database = DamageADatabaseOf30Captures();
        var before = File.ReadAllBytes(database);

        var result = await Init();

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{database} is damaged (", result.Error, StringComparison.Ordinal);
        Assert.Contains("sync this stick at a desk first", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(database));
    }

    [Fact]
    public async Task Force_on_a_damaged_database_moves_it_aside_and_starts_a_fresh_one_under_the_same_stick_id()
    {
        await Init();
        var stickId = StickSettings.Read(StickSettings.PathOn(stick))!.StickId;
        var database = DamageADatabaseOf30Captures();
        var before = File.ReadAllBytes(database);

        var result = await Init("--force");

        Assert.Equal(0, result.ExitCode);
        var kept = Assert.Single(Directory.GetFiles(Path.Combine(stick, "collector", "damaged"), "captures-*.db"));
        Assert.Equal(before, File.ReadAllBytes(kept));
        Assert.Contains($"moved to {kept}", result.Out, StringComparison.Ordinal);
        using var fresh = StickStore.OpenExisting(database);
        Assert.Equal("ok", fresh.QuickCheck());
        Assert.Equal((stickId, 0L), (fresh.Info.StickId, fresh.CaptureCount()));
    }

    private string DamageADatabaseOf30Captures()
    {
        var database = Path.Combine(stick, "collector", "data", "captures.db");
        using (var store = StickStore.Open(database, Guid.NewGuid(), TimeProvider.System))
        {
            foreach (var sample in Enumerable.Range(1, 30))
            {
                store.Append(TestCaptures.Draft(sample, DateTimeOffset.UtcNow));
            }
        }

        var pages = StickPages.Read(database);
        var page = Enumerable.Range(1, pages.PageCount).First(p => pages.KindOf(p) == PageKind.CaptureLeaf && !pages.CapturesOn(p).Contains(pages.Captures[^1]));
        StickPages.DamagePage(database, page, pages.PageSize, StickPages.Damage.Zeros, new Random(6));
        return database;
    }

    private Task<CliResult> Init(params string[] extra) =>
        Cli.RunAsync(["stick", "init", stick, "--tenant", Tenant, "--image", image, .. extra]);

    private static byte[] Pe(int size) => TestStickImage.Pe(size);
}
