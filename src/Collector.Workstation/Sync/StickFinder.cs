using Collector.Core.Captures;
using Collector.Core.Storage;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Sync;

/// <summary>
/// Finds the stick databases under sync's PATHs (design section 5): a PATH is a stick root, a
/// folder holding stick roots, or a database file. Databases are recognised by their header's
/// application id, not by name, and nothing is opened or written: the header is read through a
/// read-only handle. What cannot be used is reported with a reason.
/// </summary>
public static class StickFinder
{
    private static readonly string[] CompanionSuffixes = ["-journal", "-wal", "-shm"];

    /// <param name="HeaderDamaged">
    /// Of <paramref name="Skipped"/>, the files whose header is not a SQLite header but that were
    /// named as a PATH or sit where a stick keeps its database: a stick database whose first page
    /// is damaged looks like that, and sync salvages what it can from them before calling them skipped.
    /// </param>
    public sealed record Result(IReadOnlyList<string> Databases, IReadOnlyList<SkippedPath> Skipped, IReadOnlyList<string> HeaderDamaged);

    public static Result Find(IEnumerable<string> paths)
    {
        var databases = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new List<SkippedPath>();
        var damaged = new List<string>();
        foreach (var given in paths)
        {
            var path = Path.GetFullPath(given);
            try
            {
                if (File.Exists(path))
                {
                    if (Problem(path) is { } problem)
                    {
                        skipped.Add(new SkippedPath(given, problem));
                        if (IsHeaderDamaged(path) && seen.Add(path))
                        {
                            damaged.Add(given);
                        }
                    }
                    else if (seen.Add(path))
                    {
                        databases.Add(path);
                    }
                }
                else if (Directory.Exists(path))
                {
                    var before = databases.Count + skipped.Count;
                    SearchFolder(path, databases, seen, skipped, damaged);
                    if (databases.Count + skipped.Count == before)
                    {
                        skipped.Add(new SkippedPath(given,
                            $"no stick database here (looked for {StickLayout.DataFolder}{Path.DirectorySeparatorChar} in it and in its subfolders, and for database files in it)"));
                    }
                }
                else
                {
                    skipped.Add(new SkippedPath(given, "does not exist"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedPath(given, $"cannot be read ({e.Message})"));
            }
        }

        return new Result(databases, skipped, damaged);
    }

    /// <summary>Null when <paramref name="file"/> is a stick database; otherwise why it is not one.</summary>
    public static string? Problem(string file)
    {
        var header = DatabaseFile.Inspect(file, StickStore.ApplicationId);
        return header.Kind switch
        {
            DatabaseFileKind.Ours => null,
            // Not a database until its journal is rolled back: the merger does that in its copy, then judges.
            DatabaseFileKind.NotSqlite when StickStore.HasHotJournal(file) => null,
            DatabaseFileKind.Missing => "does not exist",
            DatabaseFileKind.Empty => "is empty (0 bytes): nothing was ever saved in it",
            DatabaseFileKind.NotSqlite => "is not a SQLite database (not a stick database, or its header is damaged)",
            DatabaseFileKind.Foreign when header.ApplicationId == HubStore.ApplicationId => "is a Collector hub, not a stick database",
            _ => $"is a SQLite database of another application (id 0x{header.ApplicationId:X8}), not a Collector stick database",
        };
    }

    /// <summary>
    /// A folder: database files directly in it (silently passing over other files), and the data
    /// folder of it and of each subfolder as stick roots, where any other <c>*.db</c> is reported:
    /// a stick's database whose header is damaged must not vanish without a word.
    /// </summary>
    private static void SearchFolder(string folder, List<string> databases, HashSet<string> seen, List<SkippedPath> skipped, List<string> damaged)
    {
        foreach (var file in Files(folder))
        {
            if (Problem(file) is null && seen.Add(file))
            {
                databases.Add(file);
            }
        }

        foreach (var root in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal).Prepend(folder))
        {
            var data = Path.Combine(root, StickLayout.DataFolder);
            if (!Directory.Exists(data))
            {
                continue;
            }

            foreach (var file in Files(data))
            {
                var problem = Problem(file);
                if (problem is null)
                {
                    if (seen.Add(file))
                    {
                        databases.Add(file);
                    }
                }
                else if (file.EndsWith(".db", StringComparison.OrdinalIgnoreCase))
                {
                    skipped.Add(new SkippedPath(file, problem));
                    if (IsHeaderDamaged(file) && seen.Add(file))
                    {
                        damaged.Add(file);
                    }
                }
            }
        }
    }

    private static bool IsHeaderDamaged(string file) =>
        DatabaseFile.Inspect(file, StickStore.ApplicationId).Kind == DatabaseFileKind.NotSqlite;

    private static IEnumerable<string> Files(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(f => !CompanionSuffixes.Any(s => f.EndsWith(s, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal);

    /// <summary>The files that travel with a database: its rollback journal, or WAL and shared memory.</summary>
    public static IEnumerable<string> Companions(string database) =>
        CompanionSuffixes.Select(s => database + s).Where(File.Exists);
}
