using Collector.Core.Errors;
using Collector.Stick.Device;

namespace Collector.Stick;

/// <summary>
/// Everything <c>collect</c> touches outside itself comes in through here: the writers, the
/// clock, the environment, what the device is (platform), the WMI hash source, the programs it
/// runs (oa3tool, rundll32, shutdown), where its own executable sits (the default stick) and the
/// keyboard a question is answered on (which group tag).
/// Program builds it from the process; tests build their own.
/// </summary>
public sealed record StickContext(
    TextWriter Out,
    TextWriter Error,
    TimeProvider Clock,
    Func<string, string?> Environment,
    IDevicePlatform Platform,
    IWmiHashSource Wmi,
    IProcessRunner Processes,
    string? ExecutablePath,
    IKeyboard Keys)
{
    /// <summary>Seconds oa3tool may run before it is stopped (default 120); tests shorten it.</summary>
    public const string Oa3ToolTimeoutVariable = "COLLECT_OA3TOOL_TIMEOUT";

    public static readonly TimeSpan DefaultOa3ToolTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs a command's work through the shared error handling.</summary>
    public Task<int> RunAsync(Func<Task<int>> work) => CommandRunner.RunAsync(CollectApp.Name, Error, work);

    public TimeSpan Oa3ToolTimeout =>
        Environment(Oa3ToolTimeoutVariable) is not { Length: > 0 } text
            ? DefaultOa3ToolTimeout
            : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : throw new InvalidInputException($"{Oa3ToolTimeoutVariable}='{text}' is not a number of seconds");

    public static StickContext FromProcess() => new(
        Console.Out, Console.Error, TimeProvider.System, System.Environment.GetEnvironmentVariable,
        new DevicePlatform(), new WmiHashSource(), new ProcessRunner(), System.Environment.ProcessPath, new ConsoleKeyboard());
}
