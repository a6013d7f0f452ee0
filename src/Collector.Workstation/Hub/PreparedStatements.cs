using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Hub;

/// <summary>
/// One prepared <see cref="RawStatement"/> per SQL text for a connection's lifetime, so the
/// statements run per capture or per device are compiled once per hub, not once per row.
/// Disposed before the connection is closed.
/// </summary>
internal sealed class PreparedStatements(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, RawStatement> statements = new(StringComparer.Ordinal);

    /// <summary>The prepared statement for <paramref name="sql"/>, reset and ready to bind.</summary>
    public RawStatement Get(string sql)
    {
        if (!statements.TryGetValue(sql, out var statement))
        {
            statement = new RawStatement(connection, sql);
            statements[sql] = statement;
        }

        return statement;
    }

    public void Dispose()
    {
        foreach (var statement in statements.Values)
        {
            statement.Dispose();
        }

        statements.Clear();
    }
}
