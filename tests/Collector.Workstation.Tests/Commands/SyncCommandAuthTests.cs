using Azure.Core;
using Azure.Data.Tables.Sas;
using Azure.Identity;
using Collector.Testing;
using Collector.Workstation.Tables;
using Collector.Workstation.Tests.Sync;
using Collector.Workstation.Tests.Tables;

namespace Collector.Workstation.Tests.Commands;

/// <summary>
/// sync with a SAS: least privilege works, a missing permission or an expired SAS is named
/// (exit 4), and the signature never reaches any output. Azurite refuses a table-scoped SAS on
/// $batch (Azure/Azurite src/table/authentication/OperationTableSASPermission.ts), so these use an
/// account SAS for one table's URL.
/// </summary>
public sealed class SyncCommandAuthTests(Collector.Testing.Azurite azurite) : IClassFixture<Collector.Testing.Azurite>, IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-3);
    private const TableAccountSasPermissions ReadAddUpdate = TableAccountSasPermissions.Read | TableAccountSasPermissions.Add | TableAccountSasPermissions.Update;
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_sas_with_read_add_and_update_is_enough_and_its_signature_is_never_printed()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var sas = TestTables.AccountSasUrl(azurite, table, ReadAddUpdate, DateTimeOffset.UtcNow.AddHours(1));
        var stick = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 150, Day.AddHours(1)));

        var result = await Cli.RunAsync(new Dictionary<string, string> { ["COLLECTOR_TABLE"] = sas }, "sync", stick, "--hub", temp.File("hub.db"));
        var again = await Cli.RunAsync("sync", stick, "--hub", temp.File("hub.db"), "--table", "@" + temp.Write("target.txt", sas + "\n"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"Table '{table}' at http://127.0.0.1:{azurite.Port} (SAS): 150 devices uploaded", result.Out, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(150, TestTables.Rows(azurite, table).Count);
        TestTables.AssertNoSecret(result, TestTables.Signature(sas));
        TestTables.AssertNoSecret(again, TestTables.Signature(sas));
        var atRest = string.Concat(Directory.GetFiles(temp.Path, "hub.db*").Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.DoesNotContain(Uri.UnescapeDataString(TestTables.Signature(sas)), atRest, StringComparison.Ordinal);
        Assert.DoesNotContain(TestTables.Signature(sas), atRest, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{azurite.Port}/devstoreaccount1/{table}", atRest, StringComparison.Ordinal); // what the hub keeps instead
    }

    [Theory]
    [InlineData(TableAccountSasPermissions.Add | TableAccountSasPermissions.Update, "lacks r (read)")]
    [InlineData(TableAccountSasPermissions.Read | TableAccountSasPermissions.Update, "lacks a (add)")]
    [InlineData(TableAccountSasPermissions.Read, "lacks a (add) and u (update)")]
    public async Task A_sas_missing_a_permission_is_named_before_anything_is_sent(TableAccountSasPermissions permissions, string expected)
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var sas = TestTables.AccountSasUrl(azurite, table, permissions, DateTimeOffset.UtcNow.AddHours(1));
        var stick = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await Cli.RunAsync("sync", stick, "--hub", temp.File("hub.db"), "--table", sas);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Contains("sync needs r (read), a (add) and u (update)", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("hub.db")));
        TestTables.AssertNoSecret(result, TestTables.Signature(sas));
    }

    [Fact]
    public async Task An_expired_sas_is_named_before_anything_is_sent()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var sas = TestTables.AccountSasUrl(azurite, table, ReadAddUpdate, DateTimeOffset.UtcNow.AddHours(-1));

        var result = await Cli.RunAsync("sync", temp.Path, "--hub", temp.File("hub.db"), "--table", sas);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("expired at", result.Error, StringComparison.Ordinal);
        TestTables.AssertNoSecret(result, TestTables.Signature(sas));
    }

    [Fact]
    public async Task A_403_for_a_sas_this_desk_thinks_valid_says_it_may_have_expired_and_what_sync_needs()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var sas = TestTables.AccountSasUrl(azurite, table, ReadAddUpdate, DateTimeOffset.UtcNow.AddMinutes(-5));
        var slowClock = new ManualClock(DateTimeOffset.UtcNow.AddHours(-1)); // this desk's clock is an hour behind
        var stick = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await SyncRunner.RunAsync(SyncRunner.Options(temp.File("hub.db"), sas, stick), SyncRunner.Services(), slowClock);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("the table service refused the SAS", result.Error, StringComparison.Ordinal);
        Assert.Contains("to read (403", result.Error, StringComparison.Ordinal);
        Assert.Contains("must grant r (read), be unexpired", result.Error, StringComparison.Ordinal);
        Assert.Contains("check this computer's clock", result.Error, StringComparison.Ordinal);
        Assert.Contains("2 devices wait for upload", result.Error, StringComparison.Ordinal);
        TestTables.AssertNoSecret(result, TestTables.Signature(sas));
    }

    [Fact]
    public async Task A_403_for_a_sas_that_claims_read_but_was_not_signed_for_it_names_the_read_permission()
    {
        var table = TestTables.Create(azurite, Azurite.NewTableName()).Name;
        var signedForAddUpdate = TestTables.AccountSasUrl(azurite, table, TableAccountSasPermissions.Add | TableAccountSasPermissions.Update, DateTimeOffset.UtcNow.AddHours(1));
        var claimsRead = signedForAddUpdate.Replace("sp=au", "sp=rau", StringComparison.Ordinal);
        var stick = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await Cli.RunAsync("sync", stick, "--hub", temp.File("hub.db"), "--table", claimsRead);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("refused the SAS", result.Error, StringComparison.Ordinal);
        Assert.Contains("must grant r (read)", result.Error, StringComparison.Ordinal);
        Assert.Empty(TestTables.Rows(azurite, table));
        TestTables.AssertNoSecret(result, TestTables.Signature(claimsRead));
    }

    [Fact]
    public async Task A_table_service_that_cannot_be_reached_is_exit_4_after_the_sdk_retries()
    {
        var closed = FreePort();
        var target = $"DefaultEndpointsProtocol=http;AccountName={Collector.Testing.Azurite.AccountName};AccountKey={Collector.Testing.Azurite.AccountKey};TableEndpoint=http://127.0.0.1:{closed}/{Collector.Testing.Azurite.AccountName};";
        var stick = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await SyncRunner.RunAsync(SyncRunner.Options(temp.File("hub.db"), target, stick), SyncRunner.Services());

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("cannot reach the table service for table 'autopilothashes' (connection string) after 9 tries", result.Error, StringComparison.Ordinal);
        Assert.Contains("2 devices wait for upload", result.Error, StringComparison.Ordinal);
        TestTables.AssertNoSecret(result, Collector.Testing.Azurite.AccountKey);
    }

    [Fact]
    public async Task An_entra_sign_in_that_fails_is_exit_4_and_says_how_to_sign_in()
    {
        var stick = TestSticks.Create(temp.File("s"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        var services = SyncRunner.Services() with { Tables = new TableClients(SyncRunner.ClientOptions(), new SignedOutCredential()) };

        var result = await SyncRunner.RunAsync(SyncRunner.Options(temp.File("hub.db"), "https://127.0.0.1:1/devstoreaccount1/hashes", stick), services);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("signing in to Entra ID for table 'hashes' at https://127.0.0.1:1 (Entra ID) failed: sign in with 'az login'", result.Error, StringComparison.Ordinal);
        Assert.Contains("2 devices wait for upload", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Entra ID itself cannot answer here (no tenant, and Azurite's OAuth needs TLS): this fake
    /// stands for a desk where nobody is signed in, which is what DefaultAzureCredential reports.
    /// </summary>
    private sealed class SignedOutCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("no account is signed in (test)");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("no account is signed in (test)");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
