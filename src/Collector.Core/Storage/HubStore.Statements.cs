using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>
/// Prepared statements kept for the life of the connection. Filing a capture runs four or five
/// statements; preparing them again for every row of a 50,000-row import or merge cost more than
/// running them, so the per-capture SQL goes through here and is prepared once.
/// </summary>
public sealed partial class HubStore
{
    private readonly Dictionary<string, SqliteCommand> statements = new(StringComparer.Ordinal);

    /// <summary>The cached command for <paramref name="sql"/>, bound to these values (parameters, never text).</summary>
    private SqliteCommand Statement(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        if (!statements.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            statements.Add(sql, command);
        }

        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }

        return command;
    }

    private int Run(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters) =>
        Statement(transaction, sql, parameters).ExecuteNonQuery();

    private T RunScalar<T>(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var value = Statement(transaction, sql, parameters).ExecuteScalar();
        if (value is null or DBNull)
        {
            return default!;
        }

        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
    }

    private void DisposeStatements()
    {
        foreach (var command in statements.Values)
        {
            command.Dispose();
        }

        statements.Clear();
    }
}
