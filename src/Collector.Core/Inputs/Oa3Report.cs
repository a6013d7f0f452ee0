using System.Xml;
using Collector.Core.Errors;

namespace Collector.Core.Inputs;

/// <summary>
/// Reads the hash out of an OA3.xml written by <c>oa3tool.exe /Report</c> (root <c>Key</c>,
/// element <c>HardwareHash</c>). DTDs are refused outright, so no entity is ever resolved (XXE).
/// </summary>
public static class Oa3Report
{
    /// <summary>OA3.xml reports are a few kilobytes; anything far larger is not one.</summary>
    public const long MaxBytes = 1024 * 1024;

    public static string ReadHash(string path)
    {
        using var text = TextFile.Open(path, MaxBytes);
        return ReadHash(text, path);
    }

    public static string ReadHash(TextReader text, string name)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            MaxCharactersInDocument = MaxBytes,
        };
        try
        {
            using var xml = XmlReader.Create(text, settings);
            while (xml.Read())
            {
                if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "HardwareHash")
                {
                    var hash = xml.ReadElementContentAsString().Trim();
                    return hash.Length > 0
                        ? hash
                        : throw new InvalidInputException($"{name}: the <HardwareHash> element is empty");
                }
            }
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidInputException($"{name}: refused, the XML has a DTD (DTDs and external entities are never processed)", e);
        }
        catch (XmlException e)
        {
            throw new InvalidInputException($"{name}: not a well-formed OA3 report ({e.Message})", e);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw TextFile.NotText(name, e);
        }

        throw new InvalidInputException($"{name}: no <HardwareHash> element (is this an oa3tool /Report output?)");
    }
}
