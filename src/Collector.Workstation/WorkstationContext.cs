using System.Text;

namespace Collector.Workstation;

/// <summary>
/// Everything a command touches outside itself comes in through here: the output writers, the
/// clock and the environment. Program builds it from the process; tests build their own.
/// </summary>
public sealed record WorkstationContext
{
    /// <summary>
    /// <paramref name="output"/> and <paramref name="error"/> are wrapped once, here: every line
    /// out, a command's or System.CommandLine's (a mistyped option echoes its value), passes
    /// through <see cref="Secrets"/>; synchronised, as Console's own writers are (a sync writes
    /// from several tasks). <see cref="RunAsync"/> flushes them when the command ends.
    /// </summary>
    public WorkstationContext(TextWriter output, TextWriter error, TimeProvider clock, Func<string, string?> environment)
    {
        Out = TextWriter.Synchronized(new RedactingWriter(output, Secrets));
        Error = TextWriter.Synchronized(new RedactingWriter(error, Secrets));
        Clock = clock;
        Environment = environment;
    }

    /// <summary>Secrets parsed during this run; every line printed passes through it.</summary>
    public SecretRedactor Secrets { get; } = new();

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public TimeProvider Clock { get; }

    public Func<string, string?> Environment { get; }

    /// <summary>The environment variable that moves the hub.</summary>
    public const string HubVariable = "COLLECTOR_HUB";

    /// <summary>The hub a command works on: <c>--hub</c>, else COLLECTOR_HUB, else the default.</summary>
    public string HubPath(string? option) =>
        !string.IsNullOrWhiteSpace(option) ? option
        : Environment(HubVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : Hub.HubStore.DefaultPath;

    /// <summary>
    /// Runs a command's work through the shared error handling (an unexpected exception's text,
    /// which the runtime may print itself, is redacted there too), then flushes the writers.
    /// </summary>
    public async Task<int> RunAsync(Func<Task<int>> work)
    {
        try
        {
            return await Core.Errors.CommandRunner.RunAsync(CollectorApp.Name, Error, work, Secrets.Redact).ConfigureAwait(false);
        }
        finally
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes out any line still held for redaction (one without its line end yet).</summary>
    public async Task FlushAsync()
    {
        await Out.FlushAsync().ConfigureAwait(false);
        await Error.FlushAsync().ConfigureAwait(false);
    }

    public static WorkstationContext FromProcess() =>
        new(StandardOutput(), Console.Error, TimeProvider.System, System.Environment.GetEnvironmentVariable);

    /// <summary>
    /// Stdout as Console.Out writes it (the console's encoding, no byte-order mark, every write
    /// flushed at once) but through a 64 KB buffer: Console.Out's is 256 characters, so the
    /// 40 MB that <c>collector devices --json</c> prints for 100,000 devices became 160,000
    /// writes to the pipe, a fifth of its time.
    /// </summary>
    private static StreamWriter StandardOutput()
    {
        var encoding = Console.OutputEncoding;
        return new StreamWriter(Console.OpenStandardOutput(), encoding is UTF8Encoding ? new UTF8Encoding(false) : encoding, 64 * 1024)
        {
            AutoFlush = true,
        };
    }
}
