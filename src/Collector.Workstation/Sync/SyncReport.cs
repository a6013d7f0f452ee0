namespace Collector.Workstation.Sync;

/// <summary>What one sync did: counted while it runs, printed (or written as JSON) at the end.</summary>
public sealed class SyncReport
{
    private readonly List<SkippedPath> skipped = [];
    private readonly List<RejectedDevice> rejected = [];

    public int SticksMerged { get; set; }
    public long CapturesNew { get; set; }
    public long CapturesKnown { get; set; }
    public long Uploaded { get; set; }
    public long Unchanged { get; set; }
    public long NewerInTable { get; set; }

    /// <summary>Devices moved to <c>serial~uuid</c> because the table had their serial under another device.</summary>
    public long Collisions { get; set; }

    /// <summary>Devices whose newest capture the table is still not known to hold, after this run.</summary>
    public long Waiting { get; set; }

    public bool TableCreated { get; set; }

    /// <summary>Where the devices went, as it may be printed (no secret), or null without a table.</summary>
    public string? Table { get; set; }

    public IReadOnlyList<SkippedPath> Skipped => skipped;
    public IReadOnlyList<RejectedDevice> Rejected => rejected;

    /// <summary>Set by the command for each skipped path (it also says so on stderr).</summary>
    public Action<SkippedPath>? OnSkipped { get; set; }

    /// <summary>Set by the command for each rejected device (it also says so on stderr).</summary>
    public Action<RejectedDevice>? OnRejected { get; set; }

    public void Skip(string path, string reason)
    {
        var entry = new SkippedPath(path, reason);
        skipped.Add(entry);
        OnSkipped?.Invoke(entry);
    }

    public void Reject(string deviceKey, string reason)
    {
        var entry = new RejectedDevice(deviceKey, reason);
        rejected.Add(entry);
        OnRejected?.Invoke(entry);
    }

    /// <summary>The <c>--json</c> object; its property names are a contract.</summary>
    public JsonSync ToJson() => new(
        new JsonSticks(SticksMerged, skipped.Count),
        new JsonCaptures(CapturesNew, CapturesKnown),
        new JsonDevices(Uploaded, Unchanged, NewerInTable, rejected.Count, Waiting),
        skipped,
        rejected);
}

public sealed record SkippedPath(string Path, string Reason);

public sealed record RejectedDevice(string DeviceKey, string Reason);

public sealed record JsonSync(JsonSticks Sticks, JsonCaptures Captures, JsonDevices Devices, IReadOnlyList<SkippedPath> Skipped, IReadOnlyList<RejectedDevice> Rejected);

public sealed record JsonSticks(int Merged, int Skipped);

public sealed record JsonCaptures(long New, long Known);

/// <summary><c>waiting</c>: devices still waiting for upload after this run (all of them when no table is configured).</summary>
public sealed record JsonDevices(long Uploaded, long Unchanged, long NewerInTable, int Rejected, long Waiting);
