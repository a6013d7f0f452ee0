using System.Runtime.InteropServices;
using Collector.Core.Errors;
using Microsoft.Win32.SafeHandles;

namespace Collector.Core.Inputs;

/// <summary>
/// Opens a file a user named (an OA3 report, a CSV, stick.json, a table target file) for reading,
/// and refuses with one line what is not a regular file: a folder ("Access to the path is
/// denied" is what .NET would say), a missing file, or a FIFO or device, which a plain open
/// would wait on forever for a writer. .NET cannot tell a FIFO from an empty file before opening
/// it (both are "Normal", length 0), so on Linux the file is opened with O_NONBLOCK, which returns
/// at once even for a FIFO, and refused unless it can seek: regular files can, pipes cannot. (On
/// Windows a named pipe is no path a user types; there, and elsewhere, the plain open is used.)
/// </summary>
public static class RegularFile
{
    /// <summary>Opens <paramref name="path"/> for reading; <paramref name="name"/> is how messages call it (default: the path).</summary>
    public static FileStream Open(string path, int bufferSize = 4096, string? name = null)
    {
        name ??= path;
        if (Directory.Exists(path))
        {
            throw new InvalidInputException($"{name} is a folder, not a file");
        }

        FileStream stream;
        try
        {
            stream = OperatingSystem.IsLinux() ? OpenNonBlocking(path, bufferSize) : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException($"{name}: no such file", e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidInputException($"{name}: cannot be read ({e.Message})", e);
        }

        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new InvalidInputException($"{name} is not a regular file (a pipe or a device): give a file");
        }

        return stream;
    }

    private static FileStream OpenNonBlocking(string path, int bufferSize)
    {
        // Linux's flag values (the same on x64 and arm64).
        const int ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000;
        var fd = NativeOpen(path, ReadOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            // Let .NET open it the usual way to get its usual exception for the usual reasons (missing, denied).
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        }

        return new FileStream(new SafeFileHandle((nint)fd, ownsHandle: true), FileAccess.Read, bufferSize);
    }

    // DllImport, not LibraryImport: the generated stub needs unsafe code, and one call does not warrant it.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int NativeOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
