using System.Net;
using Azure.Core;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace Collector.Workstation.Graph;

/// <summary>
/// How patient the Graph client is: the SDK's retry handler's tries and first back-off, the total
/// time its waits may add up to per request, and how long one request may take.
/// </summary>
public sealed record GraphClientSettings(int MaxRetries, int FirstRetryDelaySeconds, TimeSpan RetryTimeLimit, TimeSpan RequestTimeout)
{
    /// <summary>
    /// Up to 6 retries, 3 s then doubling (the SDK's shape), at most 5 minutes of waiting per
    /// request: throttling past that is better reported than hidden.
    /// </summary>
    public static GraphClientSettings Default { get; } = new(6, 3, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(100));
}

/// <summary>
/// The one way <c>collector</c> reaches Microsoft Graph (as <see cref="Tables.TableClients"/> is
/// for tables): the Graph SDK's own handler pipeline and request adapter, pointed at the
/// endpoint's base URL, with the token sent to that host only.
/// </summary>
/// <remarks>
/// The SDK's <see cref="RetryHandler"/> does the retrying: 429, 503 and 504 as it does by default,
/// plus 500 and 502 for requests that are safe to repeat. The import POST is repeated only after
/// 429 and 503, which Graph sends before doing anything; after a 5xx or a dropped connection it
/// may have landed, so the run looks for its records (by import id) instead of sending it again.
/// <see cref="RetryAfterHandler"/> sits below the retry handler, to say on stderr what is waited
/// for and to hand it a Retry-After it reads right.
/// </remarks>
/// <param name="transport">The last handler (tests may count or break connections); null: the SDK's default.</param>
public sealed class GraphClients(GraphClientSettings settings, HttpMessageHandler? transport = null)
{
    public static GraphClients Default() => new(GraphClientSettings.Default);

    /// <summary>Tries per request: the first and the retries (what a failure reports).</summary>
    public int Tries => settings.MaxRetries + 1;

    public GraphServiceClient Connect(GraphEndpoint endpoint, TokenCredential credential, TimeProvider clock, Action<string> onWait)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        var retry = handlers.IndexOf(handlers.Single(h => h is RetryHandler));
        handlers[retry] = new RetryHandler(new RetryHandlerOption
        {
            MaxRetry = settings.MaxRetries,
            Delay = settings.FirstRetryDelaySeconds,
            RetriesTimeLimit = settings.RetryTimeLimit,
            ShouldRetry = (_, _, response) => ShouldRetry(response),
        });
        handlers.Add(new RetryAfterHandler(clock, response => ShouldRetry(response), onWait));

        var http = GraphClientFactory.Create(handlers, finalHandler: transport, disposeHandler: transport is null);
        http.Timeout = settings.RequestTimeout;
        var authentication = new AzureIdentityAuthenticationProvider(credential, [endpoint.Host], null, true, GraphSignIn.Scope);
        return new GraphServiceClient(http, authentication, endpoint.BaseUrl);
    }

    /// <summary>Whether the SDK's retry handler sends the request again after this answer.</summary>
    public static bool ShouldRetry(HttpResponseMessage response) => (int)response.StatusCode switch
    {
        429 or 503 => true,
        500 or 502 or 504 => !IsImport(response.RequestMessage),
        _ => false,
    };

    /// <summary>The import action: the one request that is not safe to repeat blindly.</summary>
    public static bool IsImport(HttpRequestMessage? request) =>
        request is { } r && r.Method == HttpMethod.Post
        && r.RequestUri?.AbsolutePath.EndsWith("/importedWindowsAutopilotDeviceIdentities/import", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>A status Graph sends before doing anything: nothing of the request landed.</summary>
    public static bool NothingLanded(int status) => status is (int)HttpStatusCode.TooManyRequests or (int)HttpStatusCode.ServiceUnavailable;
}
