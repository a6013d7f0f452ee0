using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tests.Commands;

/// <summary>
/// A hub file filled the way a desk fills one: each Merge lays out a stick of its
/// own, appends the drafts to it (the stick numbers them) and merges it an hour later by the
/// test's clock, so merge times, stick ids and clock-suspect flags are as sync makes them.
/// </summary>
internal sealed class TestHub(TempDirectory temp, ManualClock clock)
{
    private int sticks;

    public string Path => temp.File("hub.db");

    public ManualClock Clock => clock;

    /// <summary>A draft of <paramref name="builder"/>'s device captured at <paramref name="at"/> by a technician at a site.</summary>
    public static CaptureDraft Draft(HashBuilder builder, DateTimeOffset at, string technician = "Sam", string site = "Leeds", Guid? tenant = null) =>
        TestCaptures.Draft(builder, at, tenant) with { Technician = technician, Site = site };

    /// <summary>One stick holding <paramref name="drafts"/>, merged into the hub; returns the stick's id.</summary>
    public Guid Merge(params CaptureDraft[] drafts) => Merge(null, drafts);

    /// <summary>
    /// One stick, made at the clock's time, holding <paramref name="drafts"/>, merged at
    /// <paramref name="mergeAt"/> (default: an hour later); returns the stick's id.
    /// </summary>
    public Guid Merge(DateTimeOffset? mergeAt, params CaptureDraft[] drafts)
    {
        var n = ++sticks;
        using var stick = StickStore.Open(temp.File($"stick-{n}", "collector", "data", "captures.db"), Guid.NewGuid(), clock);
        foreach (var draft in drafts)
        {
            stick.Append(draft);
        }

        clock.Now = mergeAt ?? clock.Now.AddHours(1);
        using var hub = HubStore.Open(Path, clock);
        hub.Merge(stick, $"/media/stick{n}");
        return stick.Info.StickId;
    }

    /// <summary>Marks the newest capture of each device of <paramref name="keys"/> exported in one batch, as export does.</summary>
    public void MarkExported(string batch, params string[] keys)
    {
        using var hub = HubStore.Open(Path, clock);
        var newest = HubFile.NewestCaptures(Path).Where(c => keys.Contains(c.Capture.DeviceKey)).ToList();
        hub.MarkExported(batch, TestCaptures.Tenant, $"/exports/{batch}.csv", [.. newest.Select(c => (c.Capture.DeviceKey, c.Capture.CaptureId))], clock.GetUtcNow());
    }

    /// <summary>Records the newest capture of each device of <paramref name="keys"/> as uploaded, as sync does after a batch.</summary>
    public void MarkUploaded(params string[] keys)
    {
        using var hub = HubStore.Open(Path, clock);
        hub.RecordUploads([.. hub.WaitingForUpload(TestCaptures.Tenant, null, 1000)
            .Where(p => keys.Contains(p.DeviceKey))
            .Select(p => new UploadRecord(p.DeviceId, p.Newest.Capture.CaptureId, "W/\"1\""))]);
    }
}
