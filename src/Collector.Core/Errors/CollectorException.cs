namespace Collector.Core.Errors;

/// <summary>
/// A failure we expected and can explain in one line. <see cref="CommandRunner"/> prints
/// <see cref="Exception.Message"/> and exits with <see cref="ExitCode"/>; the message should say
/// what went wrong and, where there is one, what to do next.
/// </summary>
public class CollectorException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Bad input: nothing was written (exit 2).</summary>
public sealed class InvalidInputException(string message, Exception? inner = null)
    : CollectorException(ExitCodes.InvalidInput, message, inner);

/// <summary>The stick or hub database cannot be used as asked (exit 3).</summary>
public sealed class StorageException(string message, Exception? inner = null)
    : CollectorException(ExitCodes.Storage, message, inner);

/// <summary>Azure refused us or could not be reached after retries (exit 4).</summary>
public sealed class CloudException(string message, Exception? inner = null)
    : CollectorException(ExitCodes.Cloud, message, inner);

/// <summary>No hardware hash could be read on this device (exit 6).</summary>
public sealed class NoHashException(string message, Exception? inner = null)
    : CollectorException(ExitCodes.NoHash, message, inner);
