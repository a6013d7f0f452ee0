namespace Collector.Workstation.Sync;

/// <summary>What one sync did: counted while it runs, printed (or written as JSON) at the end.</summary>
public sealed class SyncReport
{
    private readonly List<SkippedPath> skipped = [];
    private readonly List<RejectedDevice> rejected = [];
    private readonly List<DamagedStick> damaged = [];
    private readonly List<InvalidCapture> invalid = [];

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

    /// <summary>Sticks merged from what could be salvaged of their damaged database.</summary>
    public IReadOnlyList<DamagedStick> DamagedSticks => damaged;

    /// <summary>Stick rows refused: not a capture the hub can trust.</summary>
    public IReadOnlyList<InvalidCapture> InvalidCaptures => invalid;

    /// <summary>What stopped the sync (a table that failed), when it did not finish; null otherwise.</summary>
    public string? Error { get; set; }

    /// <summary>True when anything was skipped, refused, salvaged or rejected: the exit code is then 5.</summary>
    public bool Partial => skipped.Count + rejected.Count + damaged.Count + invalid.Count > 0;

    /// <summary>Set by the command for each skipped path (it also says so on stderr).</summary>
    public Action<SkippedPath>? OnSkipped { get; set; }

    /// <summary>Set by the command for each rejected device (it also says so on stderr).</summary>
    public Action<RejectedDevice>? OnRejected { get; set; }

    /// <summary>Set by the command for each damaged stick (it also says so on stderr).</summary>
    public Action<DamagedStick>? OnDamaged { get; set; }

    /// <summary>Set by the command for each refused stick row (it also says so on stderr).</summary>
    public Action<InvalidCapture>? OnInvalid { get; set; }

    public void Damaged(DamagedStick stick)
    {
        damaged.Add(stick);
        OnDamaged?.Invoke(stick);
    }

    public void Refuse(InvalidCapture capture)
    {
        invalid.Add(capture);
        OnInvalid?.Invoke(capture);
    }

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
        new JsonSticks(SticksMerged, skipped.Count, damaged.Count),
        new JsonCaptures(CapturesNew, CapturesKnown, invalid.Count),
        new JsonDevices(Uploaded, Unchanged, NewerInTable, rejected.Count, Waiting),
        skipped,
        rejected,
        damaged,
        invalid,
        Error);
}

public sealed record SkippedPath(string Path, string Reason);

public sealed record RejectedDevice(string DeviceKey, string Reason);

/// <summary>A damaged stick database merged from what could be read: how many captures, which sequence numbers could not be read ("#5, #9–#16"), and the damage found.</summary>
public sealed record DamagedStick(string Path, long Salvaged, string CouldNotRead, string Damage);

/// <summary>A stick row refused at merge: where, its stick sequence number, and why.</summary>
public sealed record InvalidCapture(string Path, long Sequence, string Reason);

/// <summary><c>error</c>: what stopped the sync before the end (a table that failed, exit 4); null when it finished.</summary>
public sealed record JsonSync(
    JsonSticks Sticks, JsonCaptures Captures, JsonDevices Devices, IReadOnlyList<SkippedPath> Skipped, IReadOnlyList<RejectedDevice> Rejected,
    IReadOnlyList<DamagedStick> DamagedSticks, IReadOnlyList<InvalidCapture> InvalidCaptures, string? Error);

/// <summary><c>damaged</c>: sticks merged from a damaged database (counted in <c>merged</c> too).</summary>
public sealed record JsonSticks(int Merged, int Skipped, int Damaged);

/// <summary><c>invalid</c>: stick rows refused (their hash or values did not check out).</summary>
public sealed record JsonCaptures(long New, long Known, int Invalid);

/// <summary><c>waiting</c>: devices still waiting for upload after this run (all of them when no table is configured).</summary>
public sealed record JsonDevices(long Uploaded, long Unchanged, long NewerInTable, int Rejected, long Waiting);
