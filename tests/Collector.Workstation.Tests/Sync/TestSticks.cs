using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.Workstation.Tests.Sync;

/// <summary>Real stick databases laid out as on a stick: <c>ROOT/collector/data/captures.db</c>.</summary>
public static class TestSticks
{
    /// <summary>Creates a stick root under <paramref name="folder"/> holding <paramref name="drafts"/>, in order; returns the root.</summary>
    public static string Create(string folder, DateTimeOffset createdAt, params CaptureDraft[] drafts)
    {
        Directory.CreateDirectory(folder);
        using var store = StickStore.Open(Database(folder), Guid.NewGuid(), new ManualClock(createdAt));
        foreach (var draft in drafts)
        {
            store.Append(draft);
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
}
