using Collector.Core.Errors;
using Collector.Core.Storage;
using Collector.Testing;
using Microsoft.Data.Sqlite;

namespace Collector.Stick.Tests.Commands;

public sealed class VerifyCommandTests : IDisposable
{
    private readonly TestStick stick = new();

    public void Dispose() => stick.Dispose();

    [Fact]
    public async Task Verify_reports_integrity_counts_and_schema_version()
    {
        stick.Seed(1, 2, 1);

        var result = await stick.RunAsync("verify");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Integrity       ok", result.Out, StringComparison.Ordinal);
        Assert.Contains($"Schema version  {StickStore.SchemaVersion}", result.Out, StringComparison.Ordinal);
        Assert.Contains("Captures        3", result.Out, StringComparison.Ordinal);
        Assert.Contains("Devices         2", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_and_verify_read_an_older_stick_without_changing_a_byte_of_it()
    {
        OldStickDatabases.CreateSchema1(stick.Paths.Database, Guid.NewGuid());
        var before = File.ReadAllBytes(stick.Paths.Database);

        var verify = await stick.RunAsync("verify");
        var list = await stick.RunAsync("list");

        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("Captures        2", verify.Out, StringComparison.Ordinal);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("CLT-0000002", list.Out, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(stick.Paths.Database));
        Assert.Equal(["captures.db"], Directory.GetFiles(Path.GetDirectoryName(stick.Paths.Database)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Verify_exits_3_when_the_integrity_check_finds_faults()
    {
        stick.Seed(1, 2, 3);
        MakeTheIndexDisagreeWithItsRows(stick.Paths.Database);

        var result = await stick.RunAsync("verify");

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Matches("Integrity       .*missing from index captures_device", result.Out);
        Assert.Contains("failed its integrity check", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_exits_3_when_pages_are_damaged()
    {
        stick.Seed(Enumerable.Range(1, 40).ToArray());
        var bytes = File.ReadAllBytes(stick.Paths.Database);
        new Random(11).NextBytes(bytes.AsSpan(4096, bytes.Length - 4096));
        File.WriteAllBytes(stick.Paths.Database, bytes);

        var result = await stick.RunAsync("verify");

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains("is damaged", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_a_stick_with_nothing_captured_says_so_and_creates_nothing()
    {
        var result = await stick.RunAsync("verify");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("nothing captured, nothing to check", result.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    /// <summary>
    /// Tells SQLite the index covers other columns than the ones it was built from: every row is
    /// then "missing from index", as after a half-written index page.
    /// </summary>
    private static void MakeTheIndexDisagreeWithItsRows(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA writable_schema = ON;
            UPDATE sqlite_schema SET sql = 'CREATE INDEX captures_device ON captures (tenant_id, hardware_hash)' WHERE name = 'captures_device';
            PRAGMA writable_schema = OFF;
            """;
        command.ExecuteNonQuery();
    }
}
