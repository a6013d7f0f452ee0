using System.Diagnostics;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Stick.Device;
using Collector.Testing;

namespace Collector.Stick.Tests.Device;

/// <summary>
/// The sources in the design's order, on a described device. oa3tool, rundll32 and shutdown are
/// real processes (shell scripts standing in for them); only the platform and WMI are fakes.
/// </summary>
public sealed class HashReaderTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TestStick stick = new();

    public HashReaderTests() => Directory.CreateDirectory(stick.Paths.Tools);

    public void Dispose() => stick.Dispose();

    private string Tool(string name) => Path.Combine(stick.Paths.Tools, name);

    [Fact]
    public async Task Full_windows_reads_the_hash_through_wmi_and_flags_a_bios_serial_that_differs()
    {
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Reading = new WmiReading(HashBuilder.Sample(4).Build(), "CLT-OTHER");

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        var saved = Assert.Single(stick.Captures());
        Assert.Equal((CaptureMethods.Wmi, "CLT-0000004"), (saved.Method, saved.Serial));
        Assert.Equal([HashFlags.SerialMismatch], saved.Flags);
        Assert.Contains(HashFlags.Describe(HashFlags.SerialMismatch), result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bios_serial_that_matches_raises_no_flag()
    {
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Reading = new WmiReading(HashBuilder.Sample(4).Build(), " CLT-0000004 ");

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(Assert.Single(stick.Captures()).Flags);
    }

    [Fact]
    public async Task The_oa3_report_option_comes_first_even_where_wmi_could_answer()
    {
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Reading = new WmiReading(HashBuilder.Sample(4).Build(), null);
        var report = stick.WriteReport(HashBuilder.Sample(5));

        var result = await stick.RunAsync("--tenant", Tenant, "--oa3-report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(0, stick.Wmi.Calls);
        Assert.Equal(("CLT-0000005", CaptureMethods.Oa3Report), (Assert.Single(stick.Captures()).Serial, stick.Captures()[0].Method));
    }

    [Fact]
    public async Task Without_elevation_it_says_to_run_from_shift_f10_and_asks_nothing_of_wmi()
    {
        stick.Seed(1, 2);
        var before = stick.DatabaseDigest();
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Platform.IsElevated = false;
        stick.Wmi.Reading = new WmiReading(HashBuilder.Sample(4).Build(), null);

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.NoHash, result.ExitCode);
        Assert.Contains("not running as administrator", result.Error, StringComparison.Ordinal);
        Assert.Contains("Shift+F10", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, stick.Wmi.Calls);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task When_wmi_fails_and_there_is_no_oa3tool_it_says_what_to_do()
    {
        stick.Seed(1, 2);
        var before = stick.DatabaseDigest();
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Failure = "WMI's MDM_DevDetail_Ext01 could not be read (Invalid class)";

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.NoHash, result.ExitCode);
        Assert.Contains("Invalid class", result.Error, StringComparison.Ordinal);
        Assert.Contains($"copy oa3tool.exe (Windows ADK) into {stick.Paths.Tools}", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task An_empty_hash_from_wmi_is_an_error_never_a_record()
    {
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Reading = new WmiReading("  ", "CLT-1");

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.NoHash, result.ExitCode);
        Assert.Contains("gave no hash", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task When_wmi_fails_oa3tool_on_the_stick_reads_the_hash_instead()
    {
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Failure = "WMI's MDM_DevDetail_Ext01 could not be read (Invalid namespace)";
        WriteOa3Tool(Report(HashBuilder.Sample(6)));

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(CaptureMethods.Oa3Tool, Assert.Single(stick.Captures()).Method);
        Assert.Contains("(Invalid namespace); read it with oa3tool.exe instead", result.Out, StringComparison.Ordinal);
        Assert.Equal(1, stick.Wmi.Calls);
    }

    [Fact]
    public async Task In_winpe_oa3tool_runs_in_a_fresh_temp_folder_with_our_config_which_is_removed_afterwards()
    {
        stick.Platform.Os = DeviceOs.WinPE;
        WriteOa3Tool(Report(HashBuilder.Sample(8)));

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(0, stick.Wmi.Calls);
        var saved = Assert.Single(stick.Captures());
        Assert.Equal(("CLT-0000008", CaptureMethods.Oa3Tool), (saved.Serial, saved.Method));
        Assert.Equal("/Report /ConfigFile=OA3.cfg /NoKeyCheck", File.ReadAllText(Tool("oa3tool.args")).Trim());
        var workFolder = File.ReadAllText(Tool("oa3tool.cwd")).Trim();
        Assert.StartsWith(Path.GetTempPath().TrimEnd('/'), workFolder, StringComparison.Ordinal);
        Assert.Contains("collect-oa3-", workFolder, StringComparison.Ordinal);
        Assert.False(Directory.Exists(workFolder));
        Assert.Equal(Oa3Tool.DefaultConfig, File.ReadAllText(Tool("seen-OA3.cfg")));
        Assert.Equal(Oa3Tool.DefaultInput, File.ReadAllText(Tool("seen-input.xml")));
    }

    [Fact]
    public async Task The_oa3_cfg_and_input_xml_in_the_tools_folder_are_used_when_present()
    {
        stick.Platform.Os = DeviceOs.WinPE;
        var config = Oa3Tool.DefaultConfig.Replace("<OA3>", "<OA3><!-- the admin's copy -->", StringComparison.Ordinal);
        File.WriteAllText(Tool("OA3.cfg"), config);
        File.WriteAllText(Tool("input.xml"), "<Key><ProductKey>admin</ProductKey></Key>");
        WriteOa3Tool(Report(HashBuilder.Sample(8)));

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(config, File.ReadAllText(Tool("seen-OA3.cfg")));
        Assert.Equal("<Key><ProductKey>admin</ProductKey></Key>", File.ReadAllText(Tool("seen-input.xml")));
    }

    [Fact]
    public async Task In_winpe_without_oa3tool_it_says_to_copy_it_into_the_tools_folder()
    {
        stick.Seed(1);
        var before = stick.DatabaseDigest();
        stick.Platform.Os = DeviceOs.WinPE;

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(before, stick.DatabaseDigest());
        Assert.Equal(ExitCodes.NoHash, result.ExitCode);
        Assert.Contains("this is WinPE", result.Error, StringComparison.Ordinal);
        Assert.Contains($"copy oa3tool.exe (Windows ADK) into {stick.Paths.Tools}", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, stick.Wmi.Calls);
    }

    [Fact]
    public async Task An_oa3tool_that_hangs_is_stopped_at_the_time_limit_and_nothing_is_saved()
    {
        stick.Seed(1, 2);
        var before = stick.DatabaseDigest();
        stick.Platform.Os = DeviceOs.WinPE;
        stick.Environment[StickContext.Oa3ToolTimeoutVariable] = "1";
        WriteOa3Tool("exec sleep 600\n");
        var watch = Stopwatch.StartNew();

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.NoHash, result.ExitCode);
        Assert.Contains("oa3tool.exe did not finish within 1 s and was stopped", result.Error, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Equal(before, stick.DatabaseDigest());
        Assert.False(Directory.Exists(File.ReadAllText(Tool("oa3tool.cwd")).Trim()));
    }

    [Fact]
    public async Task An_oa3tool_that_writes_nothing_is_reported_with_its_exit_code_and_output()
    {
        stick.Seed(1);
        var before = stick.DatabaseDigest();
        stick.Platform.Os = DeviceOs.WinPE;
        WriteOa3Tool("echo 'Error: could not open the TPM' >&2\nexit 3\n");

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.NoHash, result.ExitCode);
        Assert.Contains("exited with code 3 and wrote no OA3.xml", result.Error, StringComparison.Ordinal);
        Assert.Contains("could not open the TPM", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task An_oa3tool_that_writes_garbage_is_reported_and_nothing_is_saved()
    {
        stick.Seed(1);
        var before = stick.DatabaseDigest();
        stick.Platform.Os = DeviceOs.WinPE;
        WriteOa3Tool("printf 'garbage \\001\\002 not xml' > OA3.xml\n");

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.NoHash, result.ExitCode);
        Assert.Contains("oa3tool.exe wrote a report without a usable hash", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task A_hash_from_oa3tool_that_fails_validation_is_not_saved_and_exits_2()
    {
        stick.Seed(1);
        var before = stick.DatabaseDigest();
        stick.Platform.Os = DeviceOs.WinPE;
        var bytes = HashBuilder.Sample(3).BuildBytes();
        bytes[0] = (byte)'X';
        File.WriteAllText(Tool("report.xml"), Oa3Reports.For(Convert.ToBase64String(bytes)));
        WriteOa3Tool(Report(null));

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("(oa3tool) fails validation: wrong magic", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task In_winpe_pcpksp_beside_oa3tool_is_copied_to_system32_and_registered_before_oa3tool_runs()
    {
        stick.Platform.Os = DeviceOs.WinPE;
        File.WriteAllText(Tool("PCPKsp.dll"), "stand-in for the TPM key storage provider");
        var log = stick.Scratch("order.log");
        stick.WriteProgram(Path.Combine(stick.SystemDirectory, "rundll32.exe"), $"echo \"rundll32 $* in $PWD\" >> '{log}'\n");
        WriteOa3Tool($"echo oa3tool >> '{log}'\n" + Report(HashBuilder.Sample(9)));

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("stand-in for the TPM key storage provider", File.ReadAllText(Path.Combine(stick.SystemDirectory, "PCPKsp.dll")));
        Assert.Equal([$"rundll32 PCPKsp.dll,DllInstall in {stick.SystemDirectory}", "oa3tool"], File.ReadAllLines(log));
        Assert.Contains("PCPKsp.dll copied to System32 and registered", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_pcpksp_registration_is_a_warning_and_the_capture_goes_on()
    {
        stick.Platform.Os = DeviceOs.WinPE;
        File.WriteAllText(Tool("PCPKsp.dll"), "not a real dll");
        stick.WriteProgram(Path.Combine(stick.SystemDirectory, "rundll32.exe"), "echo 'LoadLibrary failed' >&2\nexit 1\n");
        var noTpm = HashBuilder.Sample(9);
        noTpm.Tpm = false;
        WriteOa3Tool(Report(noTpm));

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("registering PCPKsp.dll failed (rundll32 exit code 1: \"LoadLibrary failed\")", result.Out, StringComparison.Ordinal);
        Assert.Contains(HashFlags.Describe(HashFlags.NoTpm), result.Out, StringComparison.Ordinal);
        Assert.Equal([HashFlags.NoTpm], Assert.Single(stick.Captures()).Flags);
    }

    [Fact]
    public async Task On_full_windows_pcpksp_is_left_alone()
    {
        stick.Platform.Os = DeviceOs.FullWindows;
        stick.Wmi.Failure = "no WMI here";
        File.WriteAllText(Tool("PCPKsp.dll"), "stand-in");
        WriteOa3Tool(Report(HashBuilder.Sample(9)));

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(stick.SystemDirectory, "PCPKsp.dll")));
    }

    [Fact]
    public async Task Elsewhere_than_windows_without_a_report_no_hash_can_be_read()
    {
        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.NoHash, result.ExitCode);
        Assert.Contains("pass --oa3-report FILE", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task A_time_limit_that_is_not_a_number_is_refused()
    {
        stick.Platform.Os = DeviceOs.WinPE;
        stick.Environment[StickContext.Oa3ToolTimeoutVariable] = "soon";

        var result = await stick.RunAsync("--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("COLLECT_OA3TOOL_TIMEOUT='soon'", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Script lines that write the report of <paramref name="builder"/> (or report.xml already in tools) as OA3.xml.</summary>
    private string Report(HashBuilder? builder)
    {
        if (builder is not null)
        {
            File.WriteAllText(Tool("report.xml"), Oa3Reports.For(builder.Build()));
        }

        return $"cp '{Tool("report.xml")}' OA3.xml\necho 'OA3 tool: report written'\n";
    }

    /// <summary>An oa3tool.exe stand-in: records its folder, arguments and input files, then runs <paramref name="body"/>.</summary>
    private void WriteOa3Tool(string body) => stick.WriteProgram(Tool("oa3tool.exe"), $"""
        tools='{stick.Paths.Tools}'
        echo "$PWD" > "$tools/oa3tool.cwd"
        echo "$*" > "$tools/oa3tool.args"
        cp OA3.cfg "$tools/seen-OA3.cfg"
        cp input.xml "$tools/seen-input.xml"
        {body}
        """);
}
