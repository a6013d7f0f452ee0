using Collector.Testing;
using Collector.Workstation.Sticks;

namespace Collector.Workstation.Tests.Sticks;

/// <summary>A stick image as a release lays it out (every file stick init copies), made of stand-in bytes.</summary>
internal static class TestStickImage
{
    /// <summary>Writes an image under <paramref name="temp"/>'s <c>image</c> folder and returns its path.</summary>
    public static string Create(TempDirectory temp)
    {
        foreach (var file in StickImage.RequiredFiles.Concat(StickImage.Arm64Files))
        {
            temp.Write(Path.Combine("image", file), file.EndsWith(".exe", StringComparison.Ordinal) ? Pe(4096) : [.. "text of "u8, .. System.Text.Encoding.ASCII.GetBytes(file)]);
        }

        return temp.File("image");
    }

    /// <summary>A file with the headers of a PE executable ("MZ", e_lfanew, "PE\0\0"), padded to <paramref name="size"/>.</summary>
    public static byte[] Pe(int size)
    {
        var bytes = new byte[size];
        bytes[0] = (byte)'M';
        bytes[1] = (byte)'Z';
        BitConverter.TryWriteBytes(bytes.AsSpan(60), 128);
        "PE\0\0"u8.CopyTo(bytes.AsSpan(128));
        return bytes;
    }
}
