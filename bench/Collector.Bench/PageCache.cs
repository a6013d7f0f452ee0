using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Collector.Bench;

/// <summary>
/// The Linux page cache, to see what a run reads from the stick: <see cref="Evict"/> drops a file's
/// pages (fsync, then <c>posix_fadvise(POSIX_FADV_DONTNEED)</c>, which only drops clean pages);
/// <see cref="ResidentBytes"/> counts the pages in memory afterwards (util-linux <c>fincore</c>).
/// Pages in the cache after an evicted run are what the kernel read from the device for it,
/// read-ahead included: the bytes a USB stick would have had to deliver.
/// </summary>
public static partial class PageCache
{
    private const int PosixFadvDontNeed = 4;

    public static void Evict(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var fd = (int)stream.SafeFileHandle.DangerousGetHandle();
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync {file} failed (errno {Marshal.GetLastPInvokeError()})");
            }

            // posix_fadvise returns its error number instead of setting errno.
            if (PosixFadvise(fd, 0, 0, PosixFadvDontNeed) is not 0 and var error)
            {
                throw new IOException($"posix_fadvise(DONTNEED) {file} failed (error {error})");
            }
        }
    }

    /// <summary>Bytes of <paramref name="files"/> now in the page cache.</summary>
    public static long ResidentBytes(IReadOnlyCollection<string> files)
    {
        if (files.Count == 0)
        {
            return 0;
        }

        var start = new ProcessStartInfo("fincore") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--bytes", "--noheadings", "--raw", "--output", "RES" }.Concat(files))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("fincore did not start (apt-get install -y util-linux)");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Sum(l => long.Parse(l, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"fincore failed: {error}");
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);
}
