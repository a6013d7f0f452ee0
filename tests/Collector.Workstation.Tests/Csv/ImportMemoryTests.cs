using System.Diagnostics;
using System.Globalization;
using System.Text;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Hub;
using Xunit.Abstractions;
using static Collector.Workstation.Tests.Csv.CsvTestKit;

namespace Collector.Workstation.Tests.Csv;

/// <summary>
/// A 200 MB CSV is streamed: the real <c>collector</c> process imports it with about the memory it
/// needs for a file ten times smaller. Peak resident memory is the kernel's high-water mark
/// (VmHWM) of that process alone, so other tests running meanwhile do not blur it.
/// </summary>
public sealed class ImportMemoryTests(ITestOutputHelper log) : IDisposable
{
    private const long MegaByte = 1024 * 1024;
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_200_MB_file_is_imported_with_memory_as_flat_as_for_a_20_MB_one()
    {
        var small = Generate(temp.File("small.csv"), 20 * MegaByte, firstDevice: 1);
        var large = Generate(temp.File("large.csv"), 200 * MegaByte, firstDevice: 1_000_000);

        var smallPeak = PeakWhileImporting(small.Path, temp.File("small.db"));
        var largePeak = PeakWhileImporting(large.Path, temp.File("large.db"));

        log.WriteLine($"peak resident memory: {smallPeak / MegaByte} MB for {small.Rows:N0} rows (20 MB), {largePeak / MegaByte} MB for {large.Rows:N0} rows (200 MB)");
        using (var hub = HubStore.Open(temp.File("large.db"), TimeProvider.System))
        {
            Assert.Equal(large.Rows, hub.CountCaptures());
        }

        Assert.True(new FileInfo(large.Path).Length >= 200 * MegaByte);
        Assert.True(largePeak < smallPeak + 48 * MegaByte,
            $"peak resident memory grew from {smallPeak / MegaByte} MB ({small.Rows:N0} rows) to {largePeak / MegaByte} MB ({large.Rows:N0} rows): not streamed");
        Assert.True(largePeak < 200 * MegaByte, $"peak resident memory {largePeak / MegaByte} MB for a 200 MB file");
    }

    /// <summary>Distinct made-up devices, UTF-8, until the file reaches the size asked for.</summary>
    private static (string Path, int Rows) Generate(string path, long size, int firstDevice)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write(Header3 + "\r\n");
        var rows = 0;
        while (writer.BaseStream.Position < size)
        {
            var device = HashBuilder.Sample(firstDevice + rows++);
            writer.Write($"{device.Serial},,{device.Build()}\r\n");
            if (rows % 1000 == 0)
            {
                writer.Flush();
            }
        }

        return (path, rows);
    }

    private static long PeakWhileImporting(string csv, string hub)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "collector"))
        {
            ArgumentList = { "import", csv, "--tenant", TestCaptures.Tenant.ToString("D"), "--hub", hub },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.WaitForExit(25))
        {
            peak = Math.Max(peak, HighWaterMark(process.Id));
        }

        Assert.True(process.ExitCode == 0, $"import exited {process.ExitCode}: {stdout.Result} {stderr.Result}");
        Assert.True(peak > 0, "could not read /proc/PID/status while the import ran");
        return peak;
    }

    private static long HighWaterMark(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0; // the process ended between the check and the read
        }
    }
}
