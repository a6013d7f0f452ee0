using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Core.Storage;

namespace Collector.Stick.Commands;

/// <summary>
/// What the technician reads at arm's length after a capture: serial, make and model, TPM, the
/// group tag it was saved with, warnings in words, then one line saying it is saved and how many devices the stick holds.
/// Plain ASCII on purpose: WinPE's console runs an OEM code page with a raster font.
/// </summary>
public static class CaptureView
{
    public static async Task WriteAsync(TextWriter o, HardwareHash hash, AppendResult saved, IReadOnlyList<string> notes)
    {
        await o.WriteLineAsync().ConfigureAwait(false);
        await o.WriteLineAsync($"  Serial       {Show(hash.Serial)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Make, model  {Show(hash.Manufacturer)}, {Show(hash.Model)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  TPM          {(hash.TpmPresent ? "yes" : "NO")}").ConfigureAwait(false);
        if (saved.Capture.GroupTag.Length > 0)
        {
            await o.WriteLineAsync($"  Group tag    {DisplayText.Escape(saved.Capture.GroupTag)}").ConfigureAwait(false);
        }

        foreach (var flag in saved.Capture.Flags)
        {
            await o.WriteLineAsync($"  {(HashFlags.IsWarning(flag) ? "Warning" : "Note"),-12} {HashFlags.Describe(flag)}").ConfigureAwait(false);
        }

        foreach (var note in notes)
        {
            await o.WriteLineAsync($"  Note         {DisplayText.Escape(note)}").ConfigureAwait(false);
        }

        await o.WriteLineAsync().ConfigureAwait(false);
        var devices = saved.DevicesOnStick == 1 ? "1 device" : $"{saved.DevicesOnStick} devices";
        await o.WriteLineAsync($"  SAVED - {devices} on this stick.").ConfigureAwait(false);
        await o.WriteLineAsync(saved.AlreadyOnStick
            ? "  This device was already on the stick: captured again, the newest capture counts."
            : "  This device is new on the stick.").ConfigureAwait(false);
        await o.WriteLineAsync().ConfigureAwait(false);
    }

    // Text from the device: a serial or model holding ESC or BEL must not steer the screen.
    private static string Show(string value) => value.Length == 0 ? "(none)" : DisplayText.Escape(value);
}
