using System.CommandLine;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Testing.Graph;
using Collector.Workstation.Commands;
using Collector.Workstation.Graph;
using Collector.Workstation.Tables;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Tests.Register;

/// <summary>
/// What the register tests share: a hub of made-up devices, a stand-in Graph on 127.0.0.1 (started
/// per test), tokens shaped as Entra ID issues them, and register run in process through its
/// real command line and the real Graph SDK stack.
/// </summary>
public abstract class RegisterKit : IAsyncLifetime
{
    protected static readonly Guid Tenant = TestCaptures.Tenant;
    protected static readonly Guid OtherTenant = TestCaptures.OtherTenant;

    /// <summary>Quick to give up and quick to retry, so a test does not wait minutes; the SDK's retry handler all the same.</summary>
    protected static readonly GraphClientSettings QuickRetries = new(3, 1, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

    protected readonly TempDirectory Temp = new();

    protected GraphStandIn Graph { get; private set; } = null!;

    protected string HubPath => Temp.File("hub", "hub.db");

    /// <summary>The token in COLLECTOR_GRAPH_TOKEN for <see cref="Tenant"/>, with the import permission.</summary>
    protected string TenantToken { get; } = Token(Tenant, "DeviceManagementServiceConfig.ReadWrite.All");

    public async Task InitializeAsync()
    {
        Graph = await GraphStandIn.StartAsync();
        Graph.AddTenant(Tenant, TenantToken);
    }

    public async Task DisposeAsync()
    {
        await Graph.DisposeAsync();
        Temp.Dispose();
    }

    /// <summary>A JWT shaped as Entra ID issues it (unsigned: the stand-in, like our client, reads its claims only).</summary>
    protected static string Token(Guid tenant, string scopes, DateTimeOffset? expires = null)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = (expires ?? DateTimeOffset.UtcNow.AddHours(1)).ToUnixTimeSeconds();
        return $"{Part("{\"typ\":\"JWT\",\"alg\":\"RS256\"}")}.{Part($"{{\"aud\":\"https://graph.microsoft.com\",\"tid\":\"{tenant:D}\",\"scp\":\"{scopes}\",\"exp\":{exp}}}")}.c2lnbmF0dXJl{Guid.NewGuid():N}";
    }

    /// <summary>Devices 1..<paramref name="count"/> (CLT-0000001…) into the hub, one capture each.</summary>
    protected void FillHub(int count, Guid? tenant = null, int first = 1) =>
        Csv.CsvTestKit.Fill(HubPath, TimeProvider.System, Enumerable.Range(first, count).Select(HashBuilder.Sample), tenant);

    protected static string Serial(int index) => HashBuilder.Sample(index).Serial;

    /// <summary>Runs <c>collector register ARGS</c> against the stand-in with the token in the environment (unless told otherwise).</summary>
    protected Task<CliResult> RegisterAsync(params string[] args) => RegisterWithAsync(new() { [GraphToken.EnvironmentVariable] = TenantToken }, null, args);

    protected async Task<CliResult> RegisterWithAsync(Dictionary<string, string> environment, Func<Guid, TokenCredential>? signIn, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new WorkstationContext(output, error, TimeProvider.System, name => environment.GetValueOrDefault(name));
        var services = new RegisterCommand.Services(new GraphClients(QuickRetries), TableClients.Default(), signIn ?? (_ => throw new InvalidOperationException("no sign-in in this test")),
            Terminal: false, TimeSpan.FromSeconds(5));
        var root = new RootCommand { RegisterCommand.Create(context, services) };
        string[] defaults = ["--hub", HubPath, "--graph", Graph.Root.AbsoluteUri, "--poll-interval", "0.05", "--timeout", "1"];
        var given = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
        var full = new List<string> { "register" };
        full.AddRange(args);
        for (var i = 0; i < defaults.Length; i += 2)
        {
            if (!given.Contains(defaults[i]) && !(defaults[i] == "--hub" && given.Contains("--table")))
            {
                full.AddRange([defaults[i], defaults[i + 1]]);
            }
        }

        int exit;
        try
        {
            exit = await root.Parse([.. full]).InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error });
        }
        finally
        {
            await context.FlushAsync();
        }

        var result = new CliResult(exit, output.ToString(), error.ToString());
        Assert.False(result.Out.Contains(TenantToken, StringComparison.Ordinal) || result.Error.Contains(TenantToken, StringComparison.Ordinal), "the token leaked into the output");
        return result;
    }

    protected static JsonElement Json(CliResult result) => JsonDocument.Parse(result.Out).RootElement.Clone();

    /// <summary>The hub's registration rows, read by SQL as someone with sqlite3 would.</summary>
    protected List<(string DeviceKey, string State, string? GraphId, int? Code, string? Name, string? RegistrationId, bool Deleted)> Registrations()
    {
        using var connection = new SqliteConnection($"Data Source={HubPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_key, state, graph_id, error_code, error_name, registration_id, record_deleted FROM registrations ORDER BY device_key";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, string?, int?, string?, string?, bool)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt64(6) == 1));
        }

        return rows;
    }

    protected static void AssertExit(int expected, CliResult result) => Assert.True(expected == result.ExitCode, result.ToString());
}
