using System.Runtime.InteropServices;
using Collector.Core.Errors;

namespace Collector.Workstation.Export;

/// <summary>How export puts a file on disk; tests pass one that fails partway.</summary>
public interface IBatchFileWriter
{
    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> so that, once this returns,
    /// the whole file is on the disk; a failure leaves no file under that name. Throws a
    /// <see cref="StorageException"/> when the folder refuses it. Export calls it on a thread of
    /// its own, one file at a time, while it prepares the next file.
    /// </summary>
    void Write(string path, ReadOnlySpan<byte> content);
}

/// <summary>
/// Writes to <c>NAME.partial</c>, flushes it to the disk (<c>FileStream.Flush(true)</c>, fsync),
/// renames it to NAME and flushes the folder, so a crash or power loss never leaves a half file
/// under a name someone would upload: at worst a <c>.partial</c> file, which Intune's upload
/// dialog does not offer.
/// </summary>
public sealed class DurableBatchFileWriter : IBatchFileWriter
{
    public const string PartialSuffix = ".partial";

    public void Write(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + PartialSuffix;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false); // a batch name is never reused: an existing file is not ours to replace
            FlushFolder(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new StorageException($"cannot write {path} ({e.Message})", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the folder refuses writes altogether; nothing was created to clean up
        }
    }

    // The rename is only durable once the folder's entry is: fsync the folder on Unix (.NET has
    // no API for it). On Windows, NTFS journals the rename and there is no folder handle to flush.
    private static void FlushFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(folder, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return; // best effort: the file's own bytes are already on the disk
        }

        _ = Fsync(fd);
        _ = Close(fd);
    }

    // DllImport, not LibraryImport: the generated stubs need unsafe code, and three calls do not warrant it.
    [DllImport("libc", EntryPoint = "open")]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
