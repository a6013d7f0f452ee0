using Microsoft.Data.Sqlite;

namespace Collector.Testing;

/// <summary>What a process killed, or a stick pulled, in the middle of a write leaves on the disk.</summary>
public static class MidTransaction
{
    /// <summary>
    /// Runs <paramref name="sql"/> in a transaction on <paramref name="source"/> (created when
    /// missing) with a one-page cache, so pages spill into the file before commit, and copies the
    /// file and its journal to <paramref name="target"/> while the transaction is still open; then
    /// rolls the source back.
    /// </summary>
    public static void Copy(string source, string target, string sql)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(source))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        using var connection = new SqliteConnection($"Data Source={source};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = DELETE; PRAGMA cache_size = 1; BEGIN IMMEDIATE;" + sql;
        command.ExecuteNonQuery();
        File.Copy(source, target);
        File.Copy(source + "-journal", target + "-journal");
        command.CommandText = "ROLLBACK";
        command.ExecuteNonQuery();
    }
}
