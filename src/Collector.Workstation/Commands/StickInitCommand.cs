using System.CommandLine;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Storage;
using Collector.Workstation.Sticks;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector stick init DIR --tenant GUID [--group-tag TAG]…</c>: lays a stick out from the
/// stick image (the published collect.exe builds, Collect.cmd, the technician README, OA3Tool
/// config), writes stick.json with a new stick id and the group tags a technician may give, and
/// creates the stick database. Never overwrites captures, never writes a secret, never moves a
/// stick that holds captures to another tenant (<c>collector stick clear</c> empties it first).
/// </summary>
public static class StickInitCommand
{
    public sealed record Options(
        string Directory, string Tenant, IReadOnlyList<string>? GroupTags, string? Site, string? Technician,
        string? Oa3Tool, string? PcpKsp, string? Image, bool Force);

    private const long Margin = 1024 * 1024;

    public static Command Create(WorkstationContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "The stick's root folder (its drive, e.g. E:\\ or /media/usb)." };
        var tenant = SharedOptions.Tenant("The Entra tenant id every capture on this stick belongs to.", required: true);
        var groupTags = SharedOptions.GroupTags(
            $"An Autopilot group tag for this stick's captures; give it once per tag (at most {StickSettings.MaxGroupTags}): with several, collect asks which.");
        var site = new Option<string>("--site") { Description = "Where the stick is used (kept with every capture)." };
        var technician = new Option<string>("--technician") { Description = "Who uses the stick (kept with every capture)." };
        var oa3tool = new Option<string>("--oa3tool") { Description = "oa3tool.exe from the Windows ADK, copied into collector\\tools (for WinPE)." };
        var pcpksp = new Option<string>("--pcpksp") { Description = "PCPKsp.dll from a Windows System32, copied into collector\\tools (TPM data in WinPE)." };
        var image = new Option<string>("--image") { Description = "The stick image to copy (default: the stick folder beside this collector)." };
        var force = new Option<bool>("--force") { Description = "Refresh the programs and settings of a stick initialised before (its captures are kept)." };
        var init = new Command("init", "Lay out a USB stick for capturing: programs, settings, an empty stick database.")
        {
            directory, tenant, groupTags, site, technician, oa3tool, pcpksp, image, force,
        };
        init.SetAction((parse, ct) => context.RunAsync(() => RunAsync(new Options(
            parse.GetValue(directory)!, parse.GetValue(tenant)!, parse.GetResult(groupTags) is null ? null : parse.GetValue(groupTags), parse.GetValue(site),
            parse.GetValue(technician), parse.GetValue(oa3tool), parse.GetValue(pcpksp), parse.GetValue(image),
            parse.GetValue(force)), context, ct)));
        return init;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, CancellationToken cancellationToken)
    {
        var tenant = CaptureRules.ParseTenant(options.Tenant, "--tenant");
        var tags = options.GroupTags is null ? null : CheckedTags(options.GroupTags);
        var root = StickRoot.Checked(options.Directory);
        var image = StickImage.Locate(options.Image);
        var extraTools = new[] { (options.Oa3Tool, StickLayout.Oa3ToolFile), (options.PcpKsp, StickLayout.PcpKspFile) }
            .Where(t => !string.IsNullOrWhiteSpace(t.Item1))
            .Select(t => (Source: CheckedExecutable(t.Item1!, t.Item2), Target: Path.Combine(StickLayout.ToolsOn(root), t.Item2)))
            .ToList();

        var settingsPath = StickSettings.PathOn(root);
        var databasePath = StickLayout.DatabaseOn(root);
        var existing = ReadSettings(settingsPath, options.Force, out var settingsUnreadable);
        if (StickStore.Exists(databasePath))
        {
            StickStore.RecoverJournal(databasePath); // a stick pulled mid-write is not damaged: its journal undoes the write
        }

        var damage = StickStore.Exists(databasePath) ? StickStore.Damage(databasePath) : null;
        if (damage is not null && !options.Force)
        {
            throw new StorageException(
                $"{databasePath} is damaged ({damage}): sync this stick at a desk first (sync salvages every capture it can still read), " +
                "then run stick init --force to put the damaged database aside and start a fresh one");
        }

        var stickId = damage is null
            ? DecideStickId(root, databasePath, existing, settingsUnreadable, options.Force)
            : existing?.StickId ?? Guid.CreateVersion7();
        if (damage is null)
        {
            RefuseAnotherTenant(root, databasePath, tenant);
        }

        var settings = new StickSettings
        {
            TenantId = tenant,
            GroupTags = tags ?? CheckedTags(existing?.GroupTags ?? []),
            Site = Checked(options.Site ?? existing?.Site ?? "", v => NameProblem("site", v)),
            Technician = Checked(options.Technician ?? existing?.Technician ?? "", v => NameProblem("technician", v)),
            StickId = stickId,
        };

        var copies = image.Files.Select(f => (Source: Path.Combine(image.Root, f), Target: Path.Combine(root, f))).Concat(extraTools).ToList();
        var stale = image.StaleFilesOn(root);
        EnsureRoom(root, copies, freed: stale.Sum(Length));
        cancellationToken.ThrowIfCancellationRequested();

        // An older layout's build files go first: they free their room, and none of them may be
        // left beside the new build (a folder build's DLLs would shadow nothing, but confuse).
        foreach (var file in stale)
        {
            Write(file, File.Delete);
        }

        RemoveEmptyFolder(Path.Combine(root, StickImage.Arm64Folder));
        foreach (var (source, target) in copies)
        {
            Write(target, destination => File.Copy(source, destination, overwrite: true));
        }

        // stick.json before the database: if the database cannot be made now, a rerun with
        // --force finds the stick id it must use; the other order would leave a database that
        // no stick.json names, which looks like another stick's.
        Write(settingsPath, settings.Write);
        var putAside = damage is null ? null : PutAside(root, databasePath, context.Clock);
        if (!StickStore.Exists(databasePath))
        {
            using var store = StickStore.Open(databasePath, stickId, context.Clock);
        }

        var o = context.Out;
        await o.WriteLineAsync($"Stick ready: {root}").ConfigureAwait(false);
        await o.WriteLineAsync($"  tenant       {tenant:D}").ConfigureAwait(false);
        await o.WriteLineAsync(settings.GroupTags.Count > 1
            ? $"  group tags   {string.Join(", ", settings.GroupTags.Select((t, i) => $"{i + 1} {t}"))} (collect asks which; Collect N chooses)"
            : $"  group tag    {(settings.GroupTags.Count == 1 ? settings.GroupTags[0] : "(none)")}").ConfigureAwait(false);
        await o.WriteLineAsync($"  stick id     {stickId:D}").ConfigureAwait(false);
        if (putAside is not null)
        {
            await o.WriteLineAsync($"  database     was damaged ({damage}): moved to {putAside}; a fresh one was made (sync the moved one to salvage its captures, if that was not done)").ConfigureAwait(false);
        }

        if (stale.Count > 0)
        {
            await o.WriteLineAsync($"  old layout   {stale.Count} file(s) of an older build removed from collector\\x64 and collector\\arm64").ConfigureAwait(false);
        }

        await o.WriteLineAsync($"  oa3tool      {(File.Exists(Path.Combine(StickLayout.ToolsOn(root), StickLayout.Oa3ToolFile)) ? "present (WinPE capture works)" : "absent (OOBE capture only; see collector\\tools\\README.txt)")}").ConfigureAwait(false);
        await o.WriteLineAsync(image.HasArm64
            ? "  ARM64        native build (collector\\arm64\\collect.exe)"
            : $"  ARM64        captured through x64 emulation on Windows 11 (no {StickImage.Arm64Build} in the image; Windows 10 on ARM and WinPE on ARM64 cannot be captured)").ConfigureAwait(false);

        await o.WriteLineAsync("Technicians: boot each device to OOBE, press Shift+F10, run D:\\Collect (README-TECHNICIAN.txt).").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>The tags as given, trimmed: each one Intune's CSV can carry, none empty, none twice (exit 2).</summary>
    private static List<string> CheckedTags(IReadOnlyList<string> given)
    {
        var tags = given.Select(t => t.Trim()).ToList();
        if (StickSettings.GroupTagsProblem(tags) is { } listProblem)
        {
            throw new InvalidInputException($"--group-tag: {listProblem}");
        }

        foreach (var tag in tags)
        {
            _ = Checked(tag, CaptureRules.GroupTagProblem);
        }

        return tags;
    }

    /// <summary>
    /// A stick holds one tenant's captures: re-initialising one that still holds captures of
    /// another tenant would mix them (and its device count with them). Sync and clear it first.
    /// </summary>
    private static void RefuseAnotherTenant(string root, string databasePath, Guid tenant)
    {
        if (!StickStore.Exists(databasePath))
        {
            return;
        }

        var others = StickStore.PeekTenants(databasePath).Where(t => t != tenant).ToList();
        if (others.Count > 0)
        {
            throw new InvalidInputException(
                $"{root} holds captures of tenant {string.Join(", ", others.Select(t => t.ToString("D")))}: a stick changes tenant only once it is empty. " +
                $"Sync it at a desk, run 'collector stick clear {root}', then stick init --force with the new tenant");
        }
    }

    private static string CheckedExecutable(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidInputException($"{path} (for {what}) is a folder, not a file: give the file itself");
        }

        if (!File.Exists(path))
        {
            throw new InvalidInputException($"{path} (for {what}) does not exist");
        }

        return PortableExecutable.Is(path)
            ? path
            : throw new InvalidInputException($"{path} is not a Windows executable (no PE header), so it cannot be {what}");
    }

    /// <summary>
    /// The stick's settings, if any. With <c>--force</c> a stick.json that cannot be read (a
    /// technician's edit gone wrong) is what is being repaired, so it counts as absent.
    /// </summary>
    private static StickSettings? ReadSettings(string path, bool force, out bool unreadable)
    {
        unreadable = false;
        try
        {
            return StickSettings.Read(path);
        }
        catch (InvalidInputException) when (force)
        {
            unreadable = true;
            return null;
        }
    }

    /// <summary>
    /// The stick id to write: a new one for a fresh stick; the existing one when refreshing a
    /// stick with <c>--force</c>, or when a database holds no capture yet (an init cut short). A
    /// folder whose captures belong to a stick its stick.json does not name (or that has no
    /// stick.json) is never taken over; with <c>--force</c> and a stick.json that cannot be read,
    /// the database's own stick id is kept (the stick lost its settings, not its identity).
    /// </summary>
    private static Guid DecideStickId(string root, string databasePath, StickSettings? existing, bool settingsUnreadable, bool force)
    {
        if (StickStore.Exists(databasePath))
        {
            var (info, captures) = StickStore.Peek(databasePath);
            var named = existing?.StickId == info.StickId;
            if (!named && captures > 0 && !(force && settingsUnreadable))
            {
                throw new StorageException(
                    $"{root} holds {captures:N0} capture(s) of another stick ({info.StickId:D}) that its stick.json does not name: " +
                    "sync them at a desk and clear the folder first; stick init never overwrites captures");
            }

            return force || (!named && captures == 0 && existing is null)
                ? info.StickId
                : throw new InvalidInputException(
                    $"{root} is already Collector stick {info.StickId:D} with {captures:N0} capture(s): pass --force to refresh its programs and settings (its captures are kept)");
        }

        if (existing is not null)
        {
            return force
                ? existing.StickId ?? Guid.CreateVersion7()
                : throw new InvalidInputException($"{root} is already a Collector stick: pass --force to refresh its programs and settings");
        }

        return Guid.CreateVersion7();
    }

    /// <summary>
    /// Moves a damaged stick database (and its journal) into <c>collector\damaged\</c>, named by
    /// the time, so a fresh one can be made: never deleted, and out of the data folder, where sync
    /// would salvage it again at every run.
    /// </summary>
    private static string PutAside(string root, string databasePath, TimeProvider clock)
    {
        var folder = Path.Combine(root, "collector", "damaged");
        var target = Path.Combine(folder, $"captures-{clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)}.db");
        Write(target, destination =>
        {
            File.Move(databasePath, destination);
            foreach (var companion in new[] { "-journal", "-wal", "-shm" }.Select(s => databasePath + s).Where(File.Exists))
            {
                File.Move(companion, destination + companion[databasePath.Length..]);
            }
        });
        return target;
    }

    private static void EnsureRoom(string root, IEnumerable<(string Source, string Target)> copies, long freed)
    {
        // Files being replaced, and an older layout's files being removed, free their space again.
        var needed = copies.Sum(c => Math.Max(0, new FileInfo(c.Source).Length - Length(c.Target))) - freed + Margin;
        long free;
        try
        {
            free = new DriveInfo(root).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return; // cannot tell: the copy itself will say if the stick is full
        }

        if (free < needed)
        {
            throw new StorageException($"{root} has {free / 1048576.0:N1} MB free; the stick needs {needed / 1048576.0:N1} MB: use a larger stick or free some space");
        }
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static void RemoveEmptyFolder(string folder)
    {
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }

    private static void Write(string destination, Action<string> write)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            write(destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"could not write {destination} ({e.Message}): is the stick write-protected or full?", e);
        }
    }

    private static string Checked(string value, Func<string, string?> problem) =>
        problem(value) is { } fault ? throw new InvalidInputException(fault) : value;

    // collect's rule, and a length that fits the screens and the table.
    private static string? NameProblem(string what, string value) =>
        value.Length > 100 ? $"{what} is {value.Length} characters; at most 100" : CaptureRules.NameProblem(what, value);
}
