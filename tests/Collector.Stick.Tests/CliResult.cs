namespace Collector.Stick.Tests;

/// <summary>What one in-process run of <c>collect</c> produced: exit code, stdout and stderr together.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
