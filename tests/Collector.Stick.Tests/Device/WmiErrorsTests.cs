using Collector.Stick.Device;

namespace Collector.Stick.Tests.Device;

public sealed class WmiErrorsTests
{
    [Fact]
    public void A_known_code_is_named_in_words_with_its_number()
    {
        var described = WmiErrors.Describe(WmiErrors.InvalidNamespace);

        Assert.Equal("WBEM_E_INVALID_NAMESPACE, no such namespace, 0x8004100E", described);
    }

    [Fact]
    public void An_unknown_code_is_given_as_its_number()
    {
        var described = WmiErrors.Describe(unchecked((int)0x80041099));

        Assert.Equal("0x80041099", described);
    }

    [Theory]
    [InlineData(unchecked((int)0x8004100E), true)]
    [InlineData(unchecked((int)0x80041010), true)]
    [InlineData(unchecked((int)0x80041003), false)]
    [InlineData(unchecked((int)0x80041001), false)]
    public void Only_a_missing_namespace_or_class_counts_as_the_autopilot_class_being_absent(int hresult, bool missing)
    {
        var isMissing = WmiErrors.IsMissing(hresult);

        Assert.Equal(missing, isMissing);
    }

    [Fact]
    public void A_query_failure_carries_wmis_code_and_says_what_was_being_done()
    {
        var failure = new WmiQueryException(WmiErrors.AccessDenied, @"WMI could not open root\cimv2\mdm\dmmap");

        Assert.Equal(WmiErrors.AccessDenied, failure.HResult);
        Assert.Equal(@"WMI could not open root\cimv2\mdm\dmmap (WBEM_E_ACCESS_DENIED, 0x80041003)", failure.Message);
    }

    [Fact]
    public void Off_windows_the_real_wmi_source_says_wmi_exists_only_on_windows()
    {
        var failure = Assert.Throws<WmiUnavailableException>(() => new WmiHashSource().Read());

        Assert.Equal("WMI exists only on Windows", failure.Message);
    }
}
