using Collector.Core.Hashing;

namespace Collector.Testing;

/// <summary>
/// The made-up devices behind <c>samples/oa3/*.xml</c>, which the README's main job captures:
/// nine ordinary ones (the ninth without TPM), one with a placeholder serial, one whose serial
/// needs encoding as a table key, and one that shares a serial with the first (another UUID).
/// </summary>
public static class SampleDevices
{
    public static IReadOnlyList<(string Name, HashBuilder Builder)> All { get; } = Build();

    /// <summary>An OA3.xml as <c>oa3tool.exe /Report</c> writes it, around one hash.</summary>
    public static string Oa3Report(string hash) =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n" +
        "<Key>\r\n" +
        "  <ProductKey>XXXXX-XXXXX-XXXXX-XXXXX-XXXXX</ProductKey>\r\n" +
        "  <ProductKeyID>0000000000000</ProductKeyID>\r\n" +
        "  <ProductKeyState>0</ProductKeyState>\r\n" +
        $"  <HardwareHash>{hash}</HardwareHash>\r\n" +
        "</Key>\r\n";

    private static List<(string, HashBuilder)> Build()
    {
        var list = Enumerable.Range(1, 9).Select(i => ($"device-{i:D2}", HashBuilder.Sample(i))).ToList();

        var placeholder = HashBuilder.Sample(10);
        placeholder.Serial = "To be filled by O.E.M.";
        list.Add(("device-10-placeholder-serial", placeholder));

        var awkward = HashBuilder.Sample(11);
        awkward.Serial = "SN/11#A?B%C D";
        list.Add(("device-11-awkward-serial", awkward));

        var twin = HashBuilder.Sample(12);
        twin.Serial = HashBuilder.Sample(1).Serial;
        list.Add(("device-12-shares-serial-with-01", twin));
        return list;
    }
}
