using Azure.Core;
using Azure.Identity;
using Collector.Core.Captures;
using Collector.Core.Errors;

namespace Collector.Workstation.Graph;

/// <summary>
/// Signs in to Microsoft Graph per tenant of the devices: the token in COLLECTOR_GRAPH_TOKEN as it
/// is (<see cref="GraphToken"/>); else <see cref="DefaultAzureCredential"/> for that tenant (Azure
/// CLI login, environment service principal, managed identity…); else, with a terminal attached,
/// device-code sign-in (the code is printed on stderr). The scope is Graph's <c>.default</c>;
/// what the identity needs is <see cref="Permission"/>.
/// </summary>
/// <param name="credentialFor">The credential for a tenant when no token is given (tests pass their own).</param>
public sealed class GraphSignIn(Func<Guid, TokenCredential> credentialFor)
{
    /// <summary>Graph's own audience: the token's scope is asked for it even where a stand-in answers.</summary>
    public const string Scope = "https://graph.microsoft.com/.default";

    /// <summary>The one permission the import API needs (delegated or application).</summary>
    public const string Permission = "DeviceManagementServiceConfig.ReadWrite.All";

    /// <summary>
    /// DefaultAzureCredential for the tenant, chained to device-code sign-in when a person is at
    /// a terminal to follow the code (<paramref name="terminal"/>); AZURE_CLIENT_ID, when set,
    /// names the app registration device-code sign-in uses.
    /// </summary>
    public static GraphSignIn Default(TextWriter progress, bool terminal, Func<string, string?> environment) => new(tenant =>
    {
        var id = tenant.ToString("D");
        TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { TenantId = id });
        if (!terminal)
        {
            return credential;
        }

        var deviceCode = new DeviceCodeCredentialOptions
        {
            TenantId = id,
            DeviceCodeCallback = (code, _) => progress.WriteLineAsync($"{CollectorApp.Name}: tenant {id}: {code.Message}"),
        };
        if (environment("AZURE_CLIENT_ID") is { Length: > 0 } clientId)
        {
            deviceCode.ClientId = clientId;
        }

        return new ChainedTokenCredential(credential, new DeviceCodeCredential(deviceCode));
    });

    /// <summary>The command that gets a token for <paramref name="tenant"/> with the Azure CLI.</summary>
    public static string AzCommand(Guid tenant) =>
        $"az account get-access-token --resource https://graph.microsoft.com --tenant {tenant:D} --query accessToken --output tsv";

    /// <summary>
    /// The credential for <paramref name="tenant"/>, having got a token from it once, so a
    /// sign-in that fails does so before anything is sent or recorded (exit 4, one line).
    /// </summary>
    public async Task<TokenCredential> SignInAsync(Guid tenant, GraphToken? token, bool terminal, CancellationToken cancellationToken)
    {
        if (token is not null)
        {
            return token;
        }

        var credential = credentialFor(tenant);
        try
        {
            await credential.GetTokenAsync(new TokenRequestContext([Scope], tenantId: tenant.ToString("D")), cancellationToken).ConfigureAwait(false);
            return credential;
        }
        catch (AuthenticationFailedException e)
        {
            throw new CloudException(
                $"signing in to Microsoft Graph for tenant {tenant:D} failed ({DisplayText.FirstLine(e.Message)}): set {GraphToken.EnvironmentVariable} " +
                $"({AzCommand(tenant)}), or run az login --tenant {tenant:D}" +
                (terminal ? "" : ", or run collector register in a terminal to sign in with a device code") +
                $"; the identity needs {Permission}", e);
        }
    }
}
