using System.Globalization;
using Azure.Core;
using Azure.Identity;
using Collector.Testing.Graph;
using Collector.Workstation.Graph;
using Collector.Workstation.Register;

namespace Collector.Workstation.Tests.Register;

public sealed class RegisterFailureTests : RegisterKit
{
    [Fact]
    public async Task A_429_with_Retry_After_in_seconds_is_waited_out_and_said_on_stderr()
    {
        FillHub(3);
        Graph.FailNext(GraphRequestKind.Import, 1, 429, "2");

        var result = await RegisterAsync("--json");

        AssertExit(0, result);
        var imports = Graph.Requests.Where(r => r.Kind == GraphRequestKind.Import).ToList();
        Assert.Equal([429, 200], imports.Select(r => r.Status));
        Assert.True(imports[1].At - imports[0].At >= TimeSpan.FromSeconds(1.9), $"retried after {(imports[1].At - imports[0].At).TotalSeconds:N2} s");
        Assert.Contains("Graph answered 429 (too many requests): waiting 2 s as it asks (Retry-After)", result.Error, StringComparison.Ordinal);
        Assert.All(Graph.Imports.Values, times => Assert.Equal(1, times));
    }

    [Fact]
    public async Task A_Retry_After_given_as_an_HTTP_date_is_waited_out_too()
    {
        FillHub(2);
        var until = DateTimeOffset.UtcNow.AddSeconds(3);
        Graph.FailNext(GraphRequestKind.Batch, 1, 429, until.ToString("r", CultureInfo.InvariantCulture));

        var result = await RegisterAsync();

        AssertExit(0, result);
        var lists = Graph.Requests.Where(r => r.Kind == GraphRequestKind.Batch).ToList();
        Assert.Equal(429, lists[0].Status);
        Assert.True(lists[1].At >= until.AddSeconds(-1), $"retried {(until - lists[1].At).TotalSeconds:N2} s before the date it was given");
    }

    [Fact]
    public async Task A_503_without_Retry_After_is_retried_with_back_off()
    {
        FillHub(2);
        Graph.FailNext(GraphRequestKind.Batch, 2, 503);

        var result = await RegisterAsync();

        AssertExit(0, result);
        Assert.Contains("Graph answered 503 (service unavailable): backing off", result.Error, StringComparison.Ordinal);
        Assert.Empty(Graph.Records(Tenant));
    }

    [Fact]
    public async Task A_dropped_connection_while_polling_is_tried_again_at_the_next_poll()
    {
        FillHub(30);
        Graph.FailNext(GraphRequestKind.List, 1, 0);

        var result = await RegisterAsync("--json");

        AssertExit(0, result);
        Assert.Contains("cannot reach Microsoft Graph while reading import records", result.Error, StringComparison.Ordinal);
        Assert.Contains("trying again at the next poll", result.Error, StringComparison.Ordinal);
        Assert.Equal(30, Json(result).GetProperty("devices").GetProperty("registered").GetInt32());
        Assert.Empty(Graph.Records(Tenant));
    }

    [Fact]
    public async Task A_500_to_a_batch_of_deletes_is_retried_by_the_sdk_but_an_import_is_never_repeated_after_one()
    {
        FillHub(2);
        Graph.FailNext(GraphRequestKind.Import, 1, 500);

        var import = await RegisterAsync();
        Graph.FailNext(GraphRequestKind.Batch, 2, 500);
        var next = await RegisterAsync();

        AssertExit(4, import);
        Assert.Contains("Graph answered 500 InternalServerError while importing devices", import.Error, StringComparison.Ordinal);
        Assert.Single(Graph.Requests, r => r.Kind == GraphRequestKind.Import && r.Status == 500);
        AssertExit(0, next);
        Assert.Equal(2, Graph.Requests.Count(r => r.Kind == GraphRequestKind.Batch && r.Status == 500));
        Assert.All(Graph.Imports.Values, times => Assert.Equal(1, times));
        Assert.Empty(Graph.Records(Tenant));
    }

