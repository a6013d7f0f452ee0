using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Csv;

namespace Collector.Workstation.Tests.Csv;

public sealed class ExportBatcherTests
{
    [Fact]
    public void Devices_are_cut_into_files_of_the_batch_size_in_order()
    {
        var batcher = new ExportBatcher(2, null);

        var batches = Run(batcher, Enumerable.Range(1, 5).Select(i => Device(i)));

        Assert.Equal([["CLT-0000001", "CLT-0000002"], ["CLT-0000003", "CLT-0000004"], ["CLT-0000005"]],
            batches.Select(b => b.Devices.Select(d => d.Serial).ToArray()));
        Assert.Empty(batcher.LeftOut);
    }

    [Fact]
    public void Two_devices_sharing_a_serial_never_share_a_file()
    {
        var batcher = new ExportBatcher(500, null);
        var twin = Device(12, serial: "CLT-0000001", key: "CLT-0000001~uuid");
        var third = Device(13, serial: "clt-0000001", key: "clt-0000001");

        var batches = Run(batcher, [Device(1), twin, Device(2), third]);

        Assert.Equal(3, batches.Count);
        Assert.All(batches, b => Assert.Equal(b.Devices.Count, b.Devices.Select(d => d.Serial.ToUpperInvariant()).Distinct().Count()));
        Assert.Equal(4, batches.Sum(b => b.Devices.Count));
    }

    [Fact]
    public void A_device_waiting_for_the_next_file_goes_into_it_first()
    {
        var batcher = new ExportBatcher(2, null);
        var twin = Device(12, serial: "CLT-0000001", key: "CLT-0000001~uuid");

        var batches = Run(batcher, [Device(1), twin, Device(2), Device(3), Device(4)]);

        Assert.Equal([["CLT-0000001", "CLT-0000002"], ["CLT-0000001~uuid", "CLT-0000003"], ["CLT-0000004"]],
            batches.Select(b => b.Devices.Select(d => d.DeviceKey).ToArray()));
    }

