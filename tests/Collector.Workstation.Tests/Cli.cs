using Collector.Workstation;

namespace Collector.Workstation.Tests;

/// <summary>What one in-process run of <c>collector</c> produced: exit code, stdout and stderr together.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs <c>collector</c> in process with captured writers and a chosen environment.</summary>
public static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args) =>
        await RunAsync(new Dictionary<string, string>(), args);

    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new WorkstationContext(output, error, TimeProvider.System, name => environment.GetValueOrDefault(name));

        var exitCode = await CollectorApp.RunAsync(args, context);

        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
