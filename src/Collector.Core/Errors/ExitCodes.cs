namespace Collector.Core.Errors;

/// <summary>The exit codes of both executables (design section 8). The README lists them too.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Usage error or crash: System.CommandLine's own code.</summary>
    public const int Usage = 1;

    /// <summary>Invalid input; nothing was written.</summary>
    public const int InvalidInput = 2;

    /// <summary>Stick or hub unreadable, foreign, newer schema, full or read-only.</summary>
    public const int Storage = 3;

    /// <summary>Auth failure, or the network still failing after the SDK's retries.</summary>
    public const int Cloud = 4;

    /// <summary>Some devices were rejected or failed; the rest is done and the summary lists them.</summary>
    public const int Partial = 5;

    /// <summary>No hardware hash could be read on this device.</summary>
    public const int NoHash = 6;
}
