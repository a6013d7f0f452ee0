using Collector.Core.Hashing;
using Microsoft.Data.Sqlite;

namespace Collector.Testing;

/// <summary>Stick databases as older Collector versions wrote them (TestData/stick-v1.sql), for migration tests.</summary>
public static class OldStickDatabases
{
    /// <summary>Creates a schema-1 stick database at <paramref name="path"/> holding sample devices 1 and 2.</summary>
    public static void CreateSchema1(string path, Guid stickId) =>
        Execute(path, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "stick-v1.sql"))
            .Replace("{{HASH1}}", HashBuilder.Sample(1).Build(), StringComparison.Ordinal)
            .Replace("{{HASH2}}", HashBuilder.Sample(2).Build(), StringComparison.Ordinal)
            .Replace("{{STICK}}", stickId.ToString("D"), StringComparison.Ordinal));

    /// <summary>Runs SQL on a database file (created when missing), with no pooling left behind.</summary>
    public static void Execute(string path, string sql)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
