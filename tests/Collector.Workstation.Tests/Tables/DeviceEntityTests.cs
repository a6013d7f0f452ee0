using Collector.Workstation.Tables;

namespace Collector.Workstation.Tests.Tables;

public sealed class DeviceEntityTests
{
    [Theory]
    [InlineData("CLT-0000001", "CLT-0000001")]
    [InlineData("SN/11#A?B%C D", "SN%2F11%23A%3FB%25C D")]
    [InlineData("back\\slash", "back%5Cslash")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("c1\u0085ctl", "c1%85ctl")]
    [InlineData("del\u007F", "del%7F")]
    [InlineData("uuid:9c1a0d52-5b9e-4d3a-8f61-2b7e4c0a1d11", "uuid:9c1a0d52-5b9e-4d3a-8f61-2b7e4c0a1d11")]
    [InlineData("Ünïcode stays", "Ünïcode stays")]
    public void Row_keys_encode_only_what_the_service_forbids_and_decode_back(string deviceKey, string rowKey)
    {
        Assert.Equal(rowKey, DeviceEntity.EncodeRowKey(deviceKey));
        Assert.Equal(deviceKey, DeviceEntity.DecodeRowKey(rowKey));
    }
}
