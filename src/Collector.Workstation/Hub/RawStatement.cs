using System.Text;
using Collector.Core.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Collector.Workstation.Hub;

/// <summary>
/// One prepared statement driven through SQLitePCLRaw, for the statements run once per capture
/// or per device (import, merge, export, upload bookkeeping). Microsoft.Data.Sqlite spends more
/// per execution than SQLite does on a small indexed statement: it looks every parameter up by
/// name in native code, enumerates the command's statements and makes a data reader per call.
/// Measured on a 20,000-row import: the capture INSERT took 0.96 s through it and 0.44 s here.
/// Values are still bound as parameters (by name, resolved once), never written into the SQL.
/// </summary>
/// <remarks>
/// Use: bind every parameter (bindings are kept between runs), then <see cref="Execute"/>, or <see cref="Read"/> until it returns
/// false (it resets itself at the end) or <see cref="Reset"/> when stopping early. Errors become
/// <see cref="SqliteException"/>s with SQLite's code, as Microsoft.Data.Sqlite throws them, so
/// <see cref="SqliteFailures"/> explains them the same way. It runs on the connection it was
/// prepared on, inside whatever transaction that connection has open.
/// </remarks>
internal sealed class RawStatement : IRowParameters, IDisposable
{
    // Busy: another process holds a lock SQLite must wait for. Writers here always run inside a
    // BEGIN IMMEDIATE transaction, which already holds the write lock, so this is for readers.
    private static readonly TimeSpan BusyWait = TimeSpan.FromSeconds(30);

    private readonly sqlite3 db;
    private readonly sqlite3_stmt statement;
    private readonly Dictionary<string, int> parameters = new(StringComparer.Ordinal);
    private byte[] utf8 = [];
    private bool stepped;

    public RawStatement(SqliteConnection connection, string sql)
    {
        db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out statement, out var tail));
        if (!string.IsNullOrWhiteSpace(tail))
        {
            statement.Dispose();
            throw new ArgumentException("one statement only", nameof(sql));
        }

        for (var i = 1; i <= raw.sqlite3_bind_parameter_count(statement); i++)
        {
            parameters[raw.sqlite3_bind_parameter_name(statement, i).utf8_to_string()] = i;
        }
    }

    public RawStatement Bind(string name, string? value)
    {
        var index = Index(name);
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(statement, index));
            return this;
        }

        // Encoded here into a buffer kept between rows (vectorised for ASCII, no allocation per
        // row); SQLite copies the bytes (SQLITE_TRANSIENT).
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (utf8.Length < length)
        {
            utf8 = new byte[Math.Max(length, 256)];
        }

        Check(raw.sqlite3_bind_text(statement, index, utf8.AsSpan(0, Encoding.UTF8.GetBytes(value, utf8))));
        return this;
    }

    public RawStatement Bind(string name, long value)
    {
        Check(raw.sqlite3_bind_int64(statement, Index(name), value));
        return this;
    }

    public RawStatement Bind(string name, long? value) =>
        value is { } v ? Bind(name, v) : BindNull(name);

    public RawStatement BindNull(string name)
    {
        Check(raw.sqlite3_bind_null(statement, Index(name)));
        return this;
    }

    void IRowParameters.Text(string name, string? value) => Bind(name, value);

    void IRowParameters.Integer(string name, long value) => Bind(name, value);

    /// <summary>Runs the statement to its end and resets it; returns the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            while (Step())
            {
            }

            return raw.sqlite3_changes(db);
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Runs an INSERT of one row to its end and resets it; returns the row id SQLite gave the row.</summary>
    public long Insert()
    {
        Execute();
        return raw.sqlite3_last_insert_rowid(db);
    }

    /// <summary>The next row; false at the end, where the statement is reset for its next use.</summary>
    public bool Read()
    {
        try
        {
            if (Step())
            {
                return true;
            }
        }
        catch
        {
            Reset();
            throw;
        }

        Reset();
        return false;
    }

    /// <summary>Whether the statement returns a row; reads nothing else and resets it.</summary>
    public bool Exists()
    {
        try
        {
            return Step();
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Ends the current use early (or after an error); bindings stay until rebound.</summary>
    public void Reset()
    {
        stepped = false;
        _ = raw.sqlite3_reset(statement); // returns the last step's error again, already thrown
    }

    /// <summary>The position of the result column named <paramref name="name"/> (look it up once, before the rows).</summary>
    public int Ordinal(string name)
    {
        for (var i = 0; i < raw.sqlite3_column_count(statement); i++)
        {
            if (raw.sqlite3_column_name(statement, i).utf8_to_string() == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"no column {name} in the statement's result", nameof(name));
    }

    public bool IsNull(int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;

    public long GetInt64(int column) => raw.sqlite3_column_int64(statement, column);

    public string GetString(int column) => Encoding.UTF8.GetString(GetUtf8(column));

    public string? GetNullableString(int column) => IsNull(column) ? null : GetString(column);

    /// <summary>
    /// A text column's UTF-8 bytes as SQLite holds them, valid until the next step or reset:
    /// read without making a string (sqlite3_column_blob returns a text value's bytes as they are).
    /// </summary>
    public ReadOnlySpan<byte> GetUtf8(int column) => raw.sqlite3_column_blob(statement, column);

    public void Dispose() => statement.Dispose();

    private bool Step()
    {
        DateTime? deadline = null; // read the clock only when busy: this runs once per row
        while (true)
        {
            var rc = raw.sqlite3_step(statement);
            switch (rc)
            {
                case raw.SQLITE_ROW:
                    stepped = true;
                    return true;
                case raw.SQLITE_DONE:
                    stepped = true;
                    return false;
                case raw.SQLITE_BUSY or raw.SQLITE_LOCKED when !stepped && DateTime.UtcNow < (deadline ??= DateTime.UtcNow + BusyWait):
                    _ = raw.sqlite3_reset(statement);
                    Thread.Sleep(10);
                    continue;
                default:
                    Check(rc);
                    throw new InvalidOperationException($"sqlite3_step returned {rc}");
            }
        }
    }

    // Binding needs a statement that is not mid-run: one left so by an exception is reset here.
    private int Index(string name)
    {
        if (stepped)
        {
            Reset();
        }

        return parameters.TryGetValue(name, out var index) ? index : throw new ArgumentException($"no parameter {name} in the statement", nameof(name));
    }

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
