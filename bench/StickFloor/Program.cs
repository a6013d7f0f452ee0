using Microsoft.Data.Sqlite;

// stick-floor DB: opens DB (creating it), commits one row the way the stick store does, exits.
var builder = new SqliteConnectionStringBuilder { DataSource = args[0], Pooling = false };
using var connection = new SqliteConnection(builder.ToString());
connection.Open();
using var command = connection.CreateCommand();
command.CommandText = """
    PRAGMA journal_mode = DELETE; PRAGMA synchronous = EXTRA;
    CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, at TEXT NOT NULL) STRICT;
    """;
command.ExecuteNonQuery();
using var transaction = connection.BeginTransaction(deferred: false);
command.Transaction = transaction;
command.CommandText = "INSERT INTO rows (at) VALUES ($at)";
command.Parameters.AddWithValue("$at", DateTime.UtcNow.ToString("O"));
command.ExecuteNonQuery();
transaction.Commit();
return 0;
