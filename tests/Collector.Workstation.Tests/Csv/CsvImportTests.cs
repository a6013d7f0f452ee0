using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Csv;

namespace Collector.Workstation.Tests.Csv;

public sealed class CsvImportTests
{
    private static readonly DateTimeOffset Written = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_good_row_becomes_a_csv_import_capture_of_the_hash_and_the_row_values()
    {
        var builder = HashBuilder.Sample(4);
        var row = Row(builder.Serial, builder.Build(), tag: "Kiosk", user: "ada@contoso.example");

        var result = CsvImport.ToCapture(row, TestCaptures.Tenant, null, Written, "1.2.3");

        var capture = result.Capture!;
        Assert.Null(result.Rejected);
        Assert.Empty(result.Warnings);
        Assert.Equal(CaptureMethods.CsvImport, capture.Method);
        Assert.Equal(("CLT-0000004", "CLT-0000004", "Kiosk", "ada@contoso.example"), (capture.Serial, capture.DeviceKey, capture.GroupTag, capture.AssignedUser));
        Assert.Equal((builder.Manufacturer, builder.Model, builder.SmbiosUuid), (capture.Manufacturer, capture.Model, capture.SmbiosUuid));
        Assert.Equal((Written, 7L, CsvImport.ImportStickId, "1.2.3"), (capture.CapturedAt, capture.StickSequence, capture.StickId, capture.CollectorVersion));
        Assert.NotEqual(Guid.Empty, capture.StickId);
    }

    [Fact]
    public void The_capture_id_depends_only_on_tenant_and_hash()
    {
        var hash = HashBuilder.Sample(4).Build();

        var a = CsvImport.ToCapture(Row("CLT-0000004", hash), TestCaptures.Tenant, null, Written, "1").Capture!.CaptureId;
        var b = CsvImport.ToCapture(Row("CLT-0000004", hash, line: 90, tag: "Other"), TestCaptures.Tenant, null, Written.AddDays(3), "2").Capture!.CaptureId;
        var c = CsvImport.ToCapture(Row("CLT-0000004", hash), TestCaptures.OtherTenant, null, Written, "1").Capture!.CaptureId;

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(8, a.Version);
    }

    [Fact]
    public void A_serial_column_that_differs_from_the_hash_is_kept_flagged_and_the_hash_serial_stored()
    {
        var result = CsvImport.ToCapture(Row("WMI-SAYS-THIS", HashBuilder.Sample(4).Build()), TestCaptures.Tenant, null, Written, "1");

        Assert.Equal("CLT-0000004", result.Capture!.Serial);
        Assert.Contains(HashFlags.SerialMismatch, result.Capture.Flags);
        Assert.Contains("the serial column says 'WMI-SAYS-THIS', the hash says 'CLT-0000004'", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_serial_column_is_kept_and_flagged()
    {
        var result = CsvImport.ToCapture(Row("", HashBuilder.Sample(4).Build()), TestCaptures.Tenant, null, Written, "1");

        Assert.Equal("CLT-0000004", result.Capture!.Serial);
        Assert.Contains(HashFlags.SerialMismatch, result.Capture.Flags);
        Assert.Contains("the serial column is empty", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_placeholder_serial_in_the_hash_is_kept_keyed_by_uuid_and_said_so()
    {
        var builder = new HashBuilder { Serial = "Default string" };

        var result = CsvImport.ToCapture(Row("Default string", builder.Build()), TestCaptures.Tenant, null, Written, "1");

        Assert.Equal("uuid:" + builder.SmbiosUuid!.Value.ToString("D"), result.Capture!.DeviceKey);
        Assert.Contains(HashFlags.PlaceholderSerial, result.Capture.Flags);
        Assert.Contains(HashFlags.PlaceholderSerial, Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_hash_rejects_the_row()
    {
        var result = CsvImport.ToCapture(Row("CLT-1", ""), TestCaptures.Tenant, null, Written, "1");

        Assert.Null(result.Capture);
        Assert.Equal("no hardware hash in this row", result.Rejected);
    }

    [Fact]
    public void A_hash_that_fails_validation_rejects_the_row_with_the_codec_reason()
    {
        var bytes = HashBuilder.Sample(4).BuildBytes();
        bytes[60] ^= 0x5A;

        var result = CsvImport.ToCapture(Row("CLT-0000004", Convert.ToBase64String(bytes)), TestCaptures.Tenant, null, Written, "1");

        Assert.Null(result.Capture);
        Assert.StartsWith("the hardware hash is invalid: ", result.Rejected, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kiosk,Lobby", "", "a comma")]
    [InlineData("Caf\u00e9", "", "non-ASCII")]
    [InlineData("", "not-an-upn", "not a UPN")]
    public void A_tag_or_user_intune_cannot_carry_rejects_the_row(string tag, string user, string expected)
    {
        var result = CsvImport.ToCapture(Row("CLT-0000004", HashBuilder.Sample(4).Build(), tag: tag, user: user), TestCaptures.Tenant, null, Written, "1");

        Assert.Null(result.Capture);
        Assert.Contains(expected, result.Rejected, StringComparison.Ordinal);
    }

    [Fact]
    public void The_group_tag_override_replaces_the_row_tag_even_a_bad_one()
    {
        var result = CsvImport.ToCapture(Row("CLT-0000004", HashBuilder.Sample(4).Build(), tag: "bad,tag"), TestCaptures.Tenant, "Lab", Written, "1");

        Assert.Equal("Lab", result.Capture!.GroupTag);
    }

    private static CsvDeviceRow Row(string serial, string hash, int line = 7, string tag = "", string user = "") =>
        new(line, serial, "", hash, tag, user, "", "");
}