    [Fact]
    public async Task A_token_Graph_refuses_is_exit_4_in_one_line_and_nothing_is_recorded()
    {
        FillHub(2);
        Graph.Refuse(TenantToken, 401);

        var result = await RegisterAsync();

        AssertExit(4, result);
        Assert.Single(result.Error.TrimEnd().Split('\n'), l => l.StartsWith("collector: Graph refused the credential", StringComparison.Ordinal));
        Assert.Contains("401 InvalidAuthenticationToken", result.Error, StringComparison.Ordinal);
        Assert.Contains("az account get-access-token --resource https://graph.microsoft.com", result.Error, StringComparison.Ordinal);
        Assert.Empty(Registrations());
    }

    [Fact]
    public async Task A_token_without_the_permission_names_the_permission_and_what_the_token_carries()
    {
        FillHub(2);
        var token = Token(Tenant, "User.Read DeviceManagementManagedDevices.Read.All");
        Graph.AddTenant(Tenant, token);
        Graph.Refuse(token, 403);

        var result = await RegisterWithAsync(new() { [GraphToken.EnvironmentVariable] = token }, null);

        AssertExit(4, result);
        Assert.Contains("needs DeviceManagementServiceConfig.ReadWrite.All", result.Error, StringComparison.Ordinal);
        Assert.Contains("carries only User.Read, DeviceManagementManagedDevices.Read.All", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.Error + result.Out, StringComparison.Ordinal);
        Assert.Empty(Registrations());
    }

    [Fact]
    public async Task A_token_of_another_tenant_is_refused_before_anything_is_sent()
    {
        FillHub(2);
        var token = Token(OtherTenant, "DeviceManagementServiceConfig.ReadWrite.All");

        var result = await RegisterWithAsync(new() { [GraphToken.EnvironmentVariable] = token }, null);

        AssertExit(4, result);
        Assert.Contains($"is a token of tenant {OtherTenant:D}, but devices to register belong to tenant {Tenant:D}", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.Error + result.Out, StringComparison.Ordinal);
        Assert.Empty(Graph.Requests);
        Assert.Empty(Registrations());
    }

    [Fact]
    public async Task An_expired_token_is_refused_before_anything_is_sent()
    {
        FillHub(1);
        var token = Token(Tenant, "DeviceManagementServiceConfig.ReadWrite.All", DateTimeOffset.UtcNow.AddMinutes(-5));

        var result = await RegisterWithAsync(new() { [GraphToken.EnvironmentVariable] = token }, null);

        AssertExit(4, result);
        Assert.Contains("COLLECTOR_GRAPH_TOKEN expired at", result.Error, StringComparison.Ordinal);
        Assert.Empty(Graph.Requests);
    }

    [Fact]
    public async Task A_failed_sign_in_is_exit_4_in_one_line_and_nothing_is_sent_or_recorded()
    {
        FillHub(2);

        var result = await RegisterWithAsync(new(), _ => new FailingCredential());

        AssertExit(4, result);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.StartsWith($"collector: signing in to Microsoft Graph for tenant {Tenant:D} failed (AADSTS50076: MFA is required.)", result.Error, StringComparison.Ordinal);
        Assert.Contains("az login --tenant", result.Error, StringComparison.Ordinal);
        Assert.Empty(Graph.Requests);
        Assert.Empty(Registrations());
    }

