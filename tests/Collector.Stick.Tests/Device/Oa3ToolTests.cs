using Collector.Stick.Device;
using Collector.Testing;

namespace Collector.Stick.Tests.Device;

public sealed class Oa3ToolTests
{
    [Theory]
    [InlineData("OA3.cfg")]
    [InlineData("input.xml")]
    public void The_usb_layout_carries_the_same_oa3tool_files_collect_writes_when_a_stick_lacks_them(string name)
    {
        var onTheStick = File.ReadAllText(Path.Combine(RepoPaths.Root, "usb-layout", "collector", "tools", name)).ReplaceLineEndings("\n");

        var fromCode = name == "OA3.cfg" ? Oa3Tool.DefaultConfig : Oa3Tool.DefaultInput;

        Assert.Equal(fromCode.ReplaceLineEndings("\n"), onTheStick);
    }
}
