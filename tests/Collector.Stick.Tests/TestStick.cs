using System.Security.Cryptography;
using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Stick.Device;
using Collector.Testing;

namespace Collector.Stick.Tests;

/// <summary>
/// A stick in a temp folder (collector\, data\, tools\) and the device collect runs on: a fake
/// platform and WMI, the real process runner (stand-in programs are shell scripts), a manual
/// clock. <see cref="RunAsync"/> runs collect in process and returns exit code, stdout, stderr.
/// </summary>
public sealed class TestStick : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 30, 0, TimeSpan.Zero);

    private readonly TempDirectory temp = new("collect-stick-");
    private FakeKeyboard? keys;

    public TestStick(DeviceOs os = DeviceOs.NotWindows)
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(SystemDirectory);
        Platform = new FakePlatform(os, SystemDirectory);
    }

    public string Root => temp.File("stick");

    public StickPaths Paths => new(Root);

    /// <summary>The device's System32: where rundll32.exe and shutdown.exe stand-ins go.</summary>
    public string SystemDirectory => temp.File("System32");

    public FakePlatform Platform { get; }

    public FakeWmi Wmi { get; } = new();

    public ManualClock Clock { get; } = new(Now);

    /// <summary>The technician's keyboard, on <see cref="Clock"/>.</summary>
    public FakeKeyboard Keys => keys ??= new FakeKeyboard(Clock);

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>Where collect's own executable sits; null means "unknown", so --stick is needed.</summary>
    public string? ExecutablePath { get; set; }

    public string Scratch(string name) => temp.File(name);

    public string WriteSettings(StickSettings settings)
    {
        settings.Write(Paths.Settings);
        return Paths.Settings;
    }

    public string WriteSettingsText(string json) => temp.Write("stick/collector/stick.json", json);

    /// <summary>Writes an OA3.xml report (outside the stick) holding <paramref name="builder"/>'s hash.</summary>
    public string WriteReport(HashBuilder builder, string name = "OA3.xml") => WriteReportText(Oa3Reports.For(builder.Build()), name);

    public string WriteReportText(string text, string name = "OA3.xml") => temp.Write(Path.Combine("reports", name), text);

    /// <summary>Puts a shell script on the stick or device, executable, standing in for a Windows program.</summary>
    public string WriteProgram(string path, string script)
    {
        File.WriteAllText(path, "#!/bin/sh\n" + script.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>Saves captures of sample devices straight through the store: what a stick already holds.</summary>
    public void Seed(params int[] samples)
    {
        using var store = StickStore.Open(Paths.Database, Guid.NewGuid(), Clock);
        foreach (var sample in samples)
        {
            store.Append(TestCaptures.Draft(sample, Now.AddMinutes(-sample)));
        }
    }

    public IReadOnlyList<Capture> Captures()
    {
        using var store = StickStore.OpenExisting(Paths.Database);
        return store.ReadCaptures().ToList();
    }

    public byte[] DatabaseDigest() => SHA256.HashData(File.ReadAllBytes(Paths.Database));

    public Task<CliResult> RunAsync(params string[] args) => RunOnStickAsync(["--stick", Root, .. args]);

    /// <summary>Runs collect with exactly these arguments (no --stick added).</summary>
    public async Task<CliResult> RunOnStickAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new StickContext(output, error, Clock, name => Environment.GetValueOrDefault(name),
            Platform, Wmi, new ProcessRunner(), ExecutablePath, Keys);

        var exitCode = await CollectApp.RunAsync(args, context);

        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public void Dispose() => temp.Dispose();
}
