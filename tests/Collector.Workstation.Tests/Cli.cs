using Collector.Testing;

namespace Collector.Workstation.Tests;

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
