using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Collector.Core.Hashing;

/// <summary>
/// Makes valid 4K hashes from chosen fields: for tests, benchmarks and the sample devices. No
/// real device's hash or serial is ever committed; everything is made here. The records come in
/// the order real hashes carry them (1, 7, 8…, 11, 12, 13, 14, 16, 17, 24, 25).
/// </summary>
public sealed class HashBuilder
{
    public string Serial { get; set; } = "CLT-0000001";

    /// <summary>Raw bytes for record 14 instead of <see cref="Serial"/> (non-ASCII firmware text).</summary>
    public byte[]? SerialBytes { get; set; }

    /// <summary>False leaves record 14 out (a hash with no serial).</summary>
    public bool IncludeSerial { get; set; } = true;

    public string? Manufacturer { get; set; } = "Contoso";
    public string? Model { get; set; } = "Contoso Book 14";
    public Guid? SmbiosUuid { get; set; } = new("9c1a0d52-5b9e-4d3a-8f61-2b7e4c0a1d11");
    public bool Tpm { get; set; } = true;
    public int NicCount { get; set; } = 1;
    public string? ProductKeyId { get; set; } = "3300000012345";
    public string DiskSerial { get; set; } = "S4EWNX0R000001";
    public string DiskModel { get; set; } = "Contoso NVMe 512GB";
    public HashOsInfo Os { get; set; } = new("10.0.26100.1", "10.0.26100.2894", HashOsInfo.FullOs, HashOsInfo.ArchX64, 9);

    /// <summary>Bytes of the whole hash; below 3000 gives a truncated (but intact) hash.</summary>
    public int Length { get; set; } = HashCodec.FullLength;

    /// <summary>Records of other types appended after the known ones, to fill a hash out.</summary>
    public List<(ushort Type, byte[] Payload)> ExtraRecords { get; } = [];

    public string Build() => Convert.ToBase64String(BuildBytes());

    public byte[] BuildBytes()
    {
        var records = new List<(ushort Type, byte[] Payload)>
        {
            (HashRecordType.OsInfo, OsPayload(Os)),
            (HashRecordType.DiskSerial, Text($"{DiskSerial}|{DiskModel}|")),
        };
        var seed = SmbiosUuid ?? Guid.Empty;
        for (var i = 0; i < NicCount; i++)
        {
            records.Add((HashRecordType.Network, NetworkPayload(seed, i)));
        }

        var ekPub = Tpm ? Derive(seed, "ek", 256) : [];
        if (Tpm)
        {
            records.Add((HashRecordType.OfflineDeviceId, [0, 0, 0, 0, 1, 0, 0x20, 0, 0, 0, .. SHA256.HashData(ekPub)]));
        }

        if (SmbiosUuid is { } uuid)
        {
            records.Add((HashRecordType.SmbiosUuid, uuid.ToByteArray()));
        }

        if (Tpm)
        {
            records.Add((HashRecordType.TpmVersion, Text("TPM-Version:2.0 -Level:0-Revision:1.59-VendorID:'CTSO'-Firmware:7.2.3.1")));
        }

        if (IncludeSerial)
        {
            records.Add((HashRecordType.SmbiosSerial, SerialBytes is { } raw ? [.. raw, 0] : Text(Serial)));
        }

        AddText(records, HashRecordType.Manufacturer, Manufacturer);
        AddText(records, HashRecordType.Model, Model);
        AddText(records, HashRecordType.ProductKeyId, ProductKeyId);
        if (Tpm)
        {
            records.Add((HashRecordType.TpmEkPub, ekPub));
        }

        records.AddRange(ExtraRecords);
        return Assemble(records, Length);
    }

