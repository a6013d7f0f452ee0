using Collector.Core.Hashing;

namespace Collector.Core.Captures;

/// <summary>
/// A capture read back from where anyone can edit it (a stick's database, a table, a file) made
/// trustworthy again (design section 10): its hash decoded and validated, the device's fields —
/// serial, make, model, SMBIOS UUID, TPM, network adapters, product key id, device key — and its
/// flags taken from the hash, never from the row's own columns, and its other values held to the
/// rules they were saved by. A collision suffix or flag the row claims is dropped: the hub
/// decides collisions itself. A stated flag the hash cannot show (the BIOS serial WMI read) is kept.
/// </summary>
public static class StoredCapture
{
    /// <summary>The capture as its hash says it is, or null with <paramref name="problem"/> saying why the row cannot be trusted.</summary>
    public static Capture? Verify(Capture row, out string? problem)
    {
        var check = HashCodec.Check(row.HardwareHash);
        if (check.Hash is not { } hash || !check.Valid)
        {
            problem = $"its hash is invalid: {check.Problem}";
            return null;
        }

        problem = CaptureRules.CaptureProblem(row);
        if (problem is not null)
        {
            return null;
        }

        foreach (var stated in HashFlags.StatedByCapture)
        {
            if (row.Flags.Contains(stated))
            {
                hash = hash.WithFlag(stated);
            }
        }

        return new CaptureDraft(row.TenantId, hash, row.GroupTag, row.AssignedUser, row.CapturedAt, row.Technician, row.Site, row.Method, row.CollectorVersion)
        {
            CollectArchitecture = row.CollectArchitecture,
        }.ToCapture(row.CaptureId, row.StickSequence, row.StickId);
    }
}
