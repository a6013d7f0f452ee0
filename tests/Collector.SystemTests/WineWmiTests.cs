namespace Collector.SystemTests;

/// <summary>
/// collect's WMI code (WmiSession: COM, IWbemLocator, ExecQuery, Next, Get; source-generated
/// interop) in the published win-x64 probe, built with the stick's recipe, against the classes
/// Wine's WMI answers. What it reads is checked against <c>wmic</c> in the same prefix.
/// </summary>
[Collection(WineCollection.Name)]
public sealed class WineWmiTests(Wine wine)
{
    [Fact]
    public void The_wmi_code_of_collect_reads_the_bios_serial_and_the_make_and_model_that_wmic_reports()
    {
        var serial = Wmic("bios", "SerialNumber");
        var manufacturer = Wmic("path Win32_ComputerSystem", "Manufacturer");
        var model = Wmic("path Win32_ComputerSystem", "Model");

        // One session, three queries: as collect asks for the hash and then the BIOS serial.
        var probe = wine.Run([
            wine.WmiProbe,
            @"root\cimv2", "SELECT SerialNumber FROM Win32_BIOS", "SerialNumber",
            @"root\cimv2", "SELECT Manufacturer FROM Win32_ComputerSystem", "Manufacturer",
            @"root\cimv2", "SELECT Model FROM Win32_ComputerSystem", "Model"]);

        Assert.True(probe.ExitCode == 0, probe.ToString());
        Assert.All([serial, manufacturer, model], value => Assert.False(string.IsNullOrWhiteSpace(value)));
        Assert.Equal([$"SerialNumber={serial}", $"Manufacturer={manufacturer}", $"Model={model}"], Lines(probe.Out));
    }

    [Fact]
    public void The_autopilot_namespace_is_missing_under_wine_and_wmis_code_says_so()
    {
        var probe = wine.Run([
            wine.WmiProbe, @"root\cimv2\mdm\dmmap",
            "SELECT DeviceHardwareData FROM MDM_DevDetail_Ext01 WHERE InstanceID='Ext' AND ParentID='./DevDetail'", "DeviceHardwareData"]);

        Assert.True(probe.ExitCode == 3, probe.ToString());
        Assert.Contains(@"WMI could not open root\cimv2\mdm\dmmap (WBEM_E_INVALID_NAMESPACE, no such namespace, 0x8004100E)", probe.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT SerialNumber FROM Win32_BIOS", "NoSuchProperty",
        "the property NoSuchProperty could not be read from 'SELECT SerialNumber FROM Win32_BIOS' in root\\cimv2 (WBEM_E_NOT_FOUND, 0x80041002)")]
    [InlineData("SELECT NumberOfProcessors FROM Win32_ComputerSystem", "NumberOfProcessors",
        "the property NumberOfProcessors of 'SELECT NumberOfProcessors FROM Win32_ComputerSystem' is of VARIANT type 3, not a string (DISP_E_TYPEMISMATCH, 0x80020005)")]
    public void A_property_that_is_missing_or_not_a_string_is_an_error_with_its_reason_never_a_value(string query, string property, string expected)
    {
        var probe = wine.Run([wine.WmiProbe, @"root\cimv2", query, property]);

        Assert.True(probe.ExitCode == 3, probe.ToString());
        Assert.Equal($"wmi-probe: {expected}", probe.Error.Trim());
    }

    /// <summary>One property of the first instance, as <c>wmic ALIAS get PROPERTY</c> prints it (header line, value line).</summary>
    private string Wmic(string alias, string property)
    {
        var result = wine.Run(["wmic", .. alias.Split(' '), "get", property]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Lines(result.Out);
        Assert.True(lines.Count >= 2 && lines[0] == property, result.ToString());
        return lines[1];
    }

    private static List<string> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}