    /// <summary>
    /// Lays records out behind the header, seals them with the checksum record and pads with
    /// zeros to <paramref name="length"/> bytes.
    /// </summary>
    public static byte[] Assemble(IEnumerable<(ushort Type, byte[] Payload)> records, int length = HashCodec.FullLength)
    {
        var body = new List<byte>(length) { (byte)'O', (byte)'A', 0, 0 };
        foreach (var (type, payload) in records)
        {
            var header = new byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(header, type);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), checked((ushort)(payload.Length + 4)));
            body.AddRange(header);
            body.AddRange(payload);
        }

        var t = body.Count;
        var needed = t + HashCodec.ChecksumRecordLength;
        if (needed > length)
        {
            throw new ArgumentException($"the records need {needed} bytes, more than the {length} asked for", nameof(records));
        }

        var bytes = new byte[length];
        body.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), checked((ushort)t));
        Seal(bytes);
        return bytes;
    }

    /// <summary>Writes the checksum record at T over bytes [0, T): after a test edits records.</summary>
    public static void Seal(byte[] bytes)
    {
        int t = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(t), HashRecordType.Checksum);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(t + 2), HashCodec.ChecksumRecordLength);
        SHA256.HashData(bytes.AsSpan(0, t), bytes.AsSpan(t + 4, 32));
    }

    /// <summary>
    /// A made-up device, the same for the same <paramref name="index"/>: serials CLT-0000001…,
    /// three makes and models, a TPM on most, one or two NICs.
    /// </summary>
    public static HashBuilder Sample(int index)
    {
        var makes = new[] { ("Contoso", "Contoso Book 14"), ("Fabrikam", "Fabrikam Pro 13"), ("Northwind", "Northwind Desk 5") };
        var (make, model) = makes[index % makes.Length];
        return new HashBuilder
        {
            Serial = $"CLT-{index:D7}",
            Manufacturer = make,
            Model = model,
            SmbiosUuid = new Guid(Derive(new Guid(index, 0, 0, new byte[8]), "uuid", 16)),
            Tpm = index % 10 != 9,
            NicCount = 1 + index % 2,
            ProductKeyId = $"33{index:D11}",
            DiskSerial = $"DSK{index:D9}",
        };
    }

    private static void AddText(List<(ushort, byte[])> records, ushort type, string? value)
    {
        if (value is not null)
        {
            records.Add((type, Text(value)));
        }
    }

    private static byte[] Text(string value) => [.. Encoding.UTF8.GetBytes(value), 0];

    private static byte[] OsPayload(HashOsInfo os)
    {
        var payload = new byte[24];
        WriteVersion(payload.AsSpan(0, 8), os.ToolBuild);
        WriteVersion(payload.AsSpan(8, 8), os.OsBuild);
        payload[21] = (byte)os.OsType;
        payload[22] = (byte)os.Architecture;
        payload[23] = (byte)os.ToolVersion;
        return payload;
    }

    // Stored as minor, major, revision, build; written as major.minor.build.revision.
    private static void WriteVersion(Span<byte> target, string version)
    {
        var v = Version.Parse(version);
        BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)v.Minor);
        BinaryPrimitives.WriteUInt16LittleEndian(target[2..], (ushort)v.Major);
        BinaryPrimitives.WriteUInt16LittleEndian(target[4..], (ushort)Math.Max(v.Revision, 0));
        BinaryPrimitives.WriteUInt16LittleEndian(target[6..], (ushort)Math.Max(v.Build, 0));
    }

    private static byte[] NetworkPayload(Guid seed, int index)
    {
        // medium (u32, 14 = Ethernet), MAC, then the bus name in UTF-16 as real hashes carry it
        var mac = Derive(seed, $"mac{index}", 6);
        mac[0] = (byte)((mac[0] & 0xFC) | 0x02); // locally administered, unicast: never a real vendor's MAC
        return [14, 0, 0, 0, .. mac, .. Encoding.Unicode.GetBytes("PCI\0")];
    }

    private static byte[] Derive(Guid seed, string label, int length)
    {
        var output = new byte[length];
        var block = 0;
        for (var written = 0; written < length; block++)
        {
            var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed:N}/{label}/{block}"));
            var n = Math.Min(digest.Length, length - written);
            digest.AsSpan(0, n).CopyTo(output.AsSpan(written));
            written += n;
        }

        return output;
    }
}
