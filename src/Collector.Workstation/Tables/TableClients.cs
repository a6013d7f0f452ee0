using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Collector.Core.Errors;

namespace Collector.Workstation.Tables;

/// <summary>
/// The one way <c>collector</c> reaches a table (azure-sdk-for-net's shape: one
/// <see cref="TableClientOptions"/>, every client made from it): sync, status and export connect
/// through here, so the retry policy, the time limits, the pipeline (tests add policies and
/// shorten delays) and the credential for Entra ID targets are set in one place.
/// </summary>
public sealed class TableClients
{
    /// <summary>How long one try may wait for an answer (the SDK's default is 100 s).</summary>
    public static readonly TimeSpan DefaultNetworkTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long one request may take with all its tries: past it, the request fails (exit 4).</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(2);

    private readonly TableClientOptions options;
    private readonly TokenCredential? credential;
    private readonly TableRetryWatch watch;

    /// <param name="options">The client options; <see cref="DefaultOptions"/> unless a test or benchmark starts from them and changes some. A policy that watches retries is added to them.</param>
    /// <param name="credential">For Entra ID targets; null: <see cref="DefaultAzureCredential"/>.</param>
    /// <param name="deadline">How long one request may take with its retries; null: <see cref="DefaultDeadline"/>.</param>
    public TableClients(TableClientOptions options, TokenCredential? credential = null, TimeSpan? deadline = null)
    {
        this.options = options;
        this.credential = credential;
        Deadline = deadline ?? DefaultDeadline;
        watch = new TableRetryWatch(Deadline, Tries);
        options.AddPolicy(watch, HttpPipelinePosition.PerRetry);
    }

    /// <summary>Tries per request: the first and the SDK's retries (what a failure reports).</summary>
    public int Tries => options.Retry.MaxRetries + 1;

    public TimeSpan Deadline { get; }

    /// <summary>
    /// The SDK's exponential retry (408, 429, 5xx, timeouts, resets), with more tries than its
    /// default 3: a desk on a poor network should finish rather than stop. A try waits at most
    /// <see cref="DefaultNetworkTimeout"/> for an answer, and a request at most the deadline in
    /// all. No retry loop of ours wraps it; sync's conflicts are re-decided, not retried.
    /// </summary>
    public static TableClientOptions DefaultOptions()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 6;
        options.Retry.Delay = TimeSpan.FromSeconds(1);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        options.Retry.NetworkTimeout = DefaultNetworkTimeout;
        options.Diagnostics.ApplicationId = CollectorApp.Name;
        return options;
    }

    public static TableClients Default() => new(DefaultOptions());

    /// <summary>
    /// The table <paramref name="target"/> names, for <paramref name="use"/>; its failures explained
    /// for that use, and a line on <paramref name="progress"/> whenever a request is tried again.
    /// Made before anything is touched: a target the SDK cannot read is exit 2 here, not later.
    /// </summary>
    public TableConnection Connect(TableTarget target, TableUse use, TimeProvider clock, TextWriter? progress = null)
    {
        watch.Report = progress is null ? null : line => progress.WriteLine($"{CollectorApp.Name}: {line}");
        TableClient client;
        try
        {
            client = target.Kind switch
            {
                TableTargetKind.ConnectionString => new TableClient(target.Text, target.TableName, options),
                TableTargetKind.SasUrl => new TableClient(new Uri(target.Text), options),
                _ => new TableClient(target.AccountUri, target.TableName, credential ?? new DefaultAzureCredential(), options),
            };
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // Not the SDK's text: it may quote the target. Our own checks name the fault first; this is the backstop.
            throw new InvalidInputException($"the Azure SDK cannot use the table TARGET ({target}): check it, or give it in another form", e);
        }

        return new TableConnection(client, target, use, Tries, clock, new TableWaits($"{client.Uri.Host}:{client.Uri.Port}", options.Retry.NetworkTimeout, Deadline));
    }
}
