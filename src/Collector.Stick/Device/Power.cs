using Collector.Core.Errors;

namespace Collector.Stick.Device;

/// <summary>
/// <c>--shutdown</c>/<c>--reboot</c>: only ever called after the capture is committed and the
/// database closed, so a failure here loses nothing; it is reported and collect still exits 0.
/// </summary>
public static class Power
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task AfterSaveAsync(StickContext context, bool reboot, CancellationToken cancellationToken)
    {
        var what = reboot ? "--reboot" : "--shutdown";
        if (context.Platform.Os == DeviceOs.NotWindows)
        {
            await context.Error.WriteLineAsync($"{CollectApp.Name}: {what} is not supported on this system (only on Windows); the capture is saved").ConfigureAwait(false);
            return;
        }

        await context.Error.WriteLineAsync($"{CollectApp.Name}: {(reboot ? "restarting" : "shutting down")} now; the capture is saved").ConfigureAwait(false);
        var outcome = await context.Processes.RunAsync(
            new ProcessRequest(Path.Combine(context.Platform.SystemDirectory, "shutdown.exe"), [reboot ? "/r" : "/s", "/t", "0"],
                context.Platform.SystemDirectory, Timeout),
            cancellationToken).ConfigureAwait(false);
        if (outcome.TimedOut || outcome.ExitCode != ExitCodes.Ok)
        {
            await context.Error.WriteLineAsync(
                $"{CollectApp.Name}: {what} failed (shutdown.exe {(outcome.TimedOut ? "did not finish" : $"exit code {outcome.ExitCode}")}); the capture is saved, turn the device off by hand").ConfigureAwait(false);
        }
    }
}
