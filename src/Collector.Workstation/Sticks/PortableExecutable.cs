namespace Collector.Workstation.Sticks;

/// <summary>Tells a Windows PE file (exe or dll) from anything else by its headers: "MZ", then "PE\0\0" at e_lfanew.</summary>
public static class PortableExecutable
{
    public static bool Is(string path)
    {
        Span<byte> header = stackalloc byte[64];
        using var file = File.OpenRead(path);
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || header[0] != 'M' || header[1] != 'Z')
        {
            return false;
        }

        var peOffset = BitConverter.ToInt32(header[60..]);
        if (peOffset <= 0 || peOffset > file.Length - 4)
        {
            return false;
        }

        Span<byte> signature = stackalloc byte[4];
        file.Position = peOffset;
        return file.ReadAtLeast(signature, 4, throwOnEndOfStream: false) == 4 && signature.SequenceEqual("PE\0\0"u8);
    }
}
