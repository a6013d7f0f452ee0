using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Workstation.Graph;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Register;

/// <summary>
/// Which devices a run sends (design section 6b), decided in one place for the hub and the table:
/// the newest capture of every device not yet registered in its tenant; not one already being
/// followed (pending: it is polled, never imported twice); not a capture Autopilot refused
/// (808, 802…) unless <c>--all</c>, which sends every device again. Each hash is decoded and
/// checked again; one Autopilot would refuse as it stands is left out, unsent, with the reason.
/// </summary>
public static class RegisterSelection
{
    /// <summary>
    /// A device to import: its key in the hub's registrations, and what Graph is sent, the hash
    /// as canonical base64 text (decoded to bytes only when its request is built, so 5,000
    /// devices' hashes are not held twice).
    /// </summary>
    public sealed record Chosen(RegistrationKey Key, string Serial, string HardwareHash, string GroupTag, string AssignedUser)
    {
        public ImportDevice ToDevice() => new(Serial, Convert.FromBase64String(HardwareHash), GroupTag, AssignedUser);
    }

    /// <summary>The candidates the registrations say are to be sent (no hash is decoded here).</summary>
    public static IEnumerable<RegisterCandidate> Wanted(IReadOnlyList<RegisterCandidate> candidates, IReadOnlyList<Registration> registrations, bool all)
    {
        var byDevice = registrations.ToLookup(r => r.DeviceKey, StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            var rows = byDevice[candidate.DeviceKey].ToList();
            if (rows.Any(r => r.State == RegistrationStates.Pending))
            {
                continue; // being followed: polled, not imported again
            }

            if (!all && (rows.Any(r => RegistrationStates.IsRegistered(r.State))
                || rows.Any(r => r.CaptureId == candidate.CaptureId && RegistrationStates.IsRefusal(r.State))
                || (candidate.RowState is not null && !rows.Any(r => r.CaptureId == candidate.CaptureId))))
            {
                // Registered, or refused until --all. A table row's Registration_State speaks of the
                // capture the row holds (sync's replace drops it): another desk's word, unless this
                // hub has its own for that capture.
                continue;
            }

            yield return candidate;
        }
    }

    public static IReadOnlyList<Chosen> Choose(
        IReadOnlyList<RegisterCandidate> candidates, IReadOnlyList<Registration> registrations, RegisterSettings settings, RegisterReport report)
    {
        var chosen = new List<Chosen>();
        foreach (var candidate in Wanted(candidates, registrations, settings.All))
        {
            var check = HashCodec.Check(candidate.HardwareHash);
            if (check.Hash is not { } hash || !check.Valid)
            {
                report.LeftOut(candidate.DeviceKey, candidate.Serial, $"its hardware hash is invalid ({check.Problem})");
                continue;
            }

            if (hash.Flags.Contains(HashFlags.NoSerial) || hash.Flags.Contains(HashFlags.NoManufacturer))
            {
                report.LeftOut(candidate.DeviceKey, hash.Serial,
                    $"its hash has no {(hash.Flags.Contains(HashFlags.NoSerial) ? "serial" : "manufacturer")}, which Autopilot refuses (InvalidZtdHardwareHash): capture it again");
                continue;
            }

            var groupTag = settings.GroupTag ?? candidate.GroupTag;
            if (CaptureRules.GroupTagProblem(groupTag) is { } tagProblem)
            {
                report.LeftOut(candidate.DeviceKey, hash.Serial, tagProblem);
                continue;
            }

            chosen.Add(new Chosen(new RegistrationKey(candidate.DeviceKey, candidate.CaptureId), hash.Serial, hash.Base64, groupTag, candidate.AssignedUser));
        }

        return chosen;
    }

    /// <summary>
    /// Requests of at most <paramref name="size"/> devices with no serial twice in one (two
    /// devices may share a serial: each request's records are matched to its devices by serial).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<Chosen>> Split(IReadOnlyList<Chosen> devices, int size)
    {
        var requests = new List<(List<Chosen> Devices, HashSet<string> Serials)>();
        foreach (var device in devices)
        {
            var request = requests.FirstOrDefault(r => r.Devices.Count < size && !r.Serials.Contains(device.Serial));
            if (request.Devices is null)
            {
                request = ([], new HashSet<string>(StringComparer.Ordinal));
                requests.Add(request);
            }

            request.Devices.Add(device);
            request.Serials.Add(device.Serial);
        }

        return [.. requests.Select(r => (IReadOnlyList<Chosen>)r.Devices)];
    }
}
