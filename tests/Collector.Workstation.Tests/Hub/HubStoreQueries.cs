using Collector.Testing;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tests;

/// <summary>What a hub holds, read from its file (<see cref="HubFile"/>): the checks the product has no query for.</summary>
internal static class HubStoreQueries
{
    /// <summary>The newest capture of every device of <paramref name="tenant"/> (all tenants when null), in device-key order.</summary>
    public static IReadOnlyList<HubCapture> NewestCaptures(this HubStore hub, Guid? tenant = null) =>
        [.. HubFile.NewestCaptures(hub.Path, tenant).Select(c => new HubCapture(c.Capture, c.EffectiveAt))];

    /// <summary>Every capture of one device, newest first.</summary>
    public static IReadOnlyList<HubCapture> History(this HubStore hub, Guid tenant, string deviceKey) =>
        [.. HubFile.History(hub.Path, tenant, deviceKey).Select(c => new HubCapture(c.Capture, c.EffectiveAt))];
}
