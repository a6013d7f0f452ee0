using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Collector.Testing;
using Collector.Workstation.Commands;
using Collector.Workstation.Tables;
using Collector.Workstation.Tests.Tables;

namespace Collector.Workstation.Tests.Sync;

/// <summary>
/// Runs sync in process through the same error handling as the CLI, with a chosen clock,
/// environment and table client options (short retry delays, policies that watch requests).
/// </summary>
public static class SyncRunner
{
    public static SyncCommand.Services Services(params HttpPipelinePolicy[] policies) => Services(TimeSpan.FromMilliseconds(500), policies);

    public static SyncCommand.Services Services(TimeSpan hubLockWait, params HttpPipelinePolicy[] policies) =>
        new(new TableClients(ClientOptions(policies)), hubLockWait);

    /// <summary>The product's client options with short retry delays and <paramref name="policies"/> watching every try.</summary>
    public static TableClientOptions ClientOptions(params HttpPipelinePolicy[] policies)
    {
        var options = TableClients.DefaultOptions();
        options.Retry.MaxRetries = 8;
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        foreach (var policy in policies)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        return options;
    }

    public static async Task<CliResult> RunAsync(
        SyncCommand.Options options, SyncCommand.Services services, TimeProvider? clock = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new WorkstationContext(output, error, clock ?? TimeProvider.System, name => environment?.GetValueOrDefault(name));

        var exitCode = await context.RunAsync(() => SyncCommand.RunAsync(options, context, services, cancellationToken));

        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public static SyncCommand.Options Options(string hub, string? table, params string[] paths) =>
        new(paths, hub, table, null, false, Json: true);

    /// <summary>
    /// Syncs <paramref name="paths"/> into <paramref name="table"/> on Azurite (its connection
    /// string), requests seen by <paramref name="log"/> when given; the account key must appear
    /// in no output.
    /// </summary>
    public static async Task<CliResult> ToAzuriteAsync(Collector.Testing.Azurite azurite, string hub, string table, RequestLog? log, params string[] paths)
    {
        var result = await RunAsync(Options(hub, azurite.ConnectionString, paths) with { TableName = table },
            log is null ? Services() : Services(log));
        TestTables.AssertNoSecret(result, Collector.Testing.Azurite.AccountKey);
        return result;
    }
}
