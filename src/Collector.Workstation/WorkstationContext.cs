namespace Collector.Workstation;

/// <summary>
/// Everything a command touches outside itself comes in through here: the output writers, the
/// clock and the environment. Program builds it from the process; tests build their own.
/// </summary>
public sealed record WorkstationContext(
    TextWriter Out,
    TextWriter Error,
    TimeProvider Clock,
    Func<string, string?> Environment)
{
    /// <summary>Secrets parsed during this run; every line printed passes through it.</summary>
    public SecretRedactor Secrets { get; } = new();

    /// <summary>The environment variable that moves the hub.</summary>
    public const string HubVariable = "COLLECTOR_HUB";

    /// <summary>The hub a command works on: <c>--hub</c>, else COLLECTOR_HUB, else the default.</summary>
    public string HubPath(string? option) =>
        !string.IsNullOrWhiteSpace(option) ? option
        : Environment(HubVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : Core.Storage.HubStore.DefaultPath;

    /// <summary>Runs a command's work through the shared error handling, with this run's redaction.</summary>
    public Task<int> RunAsync(Func<Task<int>> work) =>
        Core.Errors.CommandRunner.RunAsync(CollectorApp.Name, Error, work, Secrets.Redact);

    public static WorkstationContext FromProcess() =>
        new(Console.Out, Console.Error, TimeProvider.System, System.Environment.GetEnvironmentVariable);
}
