using Azure.Identity;
using Collector.Core.Captures;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace Collector.Workstation.Graph;

/// <summary>What register was doing when Graph failed: the message names it.</summary>
public enum GraphOperation
{
    Import,
    Poll,
    Delete,
}

/// <summary>
/// How a Graph call failed, classified once: by the HTTP status the SDK reports
/// (<see cref="ApiException.ResponseStatusCode"/>, Graph's error code where it sent one), never
/// by message text, so no response detail (and no token) is carried into what we print.
/// </summary>
/// <param name="Status">The HTTP status, or 0 when no answer came (network, timeout).</param>
/// <param name="Code">Graph's error code (<c>error.code</c>), when it sent one.</param>
/// <param name="Detail">For a failure without an answer: the first line of what the network said.</param>
public sealed record GraphFailure(int Status, string? Code, string? Detail)
{
    /// <summary>The credential or its permission was refused: nothing else will work this run.</summary>
    public bool Refused => Status is 401 or 403;

    /// <summary>Graph answered before doing anything (429, 503), or refused the request as it stands (4xx).</summary>
    public bool NothingLanded => GraphClients.NothingLanded(Status) || Status is >= 400 and < 500;

    /// <summary>
    /// What <see cref="Classify"/> handles: the SDK's errors, the retry handler giving up, the
    /// network, a timeout nobody asked for, a sign-in failing mid-run. Not a Ctrl+C.
    /// </summary>
    public static bool IsGraphFailure(Exception e, CancellationToken cancellationToken) =>
        e is ApiException or AggregateException or HttpRequestException or AuthenticationFailedException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public static GraphFailure Classify(Exception e) => e switch
    {
        ODataError { Error.Code: { Length: > 0 } code } o => new(o.ResponseStatusCode, code, null),
        ApiException a => new(a.ResponseStatusCode, null, null),
        AggregateException g => g.InnerExceptions.LastOrDefault() is { } last ? Classify(last) : new(0, null, DisplayText.FirstLine(g.Message)),
        AuthenticationFailedException => new(401, "SignInFailed", DisplayText.FirstLine(e.Message)),
        OperationCanceledException => new(0, null, "no answer within the request timeout"),
        _ => new(0, null, DisplayText.FirstLine((e.InnerException ?? e).Message)),
    };

    /// <summary>The one line for this failure, which happened while <paramref name="operation"/> for <paramref name="tenant"/>.</summary>
    public string Explain(GraphEndpoint endpoint, Guid tenant, GraphOperation operation, GraphToken? token, int tries)
    {
        var what = $"{Verb(operation)} at {endpoint} for tenant {tenant:D}";
        return Status switch
        {
            401 when Code == "SignInFailed" => $"signing in to Microsoft Graph for tenant {tenant:D} failed while {what} ({Detail}): run az login --tenant {tenant:D}, or set {GraphToken.EnvironmentVariable}",
            401 => $"Graph refused the credential while {what} (401{CodeText}): the token has expired or is not a Microsoft Graph token of tenant {tenant:D}; " +
                   $"get a new one ({GraphSignIn.AzCommand(tenant)}) or sign in again",
            403 => $"Graph refused while {what} (403{CodeText}): the signed-in identity needs {GraphSignIn.Permission} " +
                   "(delegated: an Intune Administrator or Policy and Profile Manager; an app: the application permission with admin consent)" + Carries(token),
            // The SDK retries answers, not a connection that failed; the import is retried only after 429 and 503.
            0 => $"cannot reach Microsoft Graph while {what} ({Detail}): check the network and run collector register again",
            429 or 503 => $"Graph kept answering {Status}{CodeText} while {what} after {tries} tries: run collector register again later",
            >= 500 when operation == GraphOperation.Import => $"Graph answered {Status}{CodeText} while {what}: run collector register again later",
            >= 500 => $"Graph kept answering {Status}{CodeText} while {what} after {tries} tries: run collector register again later",
            _ => $"Graph refused the request while {what} ({Status}{CodeText})",
        };
    }

    private string CodeText => Code is null ? "" : " " + Code;

    private static string Carries(GraphToken? token) => token switch
    {
        { Permissions.Count: > 0 } t when !t.Permissions.Contains(GraphSignIn.Permission, StringComparer.OrdinalIgnoreCase) =>
            $"; the token in {GraphToken.EnvironmentVariable} carries only {string.Join(", ", t.Permissions)}",
        _ => "",
    };

    private static string Verb(GraphOperation operation) => operation switch
    {
        GraphOperation.Import => "importing devices",
        GraphOperation.Poll => "reading import records",
        _ => "deleting import records",
    };
}
