using System.Globalization;
using System.Net.Http.Headers;

namespace Collector.Workstation.Graph;

/// <summary>
/// Sits below the SDK's retry handler and sees every answer first. For one the retry handler will
/// retry, it says on stderr what is waited for, and hands the retry handler a Retry-After in
/// seconds. Why: RFC 9110 allows Retry-After as seconds or an HTTP date; Kiota's RetryHandler
/// (kiota-dotnet src/http/httpClient/Middleware/RetryHandler.cs, DelayAsync) compares a date with
/// the local clock (<c>DateTime.Now</c>, wrong outside UTC) and keeps only the seconds component
/// of the difference (<c>TimeSpan.Seconds</c>: 90 s becomes 30 s). Seconds it reads right.
/// </summary>
public sealed class RetryAfterHandler(TimeProvider clock, Func<HttpResponseMessage, bool> willRetry, Action<string> onWait) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!willRetry(response))
        {
            return response;
        }

        var status = (int)response.StatusCode;
        if (response.Headers.RetryAfter is { Date: { } date })
        {
            var seconds = Math.Max(0, (int)Math.Ceiling((date - clock.GetUtcNow()).TotalSeconds));
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        onWait(response.Headers.RetryAfter?.Delta is { } delta
            ? $"Graph answered {status} ({Reason(status)}): waiting {delta.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s as it asks (Retry-After), then trying again"
            : $"Graph answered {status} ({Reason(status)}): backing off, then trying again");
        return response;
    }

    private static string Reason(int status) => status switch
    {
        429 => "too many requests",
        500 => "internal error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => "busy",
    };
}
