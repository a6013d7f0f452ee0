using Collector.Core.Captures;
using Collector.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Collector.Testing;

/// <summary>
/// Reads what a hub file holds by SQL on the file, as someone with sqlite3 would: for tests and
/// benchmarks that check a hub's captures where the product itself has no query for them.
/// Captures are read through the product's one capture-row mapping (<see cref="CaptureReader"/>).
/// </summary>
public static class HubFile
{
    /// <summary>The newest capture of every device of <paramref name="tenant"/> (all tenants when null), in tenant and device-key order.</summary>
    public static IReadOnlyList<(Capture Capture, DateTimeOffset EffectiveAt)> NewestCaptures(string hubPath, Guid? tenant = null) =>
        Query(hubPath, $"""
            SELECT {CaptureRow.NamesOf("c")}, c.effective_at FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
            WHERE $tenant IS NULL OR d.tenant_id = $tenant
            ORDER BY d.tenant_id, d.device_key
            """, ("$tenant", tenant?.ToString("D")));

    /// <summary>Every capture of one device, newest first: its audit trail.</summary>
    public static IReadOnlyList<(Capture Capture, DateTimeOffset EffectiveAt)> History(string hubPath, Guid tenant, string deviceKey) =>
        Query(hubPath, $"""
            SELECT {CaptureRow.NamesOf("c")}, c.effective_at FROM captures c JOIN devices d ON d.device_id = c.device_id
            WHERE d.tenant_id = $tenant AND d.device_key = $key
            ORDER BY c.effective_at DESC, c.seq DESC, c.capture_id DESC
            """, ("$tenant", tenant.ToString("D")), ("$key", deviceKey));

    /// <summary>Runs <paramref name="sql"/> on the hub file: a test putting a hub into a state it needs.</summary>
    public static void Execute(string hubPath, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = hubPath, Pooling = false }.ToString());
        connection.Open();
        connection.Execute(null, sql);
    }

    /// <summary>The id of every capture the hub holds (none when there is no hub yet).</summary>
    public static HashSet<Guid> CaptureIds(string hubPath)
    {
        if (!File.Exists(hubPath))
        {
            return [];
        }

        using var connection = Open(hubPath);
        return [.. connection.Lines("SELECT capture_id FROM captures").Select(Guid.Parse)];
    }

    private static SqliteConnection Open(string hubPath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = hubPath,
            Mode = SqliteOpenMode.ReadWrite, // not ReadOnly: a WAL file may need its -shm made, and nothing here writes
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static List<(Capture, DateTimeOffset)> Query(string hubPath, string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open(hubPath);
        using var command = connection.Command(null, sql, parameters);
        using var reader = command.ExecuteReader();
        var captures = new CaptureReader(reader);
        var effectiveAt = reader.GetOrdinal("effective_at");
        var rows = new List<(Capture, DateTimeOffset)>();
        while (reader.Read())
        {
            rows.Add((captures.Read(), DbTime.Read(reader.GetString(effectiveAt))));
        }

        return rows;
    }
}
