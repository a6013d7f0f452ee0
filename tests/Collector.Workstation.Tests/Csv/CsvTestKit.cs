using System.Diagnostics;
using System.Text;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Tests.Csv;

/// <summary>Hubs, CSV text and command runs for the export and import tests.</summary>
internal static class CsvTestKit
{
    public static readonly DateTimeOffset Day = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);

    public const string Header3 = "Device Serial Number,Windows Product ID,Hardware Hash";

    /// <summary>Runs <c>collector</c> in process with the given clock (file names carry its time).</summary>
    public static Task<CliResult> RunAsync(TimeProvider clock, params string[] args) =>
        RunAsync(clock, new Dictionary<string, string>(), args);

    public static async Task<CliResult> RunAsync(TimeProvider clock, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new WorkstationContext(output, error, clock, name => environment.GetValueOrDefault(name));

        var exitCode = await CollectorApp.RunAsync(args, context);

        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Asserts the exit code, showing stdout and stderr when it is not the one expected.</summary>
    public static void AssertExit(int expected, CliResult result) =>
        Assert.True(result.ExitCode == expected, $"expected exit {expected}, got {result}");

    public static WorkstationContext Context(TimeProvider clock, StringWriter output, StringWriter error) =>
        new(output, error, clock, _ => null);

    /// <summary>Puts captures on a stick and merges it into the hub: the way devices really arrive.</summary>
    public static void Merge(string hubPath, ManualClock clock, params CaptureDraft[] drafts)
    {
        var stickPath = Path.Combine(Path.GetDirectoryName(hubPath)!, $"stick-{Guid.NewGuid():N}.db");
        using var stick = StickStore.Open(stickPath, Guid.NewGuid(), clock);
        foreach (var draft in drafts)
        {
            stick.Append(draft);
        }

        clock.Advance(TimeSpan.FromMinutes(10));
        using var hub = HubStore.Open(hubPath, clock);
        hub.Merge(stick, stickPath);
    }

    /// <summary>Fills a hub with many devices in one transaction (a stick commits each capture: too slow for thousands).</summary>
    public static void Fill(string hubPath, TimeProvider clock, IEnumerable<HashBuilder> devices, Guid? tenant = null, string groupTag = "")
    {
        using var hub = HubStore.Open(hubPath, clock);
        using var session = hub.BeginImport();
        var line = 1;
        foreach (var builder in devices)
        {
            var row = new CsvDeviceRow(++line, builder.Serial, "", builder.Build(), groupTag, "", "", "");
            session.Add(CsvImport.ToCapture(row, tenant ?? TestCaptures.Tenant, null, clock.GetUtcNow(), "test").Capture!);
        }

        session.Commit();
    }

    public static CaptureDraft Draft(int sample, string groupTag = "", string user = "", Guid? tenant = null) =>
        TestCaptures.Draft(sample, Day.AddHours(1), tenant, groupTag) with { AssignedUser = user };

    /// <summary>The device keys whose newest capture still waits for export (as <paramref name="format"/>).</summary>
    public static HashSet<string> Waiting(string hubPath, TimeProvider clock, string format = HubStore.AutopilotFormat)
    {
        using var hub = HubStore.Open(hubPath, clock);
        return hub.ExportCandidates(null, all: false, format).Select(c => c.DeviceKey).ToHashSet();
    }

    /// <summary>The device rows of an exported file: serial, hash, and the optional columns when present.</summary>
    public static List<string[]> Rows(string csvPath) =>
        [.. File.ReadAllText(csvPath, Encoding.ASCII).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))];

    public static string CsvLine(HashBuilder builder, string? serial = null, params string[] more) =>
        string.Join(',', [serial ?? builder.Serial, "", builder.Build(), .. more]);

    /// <summary>Text as Windows PowerShell's Out-File writes it: UTF-16LE with a BOM.</summary>
    public static byte[] Utf16WithBom(string text) => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(text)];

    /// <summary>Runs a process to the end; the output and exit code, or a failure with both streams.</summary>
    public static (int ExitCode, string Out, string Error) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}

/// <summary>
/// A small tmpfs mounted for one test: read-only, or so small that it fills up. As root, file
/// permissions stop no write, so only a real mount makes a folder refuse one. Unmounted on Dispose.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    public TmpfsMount(string path, int kilobytes, bool readOnly)
    {
        Path = path;
        Directory.CreateDirectory(path);
        var options = $"size={kilobytes}k,mode=0755" + (readOnly ? ",ro" : "");
        var (code, _, error) = CsvTestKit.Run("mount", "-t", "tmpfs", "-o", options, "collector-test", path);
        if (code != 0)
        {
            throw new InvalidOperationException($"mount -t tmpfs failed ({error.Trim()}): these tests need root with mount rights, as CI has");
        }
    }

    public string Path { get; }

    public void Dispose() => CsvTestKit.Run("umount", "-l", Path);
}