    [Fact]
    public async Task Two_tenants_are_each_signed_in_to_and_their_devices_go_to_their_own_tenant()
    {
        FillHub(3);
        FillHub(2, OtherTenant, first: 50);
        var otherToken = Token(OtherTenant, "DeviceManagementServiceConfig.ReadWrite.All");
        Graph.AddTenant(OtherTenant, otherToken);
        var asked = new List<Guid>();

        var result = await RegisterWithAsync(new(), tenant =>
        {
            asked.Add(tenant);
            return new FixedCredential(tenant == Tenant ? TenantToken : otherToken);
        }, "--json");

        AssertExit(0, result);
        Assert.Equal(new[] { OtherTenant, Tenant }.Order(), asked);
        Assert.Equal(2, Json(result).GetProperty("imports").GetInt32());
        Assert.Equal([Serial(1), Serial(2), Serial(3)], Graph.Created.Where(r => r.Tenant == Tenant).Select(r => r.Serial).Order(StringComparer.Ordinal));
        Assert.Equal([Serial(50), Serial(51)], Graph.Created.Where(r => r.Tenant == OtherTenant).Select(r => r.Serial).Order(StringComparer.Ordinal));
        Assert.Empty(Graph.Records());
        Assert.DoesNotContain(otherToken, result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_token_for_devices_of_two_tenants_is_refused_with_what_to_do()
    {
        FillHub(1);
        FillHub(1, OtherTenant, first: 50);

        var result = await RegisterAsync();

        AssertExit(4, result);
        Assert.Contains($"Pass --tenant {Tenant:D}", result.Error, StringComparison.Ordinal);
        Assert.Empty(Graph.Requests);
    }

    [Fact]
    public async Task An_import_whose_answer_is_lost_is_found_by_its_import_id_and_not_imported_again()
    {
        FillHub(3);
        Graph.FailNext(GraphRequestKind.Import, 1, GraphStandIn.AnswerLost);

        var first = await RegisterAsync();
        var second = await RegisterAsync("--json");

        AssertExit(4, first);
        Assert.Contains("looked for by import id next time, not sent again", first.Error, StringComparison.Ordinal);
        AssertExit(0, second);
        Assert.Contains("looking for the import records of 3 devices", second.Error, StringComparison.Ordinal);
        Assert.Equal(0, Json(second).GetProperty("imports").GetInt32());
        Assert.Equal(3, Json(second).GetProperty("devices").GetProperty("registered").GetInt32());
        Assert.All(Graph.Imports.Values, times => Assert.Equal(1, times));
        Assert.Empty(Graph.Records(Tenant));
    }

    [Fact]
    public async Task An_import_that_never_arrived_is_sent_again_by_the_next_run()
    {
        FillHub(2);
        Graph.FailNext(GraphRequestKind.Import, 1, 0);

        var first = await RegisterAsync();
        var second = await RegisterAsync("--json");

        AssertExit(4, first);
        AssertExit(0, second);
        Assert.Equal(1, Json(second).GetProperty("imports").GetInt32());
        Assert.All(Graph.Imports.Values, times => Assert.Equal(1, times));
        Assert.All(Registrations(), r => Assert.Equal(RegistrationStates.Registered, r.State));
    }

    [Theory]
    [InlineData(2, "--tenant", "not-a-guid", "is not a GUID")]
    [InlineData(1, "--poll-interval", "0", "--poll-interval must be more than 0 seconds")]
    [InlineData(1, "--poll-interval", "-5", "--poll-interval must be more than 0 seconds")]
    [InlineData(1, "--timeout", "0", "--timeout must be more than 0 minutes")]
    [InlineData(1, "--poll-interval", "abc", "--poll-interval must be more than 0 seconds, not 'abc'")]
    [InlineData(1, "--timeout", "NaN", "--timeout must be more than 0 minutes")]
    [InlineData(2, "--graph", "http://graph.example.com", "plain http to another computer")]
    [InlineData(2, "--graph", "ftp://127.0.0.1", "is not an http(s) URL")]
    [InlineData(2, "--graph", "https://graph.microsoft.com/beta", "not a path under it")]
    [InlineData(2, "--group-tag", "a,b", "group tag")]
    public async Task Bad_input_is_one_clear_line_its_exit_code_and_nothing_sent_or_recorded(int exit, string option, string value, string message)
    {
        FillHub(1);

        var result = await RegisterAsync(option, value);

        AssertExit(exit, result);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Empty(Graph.Requests);
        Assert.Empty(Registrations());
    }

    private sealed class FailingCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException("AADSTS50076: MFA is required.\nTrace ID: 1234");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException("AADSTS50076: MFA is required.\nTrace ID: 1234");
    }

    private sealed class FixedCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
