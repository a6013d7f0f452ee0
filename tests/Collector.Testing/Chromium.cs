using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Collector.Testing;

/// <summary>What headless Chromium made of a page: the DOM after it loaded, and every console message it logged.</summary>
public sealed record RenderedPage(string Dom, IReadOnlyList<string> ConsoleMessages, string Log);

/// <summary>
/// Debian's Chromium, headless, on a local file: each run in a profile folder of its own,
/// nothing fetched from outside (background networking, component updates, sync and QUIC off).
/// Console messages are read from Chromium's own log (<c>--enable-logging=stderr --v=0</c>
/// writes each as an <c>INFO:CONSOLE</c> line): an uncaught script error, a console.error, and
/// a Content-Security-Policy violation (anything the page tried to load) each make one.
/// </summary>
public static partial class Chromium
{
    public static string Executable => RepoPaths.Require("/usr/bin/chromium", "apt-get install -y chromium");

    /// <summary>The page's DOM after loading (<c>--dump-dom</c>), and its console messages.</summary>
    public static RenderedPage DumpDom(string htmlFile)
    {
        var (output, log) = Run(["--dump-dom", new Uri(htmlFile).AbsoluteUri]);
        return new RenderedPage(output, ConsoleMessages(log), log);
    }

    /// <summary>A PNG of the page at <paramref name="width"/> × <paramref name="height"/> CSS pixels (<c>--screenshot</c>), and its console messages.</summary>
    public static RenderedPage Screenshot(string htmlFile, string png, int width, int height)
    {
        var (output, log) = Run([$"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(htmlFile).AbsoluteUri]);
        if (!File.Exists(png))
        {
            throw new InvalidOperationException($"chromium wrote no screenshot {png}:\n{output}\n{log}");
        }

        return new RenderedPage("", ConsoleMessages(log), log);
    }

    /// <summary>The console messages in a Chromium log (<c>[…:INFO:CONSOLE(12)] "text", source: …</c>; newer builds write <c>CONSOLE:12</c>).</summary>
    public static IReadOnlyList<string> ConsoleMessages(string log) =>
        [.. log.Split('\n').Where(line => ConsoleLine().IsMatch(line)).Select(line => line.Trim())];

    private static (string Output, string Log) Run(IEnumerable<string> args)
    {
        var profile = Directory.CreateTempSubdirectory("collector-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.FullName}", "--enable-logging=stderr", "--v=0",
                .. args])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var log = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium {string.Join(' ', args)} did not finish in 2 minutes");
            }

            process.WaitForExit();
            return process.ExitCode == 0
                ? (output.Result, log.Result)
                : throw new InvalidOperationException($"chromium exited {process.ExitCode}:\n{log.Result}");
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@":CONSOLE[:(]\d+")]
    private static partial Regex ConsoleLine();
}
