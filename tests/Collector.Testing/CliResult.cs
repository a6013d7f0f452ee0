namespace Collector.Testing;

/// <summary>
/// What one in-process run of <c>collect</c> or <c>collector</c> produced: exit code, stdout and
/// stderr together (bicep's <c>CliResult</c>), so a failing assertion shows all three.
/// </summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
