using System.Text;
using System.Xml;

// oa3tool.exe /Report /ConfigFile=OA3.cfg /NoKeyCheck, as the real tool is called: reads the
// config, and writes the report it names (ReportedXMLFile) with the hash from oa3tool.hash beside
// this exe. oa3tool.mode beside it picks a misbehaviour instead: hang, nothing, garbage.
// Every run is logged to oa3tool.log beside it: working folder, arguments, whether PCPKsp.dll
// was in System32 when it ran.
var here = AppContext.BaseDirectory;
var mode = ReadBeside("oa3tool.mode")?.Trim() ?? "report";
var pcpKsp = File.Exists(Path.Combine(Environment.SystemDirectory, "PCPKsp.dll"));
File.AppendAllText(Path.Combine(here, "oa3tool.log"),
    $"cwd={Environment.CurrentDirectory}\nargs={string.Join(' ', args)}\npcpksp={(pcpKsp ? "yes" : "no")}\nmode={mode}\n");

var config = args.FirstOrDefault(a => a.StartsWith("/ConfigFile=", StringComparison.OrdinalIgnoreCase))?["/ConfigFile=".Length..];
if (!args.Contains("/Report", StringComparer.OrdinalIgnoreCase) || config is null)
{
    Console.Error.WriteLine("OA3 tool: usage: oa3tool.exe /Report /ConfigFile=<file> [/NoKeyCheck]");
    return 2;
}

string report;
try
{
    report = ReportedXmlFile(config);
    _ = File.ReadAllText(ReadInputKeyFile(config)); // the real tool fails without its input.xml
}
catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"OA3 tool: cannot read the configuration: {e.Message}");
    return 3;
}

switch (mode)
{
    case "hang":
        Console.WriteLine("OA3 tool: reading the hardware hash...");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    case "nothing":
        Console.Error.WriteLine("OA3 tool: Error: failed to collect the hardware hash (0x80070005)");
        return 5;
    case "garbage":
        File.WriteAllBytes(report, [0x4F, 0x41, 0x00, 0xFF, 0x13, 0x37, 0x3C, 0x4B, 0x65]);
        return 0;
    default:
        var hash = ReadBeside("oa3tool.hash")?.Trim() ?? throw new InvalidOperationException("oa3tool.hash is missing beside the stand-in");
        File.WriteAllText(report, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <Key>
              <ProductKey>XXXXX-XXXXX-XXXXX-XXXXX-XXXXX</ProductKey>
              <ProductKeyID>0000000000000</ProductKeyID>
              <ProductKeyState>0</ProductKeyState>
              <HardwareHash>{hash}</HardwareHash>
            </Key>

            """, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Console.WriteLine($"OA3 tool: report written to {report}");
        return 0;
}

string? ReadBeside(string name) => File.Exists(Path.Combine(here, name)) ? File.ReadAllText(Path.Combine(here, name)) : null;

static string ReportedXmlFile(string config) => Element(config, "ReportedXMLFile");

static string ReadInputKeyFile(string config) => Element(config, "InputKeyXMLFile");

static string Element(string config, string name)
{
    using var xml = XmlReader.Create(config, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
    while (xml.Read())
    {
        if (xml.NodeType == XmlNodeType.Element && xml.LocalName == name)
        {
            return xml.ReadElementContentAsString().Trim();
        }
    }

    throw new XmlException($"no <{name}> in {config}");
}
