using System.Text;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Inputs;

namespace Collector.Workstation.Tests.Commands;

/// <summary>inspect and sync on text meant to mislead: escaped on the terminal, each fault said as it is.</summary>
public sealed class InspectHostileInputTests : IDisposable
{
    private const string Header = "Device Serial Number,Windows Product ID,Hardware Hash";
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Control_characters_from_a_hash_are_shown_escaped()
    {
        var hash = new HashBuilder { Serial = "A\u001b[2J\u0007B", Model = "M\u009b\u202eX", DiskSerial = "D\u001b", ProductKeyId = "\u0008\u0008" }.Build();

        var result = await Cli.RunAsync("inspect", hash);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(@"Serial        A\x1b[2J\x07B", result.Out, StringComparison.Ordinal);
        Assert.Contains(@"M\x9b\u202eX", result.Out, StringComparison.Ordinal);
        Assert.Contains(@"Product key   \x08\x08", result.Out, StringComparison.Ordinal);
        Assert.Contains(@"Device key    A\x1b[2J\x07B", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Out + result.Error, c => DisplayText.IsUnsafe(c) && c is not '\n' and not '\r');
    }

    [Fact]
    public async Task A_path_holding_control_characters_is_shown_escaped_by_sync()
    {
        var result = await Cli.RunAsync("sync", temp.File("no\u001b]0;x\u0007where"), "--hub", temp.File("hub.db"));

        Assert.Equal(5, result.ExitCode);
        Assert.Contains(@"no\x1b]0;x\x07where: does not exist", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Out + result.Error, c => DisplayText.IsUnsafe(c) && c is not '\n' and not '\r');
    }

    [Fact]
    public async Task A_csv_row_whose_serial_column_is_empty_says_so()
    {
        var path = temp.Write("vm.csv", $"{Header}\r\n,,{HashBuilder.Sample(1).Build()}\r\n");

        var result = await Cli.RunAsync("inspect", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("the row's serial column is empty", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("differs from the one in the hash", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_field_of_the_disk_record_is_shown()
    {
        var hash = new HashBuilder { DiskSerial = "", DiskModel = "Virtual Disk    |Msft    " }.Build();

        var result = await Cli.RunAsync("inspect", hash);

        Assert.Contains("Disk          (no serial), Virtual Disk, Msft", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_csv_over_the_inspect_limit_is_refused_pointing_at_import_as_the_readme_says()
    {
        var path = temp.File("big.csv");
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            writer.Write($"{Header}\r\n");
            var line = $"CLT-0000001,,{HashBuilder.Sample(1).Build()}\r\n";
            for (var written = 0L; written <= HashInputs.MaxInspectBytes; written += line.Length)
            {
                writer.Write(line);
            }
        }

        var result = await Cli.RunAsync("inspect", path);
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("larger than the 4 MB inspect reads; check a larger CSV with 'collector import'", result.Error, StringComparison.Ordinal);
        Assert.Contains("`inspect` reads files of at most 4 MB", readme, StringComparison.Ordinal);
    }
}
