using Collector.Core.Errors;

namespace Collector.Workstation.Graph;

/// <summary>
/// Where <c>collector register</c> reaches Microsoft Graph: https://graph.microsoft.com unless
/// <c>--graph URL</c> or COLLECTOR_GRAPH_URL says otherwise (a national cloud, or a stand-in on
/// this computer). A token is only ever sent over https, except to this computer itself, where
/// the SDK allows plain http too (Kiota's AzureIdentityAccessTokenProvider: localhost, 127.0.0.1, [::1]).
/// </summary>
public sealed class GraphEndpoint
{
    public const string EnvironmentVariable = "COLLECTOR_GRAPH_URL";

    /// <summary>The documented root of Microsoft Graph (global cloud).</summary>
    public static readonly Uri DefaultRoot = new("https://graph.microsoft.com");

    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "::1"];

    private GraphEndpoint(Uri root) => Root = root;

    /// <summary>The root: scheme, host and port.</summary>
    public Uri Root { get; }

    /// <summary>The v1.0 base URL the request adapter is pointed at.</summary>
    public string BaseUrl => Root.AbsoluteUri.TrimEnd('/') + "/v1.0";

    /// <summary>The one host the token may be sent to.</summary>
    public string Host => Root.Host;

    /// <summary>The endpoint from <c>--graph</c>, else COLLECTOR_GRAPH_URL, else Graph's global root.</summary>
    public static GraphEndpoint Resolve(string? option, Func<string, string?> environment)
    {
        var (raw, source) = !string.IsNullOrWhiteSpace(option) ? (option, "--graph")
            : environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? (fromEnvironment, EnvironmentVariable)
            : (null, null);
        return raw is null ? new GraphEndpoint(DefaultRoot) : Parse(raw.Trim(), source!);
    }

    private static GraphEndpoint Parse(string raw, string source)
    {
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new InvalidInputException($"{source} '{DisplayText(raw)}' is not an http(s) URL; Microsoft Graph is https://graph.microsoft.com");
        }

        if (uri.Scheme == "http" && !LoopbackHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidInputException(
                $"{source} {uri.GetLeftPart(UriPartial.Authority)} is plain http to another computer: a token is sent only over https (http only to localhost, 127.0.0.1 or [::1])");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new InvalidInputException($"{source} must be Graph's root URL alone (like https://graph.microsoft.com), without a query, fragment or user name");
        }

        // The root alone: the SDK's $batch writes each step's URL as the request's path less its
        // first five characters ("/v1.0"), so Graph cannot sit under a path prefix.
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.Length > 0 && !path.Equals("/v1.0", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidInputException($"{source} must be Graph's root URL (scheme, host and port, like https://graph.microsoft.com), not a path under it");
        }

        return new GraphEndpoint(new Uri(uri.GetLeftPart(UriPartial.Authority)));
    }

    public override string ToString() => Root.AbsoluteUri.TrimEnd('/');

    private static string DisplayText(string text) => Core.Captures.DisplayText.Escape(text.Length > 80 ? text[..80] + "…" : text);
}
