using System.Text;
using Collector.Workstation.Csv;

namespace Collector.Workstation.Tests.Csv;

public sealed class IntuneCsvWriterTests
{
    [Fact]
    public void Rows_without_tag_or_user_get_the_three_column_header_crlf_and_an_empty_product_id()
    {
        var bytes = IntuneCsvWriter.Format([new IntuneCsvRow("SN-1", "T0FBQQ==", "", ""), new IntuneCsvRow("SN-2", "T0FCQg==", "", "")]);

        Assert.Equal("Device Serial Number,Windows Product ID,Hardware Hash\r\nSN-1,,T0FBQQ==\r\nSN-2,,T0FCQg==\r\n", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void One_tagged_row_gives_the_whole_file_a_group_tag_column()
    {
        var text = Encoding.ASCII.GetString(IntuneCsvWriter.Format([new IntuneCsvRow("SN-1", "QQ==", "Kiosk", ""), new IntuneCsvRow("SN-2", "Qg==", "", "")]));

        Assert.Equal("Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\nSN-1,,QQ==,Kiosk\r\nSN-2,,Qg==,\r\n", text);
    }

    [Fact]
    public void One_assigned_user_gives_the_whole_file_both_optional_columns()
    {
        var text = Encoding.ASCII.GetString(IntuneCsvWriter.Format([new IntuneCsvRow("SN-1", "QQ==", "", "ada@contoso.example"), new IntuneCsvRow("SN-2", "Qg==", "Lab", "")]));

        Assert.Equal(
            "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User\r\nSN-1,,QQ==,,ada@contoso.example\r\nSN-2,,Qg==,Lab,\r\n",
            text);
    }

    [Fact]
    public void The_bytes_are_seven_bit_ascii_without_a_byte_order_mark_or_a_quote()
    {
        var bytes = IntuneCsvWriter.Format([new IntuneCsvRow("VMware-56 4d", "QQ==", "Site A", "")]);

        Assert.NotEqual(0xEF, bytes[0]);
        Assert.All(bytes, b => Assert.InRange(b, (byte)0x0A, (byte)0x7E));
        Assert.DoesNotContain((byte)'"', bytes);
    }

    [Theory]
    [InlineData("A,B")]
    [InlineData("A\"B")]
    [InlineData("Caf\u00e9")]
    public void A_value_the_format_cannot_carry_is_refused_not_altered(string tag)
    {
        Assert.Throws<ArgumentException>(() => IntuneCsvWriter.Format([new IntuneCsvRow("SN-1", "QQ==", tag, "")]));
    }

    [Fact]
    public void More_than_500_rows_are_refused()
    {
        var rows = Enumerable.Range(0, 501).Select(i => new IntuneCsvRow($"SN-{i}", "QQ==", "", "")).ToList();

        Assert.Throws<ArgumentException>(() => IntuneCsvWriter.Format(rows));
    }
}
