using Collector.Workstation.Graph;

namespace Collector.Workstation.Register;

/// <summary>What every tenant's registration in one run shares.</summary>
/// <param name="Timeout">How long each tenant waits for Autopilot's answers once its imports are sent (--timeout): pending devices then stay pending.</param>
/// <param name="GroupTag">--group-tag: written for every device instead of its own.</param>
/// <param name="Tries">Tries per request (the SDK's retries and the first), for messages.</param>
public sealed record RegisterSettings(
    GraphEndpoint Endpoint, GraphToken? Token, TimeSpan PollInterval, TimeSpan Timeout, bool All, string? GroupTag, int Tries);
