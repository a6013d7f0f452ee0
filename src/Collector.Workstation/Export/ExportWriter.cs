using System.Globalization;
using System.Text.Json;
using Collector.Core.Csv;
using Collector.Core.Errors;

namespace Collector.Workstation.Export;

/// <summary>One file in the manifest: its name, batch, and the devices it holds in file order.</summary>
public sealed record ManifestFile(string File, string Batch, int Devices, IReadOnlyList<string> Serials, IReadOnlyList<string> DeviceKeys);

/// <summary>The manifest beside a run's files for one tenant.</summary>
public sealed record ExportManifest(string Tenant, string Source, DateTimeOffset CreatedAt, IReadOnlyList<ManifestFile> Files);

/// <summary>
/// Names, writes and marks the files of one export, one at a time: a file is written whole and
/// flushed to the disk, then its devices are marked in the source; the manifest follows at the
/// end. A crash at any point leaves every marked device in a complete file, and every unmarked
/// one for the next export: it re-exports, never skips.
/// </summary>
/// <remarks>
/// Names are <c>autopilot-TENANT-yyyyMMdd-HHmmss-NNN.csv</c> (UTC), so they sort in the order they
/// were written; the manifest <c>autopilot-TENANT-yyyyMMdd-HHmmss-manifest.json</c> sorts after
/// them. A stamp already used (in the folder or, for the hub, by an earlier batch) moves on a
/// second; so does a run past file 999, so three digits always sort.
/// </remarks>
public sealed class ExportWriter(string folder, IExportSource source, IBatchFileWriter files, TimeProvider clock)
{
    private const int MaxFilesPerStamp = 999;
    private readonly List<ManifestFile> manifestFiles = [];
    private Guid? tenant;
    private DateTimeOffset stamp;
    private int sequence;

    public List<string> Files { get; } = [];

    public List<string> Manifests { get; } = [];

    public int Devices { get; private set; }

    /// <summary>Written, but changed in the source before they could be marked (see <see cref="ExportMarkResult"/>).</summary>
    public List<string> Changed { get; } = [];

    public async Task WriteAsync(ExportBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (tenant != batch.TenantId || sequence == MaxFilesPerStamp)
        {
            StartStamp(batch.TenantId, tenant == batch.TenantId ? stamp.AddSeconds(1) : clock.GetUtcNow());
        }

        sequence++;
        var name = $"{Prefix(batch.TenantId, stamp)}{sequence:D3}";
        var path = Path.Combine(folder, name + ".csv");
        try
        {
            files.Write(path, IntuneCsvWriter.Format(batch.Rows), replace: false);
        }
        catch (StorageException e)
        {
            throw new StorageException(
                $"{e.Message}: its {batch.Devices.Count} devices were not marked exported" +
                (Files.Count > 0 ? $"; the {Files.Count} file(s) written before it are complete and marked" : "; nothing was marked exported"), e);
        }

        Files.Add(path);
        Devices += batch.Devices.Count;

        var marked = await source.MarkAsync(batch, name, path, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        Changed.AddRange(marked.Changed);

        manifestFiles.Add(new ManifestFile(Path.GetFileName(path), name, batch.Devices.Count,
            [.. batch.Devices.Select(d => d.Serial)], [.. batch.Devices.Select(d => d.DeviceKey)]));
    }

    /// <summary>
    /// Writes the manifest of the files written since the last one: at the end of a run, and
    /// when a run stops on an error, for the files that are complete. (Rewriting it after every
    /// file would cost more than the files themselves; the hub's exports table and the files'
    /// names say the same if the process is killed first.)
    /// </summary>
    public void Finish()
    {
        if (manifestFiles.Count == 0)
        {
            return;
        }

        var manifest = new ExportManifest(tenant!.Value.ToString("D"), source.Description, stamp, [.. manifestFiles]);
        files.Write(ManifestPath(), JsonSerializer.SerializeToUtf8Bytes(manifest, JsonOutput.Options), replace: true);
        Manifests.Add(ManifestPath());
        manifestFiles.Clear();
    }

    private void StartStamp(Guid newTenant, DateTimeOffset from)
    {
        Finish();
        var candidate = new DateTimeOffset(from.UtcTicks - from.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        while (Taken(Prefix(newTenant, candidate)))
        {
            candidate = candidate.AddSeconds(1);
        }

        tenant = newTenant;
        stamp = candidate;
        sequence = 0;
    }

    private bool Taken(string prefix) =>
        (Directory.Exists(folder) && Directory.EnumerateFiles(folder, prefix + "*").Any())
        || source.IsBatchNameTaken(prefix + 1.ToString("D3", CultureInfo.InvariantCulture));

    private string ManifestPath() => Path.Combine(folder, Prefix(tenant!.Value, stamp) + "manifest.json");

    private static string Prefix(Guid tenant, DateTimeOffset stamp) =>
        $"autopilot-{tenant:D}-{stamp.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-";
}
