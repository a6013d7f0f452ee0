using Collector.Core.Captures;
using Collector.Core.Storage;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Sticks;

/// <summary>A capture <c>stick clear</c> takes off the stick: the hub holds it byte for byte.</summary>
public sealed record ClearedCapture(long Sequence, Guid CaptureId, string DeviceKey, string HardwareHash, HeldCapture Held);

/// <summary>A capture that stays on the stick, and why.</summary>
public sealed record KeptCapture(long Sequence, Guid? CaptureId, string DeviceKey, string Reason);

/// <summary>What a clear will remove and keep.</summary>
public sealed record ClearPlan(IReadOnlyList<ClearedCapture> Removable, IReadOnlyList<KeptCapture> Kept);

/// <summary>
/// Decides, capture by capture, what <c>collector stick clear</c> may take off a stick: only what
/// the hub holds under the same capture id with the same hash, byte for byte — and, when asked,
/// only captures of devices Autopilot has (<c>--registered</c>: the hub's registrations) or whose
/// newest capture the table holds (<c>--uploaded</c>: asked of the table). Everything else stays,
/// with the reason.
/// </summary>
public static class StickClearing
{
    public static async Task<ClearPlan> PlanAsync(StickStore stick, HubStore hub, bool registeredOnly, TableHolding? uploadedOnly, CancellationToken cancellationToken)
    {
        var candidates = new List<ClearedCapture>();
        var kept = new List<KeptCapture>();
        foreach (var row in stick.ReadRows())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (row.Capture is not { } capture)
            {
                kept.Add(new KeptCapture(row.Sequence, null, "", $"its row cannot be read as a capture ({row.Problem}), so the hub cannot hold it"));
                continue;
            }

            var reason = Reason(capture, hub.Held(capture.CaptureId), registeredOnly, out var held);
            if (reason is not null)
            {
                kept.Add(new KeptCapture(row.Sequence, capture.CaptureId, capture.DeviceKey, reason));
                continue;
            }

            candidates.Add(new ClearedCapture(row.Sequence, capture.CaptureId, capture.DeviceKey, capture.HardwareHash, held!));
        }

        if (uploadedOnly is null || candidates.Count == 0)
        {
            return new ClearPlan(candidates, kept);
        }

        var holding = await uploadedOnly.HoldingAsync(candidates.Select(c => c.Held), cancellationToken).ConfigureAwait(false);
        var removable = candidates.Where(c => holding.Contains((c.Held.TenantId, c.Held.DeviceKey))).ToList();
        kept.AddRange(candidates.Where(c => !holding.Contains((c.Held.TenantId, c.Held.DeviceKey))).Select(c => new KeptCapture(
            c.Sequence, c.CaptureId, c.DeviceKey, "the table does not hold its device's newest capture (a sync with the table uploads it)")));
        return new ClearPlan(removable, [.. kept.OrderBy(k => k.Sequence)]);
    }

    private static string? Reason(Capture capture, HeldCapture? held, bool registeredOnly, out HeldCapture? found)
    {
        found = held;
        if (held is null)
        {
            // Say why a sync would not have brought it, where a sync would refuse it.
            return StoredCapture.Verify(capture, out var problem) is null
                ? $"the hub does not hold it: a sync refuses it ({problem})"
                : "the hub does not hold it: sync this stick first";
        }

        if (!string.Equals(held.HardwareHash, capture.HardwareHash, StringComparison.Ordinal))
        {
            return "the hub holds another hash under its capture id: not the same capture byte for byte";
        }

        return registeredOnly && !held.Registered ? "its device is not registered in Autopilot ('collector register' registers it)" : null;
    }
}
