using Azure.Data.Tables;
using Collector.Core.Errors;

namespace Collector.Workstation.Tables;

/// <summary>
/// One table as a command reaches it (made by <see cref="TableClients.Connect"/>): the client, and
/// the one way a call's failure becomes a <see cref="CloudException"/> that says what to do
/// (<see cref="TableFailures"/>).
/// </summary>
public sealed class TableConnection(TableClient client, TableTarget target, TableUse use, int tries, TimeProvider clock, TableWaits? waits = null)
{
    public TableClient Client => client;

    public TableTarget Target => target;

    /// <summary>
    /// The table's address, never its credential (scheme, host, account and table, lower case):
    /// what the hub's upload state refers to (<see cref="Hub.HubStore.UseUploadTarget"/>).
    /// </summary>
    public string Address => client.Uri.GetLeftPart(UriPartial.Path).ToLowerInvariant();

    /// <summary>
    /// Runs one table call; what the service or the network said becomes a
    /// <see cref="CloudException"/>, except a transaction refused for one of its actions (a
    /// conflict, one bad entity), which is the caller's to handle.
    /// </summary>
    public async Task<T> CallAsync<T>(TableOperation operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (TableFailures.IsOneActionsFault(e))
        {
            throw;
        }
        catch (Exception e) when (TableFailures.IsTableFailure(e, cancellationToken))
        {
            throw TableFailures.Explain(e, target, use, operation, clock.GetUtcNow(), tries, waits);
        }
    }

    /// <inheritdoc cref="CallAsync{T}"/>
    public Task CallAsync(TableOperation operation, Func<Task> call, CancellationToken cancellationToken) =>
        CallAsync(operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
