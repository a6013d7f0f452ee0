using Collector.Core.Hashing;

namespace Collector.Core.Tests.Hashing;

public sealed class DeviceIdentityTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("To be filled by O.E.M.")]
    [InlineData("to be filled by o.e.m")]
    [InlineData("Default string")]
    [InlineData("System Serial Number")]
    [InlineData("Chassis Serial Number")]
    [InlineData("Not Specified")]
    [InlineData("None")]
    [InlineData("N/A")]
    [InlineData("Unknown")]
    [InlineData("INVALID")]
    [InlineData("0")]
    [InlineData("00000000")]
    [InlineData("XXXXXXXXXXXX")]
    [InlineData("................")]
    [InlineData("0123456789")]
    [InlineData("123456789")]
    [InlineData("SMBIOS_STRING_INDEX_0")]
    [InlineData("smbios_string_index_3")]
    public void Placeholder_serials_are_recognised(string serial)
    {
        Assert.True(DeviceIdentity.IsPlaceholderSerial(serial));
    }

    [Theory]
    [InlineData("CLT-0000001")]
    [InlineData("PF3ABCDE")]
    [InlineData("7243-2648-3107-2818-2556-6923-30")]
    [InlineData("VMware-56 4d 12 34")]
    [InlineData("00000001")]
    public void Real_looking_serials_are_not_placeholders(string serial)
    {
        Assert.False(DeviceIdentity.IsPlaceholderSerial(serial));
    }

    [Fact]
    public void The_device_key_is_the_trimmed_serial()
    {
        var hash = HashCodec.Check(new HashBuilder { Serial = "  SN 42  " }.Build()).Hash!;

        Assert.Equal("SN 42", hash.DeviceKey);
    }

    [Fact]
    public void Without_serial_or_uuid_the_key_comes_from_stable_hardware_fields()
    {
        var a = HashCodec.Check(new HashBuilder { IncludeSerial = false, SmbiosUuid = null }.Build()).Hash!;
        var b = HashCodec.Check(new HashBuilder { IncludeSerial = false, SmbiosUuid = null, Os = new("10.0.1.1", "10.0.2.2", 2, 9, 9) }.Build()).Hash!;

        Assert.StartsWith(DeviceIdentity.HardwareKeyPrefix, a.DeviceKey, StringComparison.Ordinal);
        Assert.Equal(a.DeviceKey, b.DeviceKey);
    }

    [Fact]
    public void The_collision_key_joins_serial_and_uuid()
    {
        var uuid = Guid.Parse("11111111-2222-3333-4444-555555555555");

        Assert.Equal("SN1~11111111-2222-3333-4444-555555555555", DeviceIdentity.CollisionKey("SN1", uuid));
    }

    [Fact]
    public void Sample_devices_are_the_same_for_the_same_index_and_differ_between_indexes()
    {
        Assert.Equal(HashBuilder.Sample(3).Build(), HashBuilder.Sample(3).Build());
        Assert.NotEqual(HashBuilder.Sample(3).SmbiosUuid, HashBuilder.Sample(4).SmbiosUuid);
    }
}
