using System.Diagnostics;
using System.Globalization;

namespace Collector.Testing;

/// <summary>
/// A USB stick as the design's tests use it (section 9): an exFAT image (mkfs.exfat) attached to
/// a loop device (losetup -f --show; exfat-fuse refuses a plain file as root) and mounted with
/// mount.exfat-fuse. <see cref="Pull"/> kills the FUSE process, as pulling the stick mid-write
/// would; <see cref="Repair"/> runs fsck.exfat -y. Dispose always unmounts and detaches the loop
/// device: loop devices are shared by everything on the machine.
/// </summary>
public sealed class ExfatStick : IDisposable
{
    public const string MkfsExfat = "/usr/sbin/mkfs.exfat";
    public const string FsckExfat = "/usr/sbin/fsck.exfat";
    public const string MountExfatFuse = "/usr/sbin/mount.exfat-fuse";
    private const string Install = "apt-get install -y exfat-fuse exfatprogs";

    private readonly TempDirectory temp = new("collector-exfat-");
    private bool mounted;

    public ExfatStick(long sizeBytes = 64L * 1024 * 1024)
    {
        RepoPaths.Require(MkfsExfat, Install);
        RepoPaths.Require(FsckExfat, Install);
        RepoPaths.Require(MountExfatFuse, Install);
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("exFAT stick tests need root (losetup, mount): run them as root, as CI does");
        }

        Image = temp.File("stick.img");
        MountPoint = temp.File("mnt");
        Directory.CreateDirectory(MountPoint);
        using (var image = File.Create(Image))
        {
            image.SetLength(sizeBytes);
        }

        Run(MkfsExfat, "-L", "COLLECT", Image);
        LoopDevice = Run("losetup", "-f", "--show", Image).Trim();
        try
        {
            Mount();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Image { get; }

    public string LoopDevice { get; } = "";

    /// <summary>The stick's root folder while mounted.</summary>
    public string MountPoint { get; }

    /// <summary>The PID of the mount.exfat-fuse process serving this mount.</summary>
    public int FusePid { get; private set; }

    public void Mount(bool readOnly = false)
    {
        if (readOnly)
        {
            Run(MountExfatFuse, "-o", "ro", LoopDevice, MountPoint);
        }
        else
        {
            Run(MountExfatFuse, LoopDevice, MountPoint);
        }

        mounted = true;
        FusePid = FindFusePid();
    }

    /// <summary>A clean unmount (what ejecting the stick does).</summary>
    public void Unmount()
    {
        Run("umount", MountPoint);
        mounted = false;
        WaitForExit(FusePid);
    }

    /// <summary>
    /// Pulls the stick: SIGKILL to the FUSE process, so whatever it had not written is lost. The
    /// dead mount stays in place until <see cref="Repair"/>, and every access to it fails (ENOTCONN)
    /// as a pulled stick's drive would; unmounting at once would let a program still running
    /// write into the bare mount-point folder instead.
    /// </summary>
    public void Pull()
    {
        using (var fuse = Process.GetProcessById(FusePid))
        {
            fuse.Kill();
        }

        WaitForExit(FusePid);
    }

    /// <summary>
    /// Unmounts (lazily, after a pull) and runs fsck.exfat -y on the stick; returns its exit code
    /// (0 clean, 1 repaired) and output.
    /// </summary>
    public (int ExitCode, string Output) Repair()
    {
        if (mounted)
        {
            Run("umount", "-l", MountPoint);
            mounted = false;
        }

        return RunAllowingFailure(FsckExfat, "-y", LoopDevice);
    }

    /// <summary>Fills the stick with a file until it has less than <paramref name="leaveBytes"/> free.</summary>
    public void Fill(long leaveBytes = 0)
    {
        var free = new DriveInfo(MountPoint).AvailableFreeSpace;
        using var filler = new FileStream(Path.Combine(MountPoint, "filler.bin"), FileMode.Create);
        var chunk = new byte[1024 * 1024];
        try
        {
            for (long written = 0; written < free - leaveBytes;)
            {
                var n = (int)Math.Min(chunk.Length, free - leaveBytes - written);
                filler.Write(chunk, 0, n);
                written += n;
            }

            filler.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // the stick ran out before the estimate did: it is full, which is the point
        }
    }

    public void Dispose()
    {
        if (mounted)
        {
            RunAllowingFailure("umount", "-l", MountPoint);
            mounted = false;
        }

        if (LoopDevice.Length > 0)
        {
            // the FUSE process may take a moment to let go; losetup -d then only marks autoclear
            RunAllowingFailure("losetup", "-d", LoopDevice);
        }

        temp.Dispose();
    }

    private int FindFusePid()
    {
        // exfat-fuse daemonises; find our daemon by its exact arguments (our loop device and mount point).
        for (var attempt = 0; attempt < 50; attempt++)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                try
                {
                    var argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                    if (argv.Length > 2 && argv[0].EndsWith("mount.exfat-fuse", StringComparison.Ordinal)
                        && argv.Contains(LoopDevice) && argv.Contains(MountPoint))
                    {
                        return pid;
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            Thread.Sleep(20);
        }

        throw new InvalidOperationException($"no mount.exfat-fuse process found for {LoopDevice} on {MountPoint}");
    }

    /// <summary>
    /// Waits until <paramref name="pid"/> is gone or a zombie (dead, not yet reaped: it is not
    /// our child, and init reaps in its own time).
    /// </summary>
    private static void WaitForExit(int pid)
    {
        for (var i = 0; i < 1000; i++)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z'))
                {
                    return;
                }
            }
            catch (IOException)
            {
                return; // gone
            }

            Thread.Sleep(5);
        }
    }

    private static string Run(string file, params string[] args)
    {
        var (code, output) = RunAllowingFailure(file, args);
        return code == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {output}");
    }

    private static (int ExitCode, string Output) RunAllowingFailure(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish within 60 s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
