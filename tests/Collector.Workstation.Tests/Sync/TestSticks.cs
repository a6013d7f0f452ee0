using Collector.Core.Captures;
using Collector.Core.Storage;
using Collector.Testing;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Tests.Sync;

/// <summary>Real stick databases laid out as on a stick: <c>ROOT/collector/data/captures.db</c>.</summary>
public static class TestSticks
{
    /// <summary>
    /// Creates a stick root under <paramref name="folder"/> holding <paramref name="drafts"/>, in
    /// order, through the real <see cref="StickStore.Append"/>; returns the root. The database is
    /// built on tmpfs where there is one (each append syncs to disk: 1,500 of them take 10 s on
    /// this machine's disk) and then copied into place whole.
    /// </summary>
    public static string Create(string folder, DateTimeOffset createdAt, params CaptureDraft[] drafts)
    {
        var fast = Directory.Exists("/dev/shm") ? Directory.CreateDirectory(Path.Combine("/dev/shm", "collector-stick-" + Guid.NewGuid().ToString("N"))).FullName : null;
        var building = fast is null ? Database(folder) : Path.Combine(fast, "captures.db");
        try
        {
            using (var store = StickStore.Open(building, Guid.NewGuid(), new ManualClock(createdAt)))
            {
                foreach (var draft in drafts)
                {
                    store.Append(draft);
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Database(folder))!);
            if (fast is not null)
            {
                File.Copy(building, Database(folder));
            }
        }
        finally
        {
            if (fast is not null)
            {
                Directory.Delete(fast, recursive: true);
            }
        }

        return folder;
    }

    /// <summary>Sample devices <paramref name="first"/>..<paramref name="last"/>, captured a minute apart from <paramref name="at"/>.</summary>
    public static CaptureDraft[] Samples(int first, int last, DateTimeOffset at, Guid? tenant = null, string groupTag = "") =>
        [.. Enumerable.Range(first, last - first + 1).Select(i => TestCaptures.Draft(i, at.AddMinutes(i - first), tenant, groupTag))];

    public static string Database(string root) => Path.Combine(root, "collector", "data", "captures.db");

    /// <summary>Every file under <paramref name="root"/> with its bytes, to prove sync wrote nothing there.</summary>
    public static Dictionary<string, byte[]> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

    /// <summary>Runs SQL on a stick database as someone with sqlite3 would: a hand edit, a hostile one.</summary>
    public static void Execute(string database, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
