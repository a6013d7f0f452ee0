using System.Diagnostics;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>What one run of a real executable produced.</summary>
public sealed record ProcessResult(int ExitCode, string Out, string Error, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:N1} s\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>The real executables the system tests run, and a way to run them.</summary>
public static class Programs
{
    /// <summary>The Linux build of collect (its apphost), built with this test project (same configuration).</summary>
    public static string LinuxCollect { get; } = RepoPaths.Require(
        Path.Combine(RepoPaths.Root, "src", "Collector.Stick", "bin", Configuration, "net10.0", "collect"),
        $"dotnet build src/Collector.Stick -c {Configuration}");

    /// <summary>The Linux build of collector (its apphost), built with this test project (same configuration).</summary>
    public static string LinuxCollector { get; } = RepoPaths.Require(
        Path.Combine(RepoPaths.Root, "src", "Collector.Workstation", "bin", Configuration, "net10.0", "collector"),
        $"dotnet build src/Collector.Workstation -c {Configuration}");

    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>Starts <paramref name="file"/> without waiting (for the fault suites, which kill it).</summary>
    public static Process Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    public static ProcessResult Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        using var process = Start(file, args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time:\n{stdout.Result}\n{stderr.Result}");
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result, watch.Elapsed);
    }
}
