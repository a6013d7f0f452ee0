using Collector.Core.Errors;

namespace Collector.Stick.Device;

/// <summary>
/// <c>--shutdown</c>/<c>--reboot</c> (<c>shutdown /s /t 0</c>, <c>/r /t 0</c>; in WinPE
/// <c>wpeutil shutdown</c>, <c>reboot</c>): only ever called after the capture is committed and the
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

        // WinPE has no shutdown.exe; wpeutil is its way to power off or restart.
        var (program, arguments) = context.Platform.Os == DeviceOs.WinPE
            ? ("wpeutil.exe", new[] { reboot ? "reboot" : "shutdown" })
            : ("shutdown.exe", new[] { reboot ? "/r" : "/s", "/t", "0" });
        await context.Error.WriteLineAsync($"{CollectApp.Name}: {(reboot ? "restarting" : "shutting down")} now; the capture is saved").ConfigureAwait(false);
        var outcome = await context.Processes.RunAsync(
            new ProcessRequest(Path.Combine(context.Platform.SystemDirectory, program), arguments, context.Platform.SystemDirectory, Timeout),
            cancellationToken).ConfigureAwait(false);
        if (outcome.TimedOut || outcome.ExitCode != ExitCodes.Ok)
        {
            await context.Error.WriteLineAsync(
                $"{CollectApp.Name}: {what} failed ({program} {(outcome.TimedOut ? "did not finish" : $"exit code {outcome.ExitCode}")}); the capture is saved, turn the device off by hand").ConfigureAwait(false);
        }
    }
}