    [Fact]
    public void The_same_hash_under_two_keys_is_written_once_and_the_repeat_left_out_with_the_reason()
    {
        var batcher = new ExportBatcher(500, null);
        var first = Device(1);
        var copy = first with { DeviceKey = "CLT-0000001 " };

        var batches = Run(batcher, [first, copy]);

        Assert.Single(Assert.Single(batches).Devices);
        var left = Assert.Single(batcher.LeftOut);
        Assert.Equal("CLT-0000001 ", left.DeviceKey);
        Assert.Contains("exactly that of device CLT-0000001", left.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_tenant_gets_files_of_its_own()
    {
        var batcher = new ExportBatcher(500, null);

        var batches = Run(batcher, [Device(1), Device(2), Device(3, tenant: TestCaptures.OtherTenant)]);

        Assert.Equal([TestCaptures.Tenant, TestCaptures.OtherTenant], batches.Select(b => b.TenantId));
        Assert.Equal([2, 1], batches.Select(b => b.Devices.Count));
    }

    [Fact]
    public void Hashes_intune_rejects_are_left_out_with_the_reason()
    {
        var batcher = new ExportBatcher(500, null);
        var noSerial = Device(new HashBuilder { IncludeSerial = false }, "uuid:1");
        var noMaker = Device(new HashBuilder { Manufacturer = null, Serial = "CLT-NOMAKE" }, "CLT-NOMAKE");

        var batches = Run(batcher, [noSerial, noMaker, Device(1)]);

        Assert.Single(Assert.Single(batches).Devices);
        Assert.Equal(["uuid:1", "CLT-NOMAKE"], batcher.LeftOut.Select(l => l.DeviceKey));
        Assert.All(batcher.LeftOut, l => Assert.Contains("InvalidZtdHardwareHash", l.Reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Kiosk,Lobby", "", "a comma")]
    [InlineData("Kiosk \"A\"", "", "a double quote")]
    [InlineData("K\u00f8benhavn", "", "non-ASCII")]
    [InlineData("", "ada", "not a UPN")]
    [InlineData("", "ad,a@contoso.example", "a comma")]
    public void A_tag_or_user_the_format_cannot_carry_is_left_out_never_altered(string tag, string user, string expected)
    {
        var batcher = new ExportBatcher(500, null);

        var batches = Run(batcher, [Device(1) with { GroupTag = tag, AssignedUser = user }, Device(2)]);

        Assert.Equal(["CLT-0000002"], Assert.Single(batches).Devices.Select(d => d.Serial));
        Assert.Contains(expected, Assert.Single(batcher.LeftOut).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_serial_with_a_comma_is_left_out()
    {
        var batcher = new ExportBatcher(500, null);

        Run(batcher, [Device(new HashBuilder { Serial = "SN,1" }, "SN,1")]);

        Assert.Contains("the serial in the hash 'SN,1' holds a comma", Assert.Single(batcher.LeftOut).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_group_tag_override_replaces_every_device_tag_and_the_serial_is_trimmed()
    {
        var batcher = new ExportBatcher(500, "Warehouse");

        var batches = Run(batcher, [Device(1) with { GroupTag = "Old" }, Device(new HashBuilder { Serial = "  SN-PADDED " }, "SN-PADDED")]);

        Assert.All(Assert.Single(batches).Devices, d => Assert.Equal("Warehouse", d.GroupTag));
        Assert.Equal("SN-PADDED", batches[0].Devices[1].Serial);
    }

    [Fact]
    public void A_batch_size_outside_1_to_500_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExportBatcher(0, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExportBatcher(501, null));
    }

    [Fact]
    public void Corporate_identifier_files_are_cut_before_5_mb_and_each_file_is_at_most_that()
    {
        var format = ExportFormat.Named("identifiers");
        var batcher = new ExportBatcher(format.MaxRowsPerFile, null, format);
        var model = new string('M', 2_000); // SMBIOS strings can be long: 5 MB holds fewer than 5,000 such rows
        var devices = Enumerable.Range(1, 3_000).Select(i => Device(1, serial: $"SN-{i:D5}") with { Manufacturer = "Contoso", Model = model });

        var batches = Run(batcher, devices);

        var lengths = batches.Select(b => { byte[]? buffer = null; return format.Format(b.Devices, ref buffer); }).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(3_000, batches.Sum(b => b.Devices.Count));
        Assert.All(lengths, l => Assert.True(l <= 5_000_000, $"{l} bytes"));
        Assert.True(lengths[0] > 5_000_000 - 2_100, $"the first file was cut early: {lengths[0]} bytes");
        Assert.Empty(batcher.LeftOut);
    }

    [Fact]
    public void Corporate_identifier_files_stay_within_5_mb_when_devices_sharing_a_serial_wait_for_the_next_file()
    {
        var format = ExportFormat.Named("identifiers");
        var batcher = new ExportBatcher(format.MaxRowsPerFile, null, format);
        // Every serial twice in a row (two devices of two models): each second one waits for a file without its serial.
        var devices = Enumerable.Range(0, 6_000).Select(i => Device(1, serial: $"SN-{i / 2:D5}", key: $"KEY-{i:D5}") with { Manufacturer = "Contoso", Model = new string('M', 2_000) + (i % 2) });

        var batches = Run(batcher, devices);

        var lengths = batches.Select(b => { byte[]? buffer = null; return format.Format(b.Devices, ref buffer); }).ToList();
        Assert.Equal(6_000, batches.Sum(b => b.Devices.Count));
        Assert.All(lengths, l => Assert.True(l <= 5_000_000, $"{l} bytes"));
        Assert.All(batches, b => Assert.Equal(b.Devices.Count, b.Devices.Select(d => d.Serial).Distinct().Count()));
    }

    [Fact]
    public void A_batch_size_beyond_the_formats_limit_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExportBatcher(5_001, null, ExportFormat.Named("identifiers")));
        Assert.Null(Record.Exception(() => new ExportBatcher(5_000, null, ExportFormat.Named("identifiers"))));
    }

    private static List<ExportBatch> Run(ExportBatcher batcher, IEnumerable<ExportDevice> devices)
    {
        var batches = new List<ExportBatch>();
        foreach (var device in devices)
        {
            batches.AddRange(batcher.Add(device));
        }

        batches.AddRange(batcher.Complete());
        return batches;
    }

    private static ExportDevice Device(int sample, string? serial = null, string? key = null, Guid? tenant = null)
    {
        var builder = HashBuilder.Sample(sample);
        if (serial is not null)
        {
            builder.Serial = serial;
        }

        return Device(builder, key ?? builder.Serial, tenant);
    }

    private static ExportDevice Device(HashBuilder builder, string key, Guid? tenant = null)
    {
        var hash = HashCodec.Check(builder.Build()).Hash!;
        var t = tenant ?? TestCaptures.Tenant;
        return new ExportDevice(t, key, hash.Serial, hash.Base64, "", "", hash.Flags, new ExportSourceRef(t.ToString("D"), key, "v"));
    }
}
