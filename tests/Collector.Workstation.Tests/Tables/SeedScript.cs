using System.Diagnostics;
using System.Text.Json;
using Collector.Testing;

namespace Collector.Workstation.Tests.Tables;

/// <summary>
/// A real peer: PowerShell 7 making the seed script's request (TestData/seed-upload.ps1) against
/// Azurite, so the rows are what the seed writes — its underscore columns and nothing else.
/// </summary>
public static class SeedScript
{
    public sealed record Device(Guid TenantId, string Serial, string Hash, string GroupTag = "");

    public static async Task UploadAsync(Uri tableSasUrl, IReadOnlyList<Device> devices, TempDirectory temp)
    {
        var file = temp.Write($"seed-{Guid.NewGuid():N}.json", JsonSerializer.Serialize(devices));
        var script = Path.Combine(RepoPaths.Root, "tests", "Collector.Workstation.Tests", "TestData", "seed-upload.ps1");
        var start = new ProcessStartInfo(RepoPaths.Pwsh)
        {
            ArgumentList = { "-NoProfile", "-NonInteractive", "-File", script, "-StorageUrl", tableSasUrl.ToString(), "-DevicesFile", file },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the seed script did not finish within 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the seed script failed ({process.ExitCode}): {await error} {await output}");
        }
    }
}
