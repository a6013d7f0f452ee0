namespace Collector.Core.Errors;

/// <summary>
/// Errors in one place, for both executables: every command action runs through
/// <see cref="RunAsync"/>. Known failures become one line on stderr and their documented exit
/// code, its control characters shown escaped; anything else goes on to System.CommandLine's
/// handler (exit 1), with any secret redacted from its text first.
/// </summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(
        string tool, TextWriter error, Func<Task<int>> action, Func<string, string>? redact = null)
    {
        redact ??= static s => s;
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CollectorException e)
        {
            await error.WriteLineAsync($"{tool}: {OneLine(redact(e.Message))}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"{tool}: cancelled; nothing half-written was kept.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (redact(e.ToString()) != e.ToString())
        {
            // The default handler prints the whole exception; make sure no secret rides along.
            throw new RedactedException(redact(e.ToString()));
        }
    }

    // One line, and nothing in it that steers the terminal: messages quote serials, names and paths.
    private static string OneLine(string message) =>
        Captures.DisplayText.Escape(message.ReplaceLineEndings(" ").Trim());

    private sealed class RedactedException(string text) : Exception(text);
}
