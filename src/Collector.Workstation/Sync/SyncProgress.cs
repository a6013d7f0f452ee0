using System.Globalization;

namespace Collector.Workstation.Sync;

/// <summary>
/// Progress on stderr while sync runs (design section 5): sticks merged, captures, devices/s.
/// At most one line a second, so a 100,000-device sync does not flood a log; the last state of
/// each phase is always printed.
/// </summary>
public sealed class SyncProgress(TextWriter error, TimeProvider clock, TimeSpan? every = null)
{
    private readonly TimeSpan interval = every ?? TimeSpan.FromSeconds(1);
    private long lastPrint = long.MinValue;
    private int sticksTotal, sticksDone;
    private long capturesNew, uploadTotal, uploadDone, uploadStart;

    public void StartMerge(int sticks)
    {
        sticksTotal = sticks;
        sticksDone = 0;
    }

    public void Merged(long newCaptures)
    {
        sticksDone++;
        capturesNew += newCaptures;
        Print(sticksDone == sticksTotal, () => $"sticks {sticksDone}/{sticksTotal} merged, {Number(capturesNew)} new captures");
    }

    public void StartUpload(long devices)
    {
        uploadTotal = devices;
        uploadDone = 0;
        uploadStart = clock.GetTimestamp();
        lastPrint = long.MinValue;
    }

    public void Uploaded(long devices)
    {
        uploadDone += devices;
        Print(uploadDone >= uploadTotal, () =>
        {
            var seconds = clock.GetElapsedTime(uploadStart).TotalSeconds;
            var rate = seconds > 0 ? uploadDone / seconds : 0;
            return $"devices {Number(uploadDone)}/{Number(uploadTotal)} synced, {Number((long)rate)} devices/s";
        });
    }

    private void Print(bool final, Func<string> line)
    {
        var now = clock.GetTimestamp();
        if (!final && lastPrint != long.MinValue && clock.GetElapsedTime(lastPrint, now) < interval)
        {
            return;
        }

        lastPrint = now;
        error.WriteLine($"{CollectorApp.Name}: {line()}");
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
