namespace Collector.Testing;

/// <summary>OA3.xml reports as <c>oa3tool.exe /Report</c> writes them, around a hash from the builder.</summary>
public static class Oa3Reports
{
    public static string For(string base64Hash) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <Key>
          <ProductKey>XXXXX-XXXXX-XXXXX-XXXXX-XXXXX</ProductKey>
          <ProductKeyID>0000000000000</ProductKeyID>
          <ProductKeyState>0</ProductKeyState>
          <HardwareHash>{base64Hash}</HardwareHash>
        </Key>

        """;

    /// <summary>A report whose DOCTYPE declares an external entity (XXE): must be refused, never resolved.</summary>
    public static string WithDtd(string base64Hash) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <!DOCTYPE Key [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
        <Key>
          <ProductKey>&secret;</ProductKey>
          <HardwareHash>{base64Hash}</HardwareHash>
        </Key>

        """;

    /// <summary>A well-formed report with no HardwareHash element.</summary>
    public const string WithoutHash = """
        <?xml version="1.0" encoding="utf-8"?>
        <Key>
          <ProductKey>XXXXX-XXXXX-XXXXX-XXXXX-XXXXX</ProductKey>
          <ProductKeyID>0000000000000</ProductKeyID>
        </Key>

        """;
}
