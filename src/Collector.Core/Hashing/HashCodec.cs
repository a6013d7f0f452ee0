using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Collector.Core.Hashing;

/// <summary>
/// Decodes and validates the Autopilot 4K hardware hash (design section 2):
/// <code>
/// 0      'O' 'A'
/// 2      u16 T = length of header + records (checksum excluded)
/// 4..T   records: u16 type | u16 length (with this 4-byte header) | payload
/// T      'C' 'S' | u16 0x0024 | SHA-256 of bytes [0, T)
/// T+36   zero padding to 3000 bytes
/// </code>
/// Structural faults make a hash invalid with one sentence saying why; quality faults are flags.
/// </summary>
public static class HashCodec
{
    /// <summary>Bytes in a full 4K hash (4,000 base64 characters).</summary>
    public const int FullLength = 3000;

    public const int HeaderLength = 4;
    public const int ChecksumRecordLength = 36;

    private const int MaxBase64Chars = 4 * ((FullLength + 2) / 3);

    /// <summary>
    /// Checks a base64 hash; whitespace and line breaks inside it are ignored. Unpadded base64 is
    /// accepted (Microsoft's Autopilot troubleshooting guide: "At the device level, it's encoded as
    /// unpadded Base64, but Autopilot expects padded Base64"): a length of 2 or 3 over whole quads
    /// is padded before decoding, and the hash is flagged <see cref="HashFlags.UnpaddedInput"/>.
    /// What comes out (<see cref="HardwareHash.Base64"/>) is always the canonical padded base64 of
    /// the decoded bytes, whatever form came in.
    /// </summary>
    public static HashCheck Check(string base64)
    {
        var text = HashBase64.RemoveWhitespace(base64);
        if (text.Length == 0)
        {
            return Fail("the hash is empty", padded: true);
        }

        // The usual hash, padded whole quads: the decoder refuses every character that is not
        // base64 and every '=' that does not end the last quad (whitespace is gone already), so
        // the character-by-character reading below, which says where a hash goes wrong, is only
        // needed when decoding fails. It costs as much as decoding (sync checks every new capture).
        if (text.Length % 4 == 0 && text.Length <= MaxBase64Chars && Decode(text, padded: true) is { } decoded)
        {
            return decoded;
        }

        var padded = text.Length % 4 == 0;
        if (HashBase64.BadCharacter(text) is { } bad)
        {
            return Fail(bad, padded);
        }

        if (text.Length % 4 == 1)
        {
            return Fail($"the hash is not base64: {text.Length:N0} characters leave one over a whole number of base64 quads, " +
                "which no byte length gives (a character is missing or extra)", padded: false);
        }

        var whole = padded ? text : text + new string('=', 4 - text.Length % 4);
        if (whole.Length > MaxBase64Chars)
        {
            return Fail($"the hash is {text.Length:N0} base64 characters; a 4K hash has {MaxBase64Chars:N0}", padded);
        }

        return Decode(whole, padded) ?? Fail("the hash is not base64", padded);
    }

