using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Collector.Testing.Graph;

/// <summary>What a request to the stand-in was, for counting: a $batch's steps count as their own kinds too.</summary>
public enum GraphRequestKind
{
    Import,
    List,
    Get,
    Delete,
    Batch,
    Other,
}

/// <summary>One request the stand-in answered (top level, or a step of a batch).</summary>
public sealed record GraphRequest(DateTimeOffset At, GraphRequestKind Kind, string Method, string PathAndQuery, int Status, bool InBatch, string? Authorization);

/// <summary>
/// A stand-in for Microsoft Graph's Autopilot import API on 127.0.0.1 (a real HTTP server:
/// Kestrel), written from Graph v1.0's documentation: the import action (at most 500 devices,
/// hardwareIdentifier as padded base64 — an unpadded one is refused with Graph's Edm.Binary
/// error), get, list with <c>@odata.nextLink</c> paging, delete, JSON <c>$batch</c> (at most 20
/// steps), bearer tokens per tenant. Scripted: each serial's outcome (complete, 806, 808, 802,
/// stays unknown), how many reads before a record answers, faults for the next requests of a
/// kind (429 with Retry-After in seconds or as a date, 503, 401, 403, a dropped connection),
/// latency added to every request, and a log of every request by kind.
/// </summary>
public sealed partial class GraphStandIn : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly Dictionary<string, Guid> tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> refusedTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StandInOutcome> outcomes = new(StringComparer.Ordinal);
    private readonly List<StandInRecord> records = [];
    private readonly Dictionary<GraphRequestKind, Queue<(int Status, string? RetryAfter)>> faults = [];
    private readonly ConcurrentQueue<GraphRequest> log = new();
    private readonly List<string> hardwareIdentifiers = [];
    private readonly List<StandInRecord> created = [];
    private readonly List<string> deleted = [];
    private readonly Dictionary<string, int> imports = new(StringComparer.Ordinal);
    private int nextId;

    private GraphStandIn(WebApplication app) => this.app = app;

    /// <summary>
    /// http://127.0.0.1:PORT: what <c>--graph</c> is given, and the address its links name. A
    /// proxy in front (the benchmarks' <see cref="LatencyProxy"/>) sets its own, so links lead through it.
    /// </summary>
    public Uri Root { get; set; } = null!;

    /// <summary>Records per list page (Graph decides its own; the nextLink carries the rest).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Reads of a record that still show <c>unknown</c> before its outcome shows (1: answered at the second poll).</summary>
    public int ReadsBeforeAnswer { get; set; } = 1;

    /// <summary>Added to every request before it is answered (a real service's round trip).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Called after an import is carried out, before it is answered (a test changes the world meanwhile).</summary>
    public Action? OnImport { get; set; }

    /// <summary>What an unscripted serial gets.</summary>
    public StandInOutcome DefaultOutcome { get; set; } = StandInOutcome.Complete;

    public static async Task<GraphStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var standIn = new GraphStandIn(app);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.Root = new Uri(address);
        return standIn;
    }

    /// <summary>Makes <paramref name="token"/> a valid bearer token for <paramref name="tenant"/>.</summary>
    public void AddTenant(Guid tenant, string token)
    {
        lock (gate)
        {
            tokens[token] = tenant;
        }
    }

    /// <summary>Answers every request with <paramref name="token"/> with <paramref name="status"/> (401: not accepted; 403: lacks the permission).</summary>
    public void Refuse(string token, int status)
    {
        lock (gate)
        {
            refusedTokens[token] = status;
        }
    }

    public void Script(string serial, StandInOutcome outcome)
    {
        lock (gate)
        {
            outcomes[serial] = outcome;
        }
    }

    /// <summary>From now on, <paramref name="serial"/>'s records (those made already too) answer <paramref name="outcome"/>.</summary>
    public void ChangeAnswer(string serial, StandInOutcome outcome)
    {
        lock (gate)
        {
            outcomes[serial] = outcome;
            foreach (var record in records.Where(r => r.Serial == serial))
            {
                record.Outcome = outcome;
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests of <paramref name="kind"/> fail with
    /// <paramref name="status"/> (0: the connection is dropped before the request is
    /// handled; <see cref="AnswerLost"/>: it is handled, then the connection is dropped), with
    /// <paramref name="retryAfter"/> as the Retry-After header when given.
    /// </summary>
    public void FailNext(GraphRequestKind kind, int count, int status, string? retryAfter = null)
    {
        lock (gate)
        {
            if (!faults.TryGetValue(kind, out var queue))
            {
                faults[kind] = queue = new Queue<(int, string?)>();
            }

            for (var i = 0; i < count; i++)
            {
                queue.Enqueue((status, retryAfter));
            }
        }
    }

    /// <summary>An import record someone else made (the admin center, another tool): never ours to touch.</summary>
    public string AddForeignRecord(Guid tenant, string serial)
    {
        lock (gate)
        {
            var record = NewRecord(tenant, serial, "QUJD", "", "", "", "foreign-" + serial);
            records.Add(record);
            return record.Id;
        }
    }

    /// <summary>A fault status: the request is carried out, and its answer never arrives.</summary>
    public const int AnswerLost = -1;

    public IReadOnlyList<GraphRequest> Requests => [.. log];

    /// <summary>Requests of <paramref name="kind"/>; top level only unless <paramref name="inBatch"/>.</summary>
    public int Count(GraphRequestKind kind, bool inBatch = false) => log.Count(r => r.Kind == kind && r.InBatch == inBatch);

    /// <summary>The import records Graph holds now.</summary>
    public IReadOnlyList<StandInRecord> Records(Guid? tenant = null)
    {
        lock (gate)
        {
            return [.. records.Where(r => tenant is null || r.Tenant == tenant)];
        }
    }

    /// <summary>Every import record ever made (deleted ones too), as it was made.</summary>
    public IReadOnlyList<StandInRecord> Created
    {
        get
        {
            lock (gate)
            {
                return [.. created];
            }
        }
    }

    /// <summary>Every hardwareIdentifier received, as sent.</summary>
    public IReadOnlyList<string> HardwareIdentifiers
    {
        get
        {
            lock (gate)
            {
                return [.. hardwareIdentifiers];
            }
        }
    }

    /// <summary>How many times each serial was imported.</summary>
    public IReadOnlyDictionary<string, int> Imports
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, int>(imports, StringComparer.Ordinal);
            }
        }
    }

    public IReadOnlyList<string> Deleted
    {
        get
        {
            lock (gate)
            {
                return [.. deleted];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        var request = context.Request;
        var path = request.Path.Value ?? "";
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        var kind = Kind(request.Method, path);
        var authorization = request.Headers.Authorization.ToString();
        (int Status, string? RetryAfter)? fault = null;
        lock (gate)
        {
            if (faults.TryGetValue(kind, out var queue) && queue.Count > 0)
            {
                fault = queue.Dequeue();
            }
        }

        if (fault is { Status: 0 })
        {
            Log(kind, request.Method, path + request.QueryString, 0, false, authorization);
            context.Abort(); // a dropped connection: no answer at all
            return;
        }

        var answer = fault is { Status: > 0 } f
            ? Answer.Error(f.Status, f.Status switch
            {
                429 => "TooManyRequests",
                500 => "InternalServerError",
                502 => "BadGateway",
                504 => "GatewayTimeout",
                401 => "InvalidAuthenticationToken",
                403 => "Forbidden",
                _ => "ServiceUnavailable",
            }, "scripted fault", f.RetryAfter)
            : Authenticate(authorization) is var (tenant, refusal) && refusal is not null ? refusal
            : kind == GraphRequestKind.Batch ? Batch(tenant, body)
            : Dispatch(tenant, request.Method, path, request.QueryString.Value ?? "", body);
        Log(kind, request.Method, path + request.QueryString, answer.Status, false, authorization);
        if (fault is { Status: AnswerLost })
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        if (answer.Json is { } json)
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(json);
        }
    }

    private (Guid Tenant, Answer? Refusal) Authenticate(string authorization)
    {
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : "";
        lock (gate)
        {
            if (refusedTokens.TryGetValue(token, out var status))
            {
                return (Guid.Empty, status == 403
                    ? Answer.Error(403, "Forbidden", "Application is not authorized to perform this operation.")
                    : Answer.Error(401, "InvalidAuthenticationToken", "Access token validation failure."));
            }

            return tokens.TryGetValue(token, out var tenant)
                ? (tenant, null)
                : (Guid.Empty, Answer.Error(401, "InvalidAuthenticationToken", token.Length == 0 ? "Access token is empty." : "Access token validation failure."));
        }
    }

    private void Log(GraphRequestKind kind, string method, string pathAndQuery, int status, bool inBatch, string? authorization) =>
        log.Enqueue(new GraphRequest(DateTimeOffset.UtcNow, kind, method, pathAndQuery, status, inBatch, authorization));

    private static GraphRequestKind Kind(string method, string path)
    {
        const string collection = "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities";
        if (path.Equals("/v1.0/$batch", StringComparison.Ordinal) && method == "POST")
        {
            return GraphRequestKind.Batch;
        }

        if (!path.StartsWith(collection, StringComparison.Ordinal))
        {
            return GraphRequestKind.Other;
        }

        var rest = path[collection.Length..].Trim('/');
        return (method, rest) switch
        {
            ("POST", "import") => GraphRequestKind.Import,
            ("GET", "") => GraphRequestKind.List,
            ("GET", _) when !rest.Contains('/', StringComparison.Ordinal) => GraphRequestKind.Get,
            ("DELETE", _) when rest.Length > 0 && !rest.Contains('/', StringComparison.Ordinal) => GraphRequestKind.Delete,
            _ => GraphRequestKind.Other,
        };
    }
}
