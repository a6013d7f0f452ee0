using System.CommandLine;
using System.Globalization;
using System.Text;
using Collector.Core.Errors;
using Collector.Workstation.Hub;
using Collector.Workstation.Report;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector report [--hub FILE] [--out FILE.html]</c>: one self-contained HTML page about the
/// hub (captures per day, site and technician; devices by state and model; flagged devices with
/// their history; sticks). It only reads the hub. The page is written to <c>FILE.partial</c>,
/// which is made before the hub is read (a folder that refuses it fails at once), and renamed
/// when complete, so a half page never sits under the name asked for.
/// </summary>
public static class ReportCommand
{
    public sealed record Options(string? Hub, string? Out);

    public static Command Create(WorkstationContext context)
    {
        var hub = SharedOptions.Hub();
        var output = new Option<string>("--out")
        {
            HelpName = "FILE.html",
            Description = "Where to write the page (default: collector-report-<UTC time>.html in the current folder). Its folder must exist.",
        };
        var command = new Command("report", "Write one self-contained HTML page with charts of the hub: per day, site, technician, state, model; flagged devices; sticks.")
        {
            hub, output,
        };
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(new Options(parse.GetValue(hub), parse.GetValue(output)), context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, CancellationToken cancellationToken)
    {
        var now = context.Clock.GetUtcNow();
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(options.Out)
            ? $"collector-report-{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.html"
            : options.Out);
        var hubPath = context.HubPath(options.Hub);
        using var store = HubStore.Open(hubPath, context.Clock, readOnly: true);
        var partial = path + ".partial";
        HubReport report;
        long bytes;
        using (var file = Create(partial, path))
        {
            try
            {
                report = store.Report(ReportPage.FlaggedLimit);
                cancellationToken.ThrowIfCancellationRequested();
                // "\n" on every platform: the same hub makes the same page on Windows and Linux.
                using (var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" })
                {
                    ReportPage.Write(writer, report, store.Path, now);
                }

                file.Flush(flushToDisk: true);
                bytes = file.Length;
            }
            catch (Exception e)
            {
                file.Dispose();
                TryDelete(partial);
                if (e is IOException or UnauthorizedAccessException)
                {
                    throw new StorageException($"cannot write the report {path} ({e.Message})", e);
                }

                throw;
            }
        }

        try
        {
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(partial);
            throw new StorageException($"cannot write the report {path} ({e.Message})", e);
        }

        await context.Out.WriteLineAsync(report.Devices == 0
            ? $"Report: {path} (the hub holds no devices yet; the page says so)"
            : $"Report: {path} ({report.Devices:N0} devices, {report.Captures:N0} captures, {bytes / 1024.0:N0} KB)").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static FileStream Create(string partial, string path)
    {
        try
        {
            return new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var folder = Path.GetDirectoryName(path)!;
            throw new StorageException(Directory.Exists(folder)
                ? $"cannot write the report {path} ({e.Message})"
                : $"cannot write the report {path}: the folder {folder} does not exist", e);
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
            // the folder refuses changes; the partial file (if any) is all that is left
        }
    }
}
