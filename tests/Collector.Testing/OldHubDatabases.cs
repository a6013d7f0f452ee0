using Collector.Core.Hashing;

namespace Collector.Testing;

/// <summary>Hubs as older Collector versions wrote them (TestData/hub-v1.sql), for migration tests.</summary>
public static class OldHubDatabases
{
    /// <summary>
    /// Creates a hub-schema-1 hub at <paramref name="path"/> (WAL, as every hub is) holding one
    /// stick's one capture of sample device 1 in <see cref="TestCaptures.Tenant"/>.
    /// </summary>
    public static void CreateSchema1(string path, Guid stickId) =>
        OldStickDatabases.Execute(path, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "hub-v1.sql"))
            .Replace("{{HASH1}}", HashBuilder.Sample(1).Build(), StringComparison.Ordinal)
            .Replace("{{STICK}}", stickId.ToString("D"), StringComparison.Ordinal));

    /// <summary>What a schema-1 hub's first sync to a table added, as that version's sync did it.</summary>
    public static void AddUploadTargetAsSchema1SyncDid(string path, string target) =>
        OldStickDatabases.Execute(path, $"""
            CREATE TABLE IF NOT EXISTS upload_target (
                singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                target TEXT NOT NULL,
                since TEXT NOT NULL
            ) STRICT;
            INSERT INTO upload_target (singleton, target, since) VALUES (1, '{target}', '2026-01-06T08:00:00.0000000Z');
            """);
}