    /// <summary>The check of what <paramref name="whole"/> (padded base64) decodes to; null when it does not decode.</summary>
    private static HashCheck? Decode(string whole, bool padded)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FullLength + 3);
        try
        {
            if (!Convert.TryFromBase64String(whole, buffer, out var length))
            {
                return null;
            }

            var bytes = buffer.AsSpan(0, length);
            return Check(bytes, padded && HashBase64.IsCanonical(whole, bytes) ? whole : Convert.ToBase64String(bytes), padded);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static HashCheck Check(ReadOnlySpan<byte> bytes, string canonical, bool padded)
    {
        if (bytes.Length < HeaderLength)
        {
            return Fail($"the hash is only {bytes.Length} bytes: too short to hold a header", padded, bytes.Length);
        }

        if (bytes[0] != (byte)'O' || bytes[1] != (byte)'A')
        {
            return Fail($"wrong magic: the hash starts with 0x{bytes[0]:X2} 0x{bytes[1]:X2}, not 'OA' (this is not an Autopilot hardware hash)", padded, bytes.Length);
        }

        int t = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]);
        if (t < HeaderLength)
        {
            return Fail($"the header gives a record length T of {t}, shorter than the header itself", padded, bytes.Length);
        }

        if (t + ChecksumRecordLength > bytes.Length)
        {
            return Fail($"the header says the records end at byte {t:N0} (T), beyond the {bytes.Length:N0}-byte buffer (T plus the 36-byte checksum record must fit)", padded, bytes.Length);
        }

        var fields = new FieldReader();
        var offset = HeaderLength;
        while (offset < t)
        {
            if (t - offset < 4)
            {
                return Fail($"the records do not end at T: {t - offset} stray byte(s) at offset {offset:N0} before T = {t:N0}", padded, bytes.Length);
            }

            var type = BinaryPrimitives.ReadUInt16LittleEndian(bytes[offset..]);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(offset + 2)..]);
            if (length < 4)
            {
                return Fail($"the record at offset {offset:N0} (type {type}) has an impossible length of {length}", padded, bytes.Length);
            }

            if (offset + length > t)
            {
                return Fail($"the record at offset {offset:N0} (type {type}, {length} bytes) runs past T = {t:N0}, where the records must end", padded, bytes.Length);
            }

            fields.Read(type, bytes.Slice(offset + 4, length - 4));
            offset += length;
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(bytes[t..]) != HashRecordType.Checksum
            || BinaryPrimitives.ReadUInt16LittleEndian(bytes[(t + 2)..]) != ChecksumRecordLength)
        {
            return Fail($"no checksum record at T = {t:N0} (expected 'CS' and length 36)", padded, bytes.Length);
        }

        var padding = bytes[(t + ChecksumRecordLength)..];
        var stray = padding.IndexOfAnyExcept((byte)0);
        if (stray >= 0)
        {
            return Fail($"the padding after the checksum is not zero (byte {t + ChecksumRecordLength + stray:N0})", padded, bytes.Length);
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes[..t], digest);
        var checksumValid = digest.SequenceEqual(bytes.Slice(t + 4, 32));

        var hash = fields.ToHash(canonical, bytes.Length, checksumValid, padded);
        return new HashCheck(hash, checksumValid ? null : "the checksum does not match: the hash was altered or damaged after it was made", bytes.Length)
        {
            Padded = padded,
        };
    }

    private static HashCheck Fail(string problem, bool padded, int byteLength = 0) => new(null, problem, byteLength) { Padded = padded };

    /// <summary>Collects the fields of the records that matter as the walk meets them.</summary>
    private sealed class FieldReader
    {
        private string serial = "", manufacturer = "", model = "", productKeyId = "", tpmVersion = "";
        private string diskSerial = "", diskModel = "", diskDetails = "";
        private bool diskSeen;
        private Guid? uuid;
        private bool tpmVersionSeen, ekPubSeen, serialSeen, manufacturerSeen;
        private HashOsInfo? os;
        private readonly List<string> macs = [];

        public void Read(ushort type, ReadOnlySpan<byte> payload)
        {
            switch (type)
            {
                case HashRecordType.OsInfo when payload.Length >= 19:
                    os = new HashOsInfo(
                        ReadVersion(payload[..8]),
                        ReadVersion(payload[8..16]),
                        payload[^3],
                        payload[^2],
                        payload[^1]);
                    break;
                case HashRecordType.DiskSerial when !diskSeen:
                    // "serial|model|", and on some machines more: Hyper-V writes "|Virtual Disk    |Msft    ".
                    diskSeen = true;
                    var disk = Text(payload).Split('|');
                    diskSerial = disk[0];
                    diskModel = disk.Length > 1 ? disk[1] : "";
                    diskDetails = string.Join(", ", disk.Skip(2).Select(f => f.Trim()).Where(f => f.Length > 0));
                    break;
                case HashRecordType.Network:
                    macs.Add(payload.Length >= 10 ? Convert.ToHexStringLower(payload.Slice(4, 6)) : "");
                    break;
                case HashRecordType.SmbiosUuid when payload.Length == 16:
                    uuid = new Guid(payload);
                    break;
                case HashRecordType.TpmVersion:
                    tpmVersionSeen = true;
                    tpmVersion = Text(payload);
                    break;
                case HashRecordType.SmbiosSerial:
                    serialSeen = true;
                    serial = Text(payload);
                    break;
                case HashRecordType.Manufacturer:
                    manufacturerSeen = true;
                    manufacturer = Text(payload);
                    break;
                case HashRecordType.Model:
                    model = Text(payload);
                    break;
                case HashRecordType.ProductKeyId:
                    productKeyId = Text(payload);
                    break;
                case HashRecordType.TpmEkPub:
                    ekPubSeen = true;
                    break;
            }
        }

        public HardwareHash ToHash(string base64, int byteLength, bool checksumValid, bool padded)
        {
            var flags = new List<string>(4);
            if (!checksumValid)
            {
                flags.Add(HashFlags.ChecksumBad);
            }

            if (byteLength < FullLength)
            {
                flags.Add(HashFlags.Truncated);
            }

            if (!serialSeen || serial.Trim().Length == 0)
            {
                flags.Add(HashFlags.NoSerial);
            }
            else if (DeviceIdentity.IsPlaceholderSerial(serial))
            {
                flags.Add(HashFlags.PlaceholderSerial);
            }

            if (!manufacturerSeen || manufacturer.Trim().Length == 0)
            {
                flags.Add(HashFlags.NoManufacturer);
            }

            var tpm = tpmVersionSeen || ekPubSeen;
            if (!tpm)
            {
                flags.Add(HashFlags.NoTpm);
            }

            if (macs.Count == 0)
            {
                flags.Add(HashFlags.NoNic);
            }

            if (!padded)
            {
                flags.Add(HashFlags.UnpaddedInput);
            }

            return new HardwareHash
            {
                Base64 = base64,
                ByteLength = byteLength,
                Serial = serial,
                Manufacturer = manufacturer,
                Model = model,
                SmbiosUuid = uuid,
                TpmPresent = tpm,
                TpmVersion = tpmVersion,
                MacAddresses = macs,
                ProductKeyId = productKeyId,
                DiskSerial = diskSerial,
                DiskModel = diskModel,
                DiskDetails = diskDetails,
                Os = os,
                ChecksumValid = checksumValid,
                Flags = flags,
            };
        }

        private static string ReadVersion(ReadOnlySpan<byte> v) =>
            // minor, major, revision, build (u16 each), shown as major.minor.build.revision
            $"{BinaryPrimitives.ReadUInt16LittleEndian(v[2..])}.{BinaryPrimitives.ReadUInt16LittleEndian(v)}." +
            $"{BinaryPrimitives.ReadUInt16LittleEndian(v[6..])}.{BinaryPrimitives.ReadUInt16LittleEndian(v[4..])}";

        /// <summary>
        /// Text records are NUL-terminated ASCII. Some firmware puts other bytes there: read them as
        /// UTF-8 where they are valid UTF-8, else one character per byte (Latin-1), so nothing is lost.
        /// </summary>
        private static string Text(ReadOnlySpan<byte> payload)
        {
            var end = payload.IndexOf((byte)0);
            var text = end < 0 ? payload : payload[..end];
            return Utf8.IsValid(text) ? Encoding.UTF8.GetString(text) : Encoding.Latin1.GetString(text);
        }
    }
}
