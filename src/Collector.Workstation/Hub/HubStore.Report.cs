using Collector.Core.Hashing;
using Collector.Core.Storage;

namespace Collector.Workstation.Hub;

/// <summary>How many captures and devices one name (a site, a technician) accounts for.</summary>
public sealed record NameCount(string Name, long Captures, long Devices);

/// <summary>How many devices (newest capture) of one make and model.</summary>
public sealed record ModelCount(string Manufacturer, string Model, long Devices);

/// <summary>
/// Devices by where their newest capture stands. <see cref="Registered"/> and <see cref="Refused"/>
/// are null while the hub records no registration.
/// </summary>
public sealed record DeviceStates(long Devices, long WaitingForUpload, long WaitingForExport, long Exported, long? Registered, long? Refused);

/// <summary>What <c>collector report</c> shows, gathered in two passes over the hub (captures, then devices).</summary>
public sealed record HubReport(
    long Devices, long Captures, int Tenants,
    IReadOnlyList<(DateOnly Day, long Captures)> CapturesPerDay,
    IReadOnlyList<NameCount> Sites, IReadOnlyList<NameCount> Technicians,
    DeviceStates States, IReadOnlyList<ModelCount> Models,
    IReadOnlyList<(string Flag, long Devices)> Flags, IReadOnlyList<DeviceHistory> Flagged, long FlaggedTotal,
    IReadOnlyList<StickStatus> Sticks);

/// <summary>The queries behind <c>collector report</c>.</summary>
public sealed partial class HubStore
{
    /// <summary>The flags the report lists devices for: what an admin must act on before registering.</summary>
    public static readonly IReadOnlyList<string> ReportFlags =
        [HashFlags.NoTpm, HashFlags.PlaceholderSerial, HashFlags.SerialCollision, HashFlags.ClockSuspect, HashFlags.UnpaddedInput];

    /// <summary>
    /// Everything the report shows. Per day, site and technician in one pass over the captures
    /// (three GROUP BYs would read the captures table, nearly all of it hashes, three times);
    /// states, models and flags in one pass over the devices and their newest captures. Names are
    /// counted in full; <paramref name="flaggedLimit"/> caps the flagged devices listed with their
    /// history (the count of all of them is kept), so 100,000 devices make a page that still opens.
    /// </summary>
    public HubReport Report(int flaggedLimit)
    {
        var (days, sites, technicians, captures) = SqliteFailures.Try(Path, "read the captures for the report", CaptureCounts);
        var (states, models, flags, flaggedKeys, flaggedTotal, tenants) = SqliteFailures.Try(Path, "read the devices for the report", () => DeviceCounts(flaggedLimit));
        var flagged = flaggedKeys.Select(key => HistoryOf(key.Tenant, key.DeviceKey)).OfType<DeviceHistory>().ToList();
        return new HubReport(states.Devices, captures, tenants, days, sites, technicians, states, models, flags, flagged, flaggedTotal, StickStatuses());
    }

    private (List<(DateOnly, long)> Days, List<NameCount> Sites, List<NameCount> Technicians, long Captures) CaptureCounts()
    {
        var days = new SortedDictionary<DateOnly, long>();
        var sites = new Dictionary<string, (long Captures, HashSet<long> Devices)>(StringComparer.Ordinal);
        var technicians = new Dictionary<string, (long Captures, HashSet<long> Devices)>(StringComparer.Ordinal);
        long captures = 0;
        using var row = new RawStatement(connection, "SELECT substr(effective_at, 1, 10), site, technician, device_id FROM captures");
        while (row.Read())
        {
            captures++;
            var day = ReadOrRefuse(() => DateOnly.ParseExact(row.GetString(0), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            days[day] = days.GetValueOrDefault(day) + 1;
            var device = row.GetInt64(3);
            Count(sites, row.GetString(1), device);
            Count(technicians, row.GetString(2), device);
        }

        return ([.. days.Select(d => (d.Key, d.Value))], Ordered(sites), Ordered(technicians), captures);

        static void Count(Dictionary<string, (long Captures, HashSet<long> Devices)> counts, string name, long device)
        {
            if (!counts.TryGetValue(name, out var count))
            {
                count = (0, []);
            }

            count.Devices.Add(device);
            counts[name] = (count.Captures + 1, count.Devices);
        }

        static List<NameCount> Ordered(Dictionary<string, (long Captures, HashSet<long> Devices)> counts) =>
            [.. counts.Select(c => new NameCount(c.Key, c.Value.Captures, c.Value.Devices.Count))
                .OrderByDescending(c => c.Captures).ThenBy(c => c.Name, StringComparer.Ordinal)];
    }

    private (DeviceStates, List<ModelCount>, List<(string, long)>, List<(Guid Tenant, string DeviceKey)>, long, int) DeviceCounts(int flaggedLimit)
    {
        long devices = 0, waitingUpload = 0, waitingExport = 0, exported = 0, registered = 0, refused = 0, flaggedTotal = 0;
        var models = new Dictionary<(string, string), long>();
        var flags = ReportFlags.ToDictionary(f => f, _ => 0L, StringComparer.Ordinal);
        var flagged = new List<(Guid, string)>();
        var tenants = new HashSet<string>(StringComparer.Ordinal);
        using var row = new RawStatement(connection, $"""
            SELECT d.tenant_id, d.device_key, c.manufacturer, c.model, c.flags,
                   d.newest_capture_id IS NOT d.uploaded_capture_id AS waiting_upload,
                   d.newest_capture_id IS NOT d.exported_capture_id AS waiting_export,
                   {HubRegistration.Columns(RegistrationRecorded)}
            FROM devices d JOIN captures c ON c.capture_id = d.newest_capture_id
            {HubRegistration.Join(RegistrationRecorded)}
            ORDER BY d.tenant_id, d.device_key
            """);
        var registration = new HubRegistration.Reader(row);
        while (row.Read())
        {
            devices++;
            var tenant = row.GetString(0);
            tenants.Add(tenant);
            waitingUpload += row.GetInt64(5);
            waitingExport += row.GetInt64(6);
            exported += 1 - row.GetInt64(6);
            switch (registration.Read()?.State)
            {
                case HubRegistration.Registered:
                    registered++;
                    break;
                case HubRegistration.Refused:
                    refused++;
                    break;
            }

            var model = (row.GetString(2), row.GetString(3));
            models[model] = models.GetValueOrDefault(model) + 1;
            var isFlagged = false;
            foreach (var flag in CaptureRow.ReadFlags(row.GetString(4)).Where(flags.ContainsKey))
            {
                flags[flag]++;
                isFlagged = true;
            }

            if (isFlagged && ++flaggedTotal <= flaggedLimit)
            {
                flagged.Add((ReadOrRefuse(() => Guid.Parse(tenant)), row.GetString(1)));
            }
        }

        var states = new DeviceStates(devices, waitingUpload, waitingExport, exported,
            RegistrationRecorded ? registered : null, RegistrationRecorded ? refused : null);
        return (states,
            [.. models.Select(m => new ModelCount(m.Key.Item1, m.Key.Item2, m.Value)).OrderByDescending(m => m.Devices)
                .ThenBy(m => m.Manufacturer, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal)],
            [.. ReportFlags.Select(f => (f, flags[f]))], flagged, flaggedTotal, tenants.Count);
    }
}
