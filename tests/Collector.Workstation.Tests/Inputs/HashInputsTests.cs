using System.Text;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Testing;
using Collector.Workstation.Inputs;

namespace Collector.Workstation.Tests.Inputs;

public sealed class HashInputsTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly string hash = HashBuilder.Sample(1).Build();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_base64_argument_is_one_hash()
    {
        var found = HashInputs.Find(hash);

        Assert.Equal([new FoundHash("argument", hash)], found);
    }

    [Fact]
    public void A_file_holding_a_hash_is_read()
    {
        var path = temp.Write("hash.txt", hash + "\r\n");

        var found = Assert.Single(HashInputs.Find(path));

        Assert.Equal(hash, found.Base64.Trim());
    }

    [Fact]
    public void An_oa3_report_yields_its_hardware_hash()
    {
        var path = temp.Write("OA3.xml", Oa3Xml(hash));

        var found = Assert.Single(HashInputs.Find(path));

        Assert.Equal("OA3 report", found.Origin);
        Assert.Equal(hash, found.Base64);
    }

    [Fact]
    public void A_utf16_csv_as_get_windowsautopilotinfo_writes_it_yields_every_row_with_its_serial()
    {
        var second = HashBuilder.Sample(2).Build();
        var csv = $"Device Serial Number,Windows Product ID,Hardware Hash\r\nCLT-0000001,,{hash}\r\nWRONG,,{second}\r\n";
        var path = temp.Write("AutopilotHWID.csv", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(csv)]);

        var found = HashInputs.Find(path);

        Assert.Equal([new FoundHash("line 2", hash, "CLT-0000001"), new FoundHash("line 3", second, "WRONG")], found);
    }

    [Fact]
    public void A_utf8_csv_with_a_bom_and_quotes_is_read()
    {
        var csv = $"\"Device Serial Number\",\"Windows Product ID\",\"Hardware Hash\",\"Group Tag\"\n\"CLT-0000001\",\"\",\"{hash}\",\"Sales\"\n";
        var path = temp.Write("quoted.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(csv)]);

        var found = Assert.Single(HashInputs.Find(path));

        Assert.Equal(hash, found.Base64);
    }

    [Fact]
    public void An_oa3_report_with_a_dtd_is_refused_without_resolving_it()
    {
        var secret = temp.Write("secret.txt", "do-not-read");
        var path = temp.Write("evil.xml", $"""
            <?xml version="1.0"?>
            <!DOCTYPE Key [ <!ENTITY x SYSTEM "file://{secret}"> ]>
            <Key><HardwareHash>&x;</HardwareHash></Key>
            """);

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oa3_report_without_hardwarehash_is_refused()
    {
        var path = temp.Write("OA3.xml", "<?xml version=\"1.0\"?><Key><ProductKey>XXXXX</ProductKey></Key>");

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("no <HardwareHash> element", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_oa3_report_is_refused()
    {
        var path = temp.Write("OA3.xml", "<Key><HardwareHash>T0FB</Key>");

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("not a well-formed OA3 report", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_without_a_hardware_hash_column_is_refused()
    {
        var path = temp.Write("devices.csv", "Device Serial Number,Windows Product ID\r\nCLT-1,\r\n");

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("no 'Hardware Hash' column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelled_header_names_the_right_spelling()
    {
        var path = temp.Write("devices.csv", $"Device Serial Number,Windows Product ID,Hardware Hsah\r\nCLT-1,,{hash}\r\n");

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("'Hardware Hsah' should be spelled 'Hardware Hash'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_file_is_refused()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        bytes[10] = 0;
        var path = temp.Write("photo.jpg", bytes);

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("binary file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused_as_binary()
    {
        var path = temp.Write("latin1.txt", [0x54, 0x30, 0xE9, 0xFF, 0xFE, 0x41]);

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("binary file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_10_mb_input_is_refused_before_it_is_read()
    {
        var path = temp.File("huge.txt");
        using (var file = File.Create(path))
        {
            file.SetLength(10 * 1024 * 1024);
        }

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("10.0 MB, larger than the 4 MB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(temp.File("missing.csv")));

        Assert.Contains("no such file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_argument_is_an_empty_hash()
    {
        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(""));

        Assert.Equal("the hash is empty", error.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var path = temp.Write("empty.txt", "");

        var error = Assert.Throws<InvalidInputException>(() => HashInputs.Find(path));

        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
    }

    internal static string Oa3Xml(string hash) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <Key>
          <ProductKey>XXXXX-XXXXX-XXXXX-XXXXX-XXXXX</ProductKey>
          <ProductKeyID>0000000000000</ProductKeyID>
          <ProductKeyState>0</ProductKeyState>
          <HardwareHash>{hash}</HardwareHash>
        </Key>
        """;
}
