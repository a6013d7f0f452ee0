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
    public static WorkstationContext FromProcess() =>
        new(Console.Out, Console.Error, TimeProvider.System, System.Environment.GetEnvironmentVariable);
}
