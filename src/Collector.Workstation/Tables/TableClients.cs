using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;

namespace Collector.Workstation.Tables;

/// <summary>
/// The one way <c>collector</c> reaches a table (azure-sdk-for-net's shape: one
/// <see cref="TableClientOptions"/>, every client made from it): sync, status and export connect
/// through here, so the retry policy, the pipeline (tests add policies and shorten delays) and the
/// credential for Entra ID targets are set in one place.
/// </summary>
/// <param name="options">The client options; <see cref="DefaultOptions"/> unless a test or benchmark starts from them and changes some.</param>
/// <param name="credential">For Entra ID targets; null: <see cref="DefaultAzureCredential"/>.</param>
public sealed class TableClients(TableClientOptions options, TokenCredential? credential = null)
{
    /// <summary>Tries per request: the first and the SDK's retries (what a failure reports).</summary>
    public int Tries => options.Retry.MaxRetries + 1;

    /// <summary>
    /// The SDK's exponential retry (408, 429, 5xx, timeouts, resets), with more tries than its
    /// default 3: a desk on a poor network should finish rather than stop. No retry loop of ours
    /// wraps it; sync's conflicts are re-decided, not retried.
    /// </summary>
    public static TableClientOptions DefaultOptions()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 6;
        options.Retry.Delay = TimeSpan.FromSeconds(1);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        options.Diagnostics.ApplicationId = CollectorApp.Name;
        return options;
    }

    public static TableClients Default() => new(DefaultOptions());

    /// <summary>The table <paramref name="target"/> names, for <paramref name="use"/>; its failures explained for that use.</summary>
    public TableConnection Connect(TableTarget target, TableUse use, TimeProvider clock)
    {
        var client = target.Kind switch
        {
            TableTargetKind.ConnectionString => new TableClient(target.Text, target.TableName, options),
            TableTargetKind.SasUrl => new TableClient(new Uri(target.Text), options),
            _ => new TableClient(target.AccountUri, target.TableName, credential ?? new DefaultAzureCredential(), options),
        };
        return new TableConnection(client, target, use, Tries, clock);
    }
}
