using Collector.Workstation.Csv;

namespace Collector.Workstation.Export;

/// <summary>What marking one file did: how many devices were marked, and which changed meanwhile.</summary>
/// <param name="Changed">
/// Device keys whose source row changed between reading and marking (a sync replaced it with a
/// newer capture): written in the file, but not marked, so the newer capture is exported next time.
/// </param>
public sealed record ExportMarkResult(int Marked, IReadOnlyList<string> Changed);

/// <summary>
/// Where <c>collector export</c> reads devices and marks what it wrote: the hub or a table.
/// </summary>
public interface IExportSource : IAsyncDisposable
{
    /// <summary>What the source is, for the manifest and messages (never a secret).</summary>
    string Description { get; }

    /// <summary>The newest capture of each device, ordered by tenant, only those not yet exported unless told all.</summary>
    IAsyncEnumerable<ExportDevice> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Devices left out because Autopilot already has them (<c>collector register</c> registered
    /// them): known once <see cref="ReadAsync"/> has run; 0 with <c>--all</c>.
    /// </summary>
    long RegisteredLeftOut { get; }

    /// <summary>True when an earlier export already used this batch name.</summary>
    bool IsBatchNameTaken(string batch);

    /// <summary>Marks the devices of a file that is complete on disk as exported in <paramref name="batch"/>.</summary>
    Task<ExportMarkResult> MarkAsync(ExportBatch devices, string batch, string file, DateTimeOffset writtenAt, CancellationToken cancellationToken);
}
