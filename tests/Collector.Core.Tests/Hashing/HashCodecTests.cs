using System.Buffers.Binary;
using System.Text;
using Collector.Core.Hashing;

namespace Collector.Core.Tests.Hashing;

public sealed class HashCodecTests
{
    [Fact]
    public void Random_builder_hashes_round_trip_every_field()
    {
        var random = new Random(20261127);
        for (var i = 0; i < 2000; i++)
        {
            var builder = RandomBuilder(random);

            var check = HashCodec.Check(builder.Build());

            Assert.True(check.Valid, check.Problem);
            var hash = check.Hash!;
            Assert.Equal(builder.Serial, hash.Serial);
            Assert.Equal(builder.Manufacturer, hash.Manufacturer);
            Assert.Equal(builder.Model, hash.Model);
            Assert.Equal(builder.SmbiosUuid, hash.SmbiosUuid);
            Assert.Equal(builder.Tpm, hash.TpmPresent);
            Assert.Equal(builder.NicCount, hash.NicCount);
            Assert.Equal(builder.ProductKeyId, hash.ProductKeyId);
            Assert.Equal(builder.DiskSerial, hash.DiskSerial);
            Assert.Equal(builder.DiskModel, hash.DiskModel);
            Assert.Equal(builder.Os, hash.Os);
            Assert.Equal(HashCodec.FullLength, hash.ByteLength);
            Assert.True(hash.ChecksumValid);
            Assert.Equal(builder.Tpm, !hash.Flags.Contains(HashFlags.NoTpm));
            Assert.Equal(builder.NicCount == 0, hash.Flags.Contains(HashFlags.NoNic));
        }
    }

    [Fact]
    public void Non_utf8_bytes_in_a_text_record_are_read_one_character_per_byte()
    {
        var builder = new HashBuilder { SerialBytes = [0x53, 0x4E, 0xC9, 0xFF, 0x31] };

        var hash = HashCodec.Check(builder.Build()).Hash!;

        Assert.Equal("SN\u00C9\u00FF1", hash.Serial);
    }

    [Fact]
    public void Non_ascii_utf8_text_round_trips()
    {
        var builder = new HashBuilder { Manufacturer = "Société Générale Informatique", Model = "Modèle 7 – Ünïcode" };

        var hash = HashCodec.Check(builder.Build()).Hash!;

        Assert.Equal(builder.Manufacturer, hash.Manufacturer);
        Assert.Equal(builder.Model, hash.Model);
    }

    [Fact]
    public void Whitespace_and_line_breaks_inside_a_pasted_hash_are_ignored()
    {
        var base64 = new HashBuilder().Build();
        var pasted = "  " + string.Join("\r\n", base64.Chunk(76).Select(c => new string(c))) + " \t\n";

        var check = HashCodec.Check(pasted);

        Assert.True(check.Valid, check.Problem);
        Assert.Equal(base64, check.Hash!.Base64);
    }

    [Fact]
    public void A_full_hash_is_3000_bytes_and_4000_base64_characters()
    {
        var base64 = new HashBuilder().Build();

        Assert.Equal(4000, base64.Length);
        Assert.StartsWith("T0", base64, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_hash_of_a_normal_device_has_no_flags()
    {
        var check = HashCodec.Check(new HashBuilder().Build());

        Assert.True(check.Valid);
        Assert.Empty(check.Hash!.Flags);
        Assert.Equal("CLT-0000001", check.Hash.DeviceKey);
    }

    [Fact]
    public void A_changed_byte_inside_the_records_is_flagged_checksum_bad_and_invalid()
    {
        var bytes = new HashBuilder().BuildBytes();
        bytes[40] ^= 0x01;

        var check = HashCodec.Check(Convert.ToBase64String(bytes));

        Assert.False(check.Valid);
        Assert.Contains("checksum does not match", check.Problem, StringComparison.Ordinal);
        Assert.NotNull(check.Hash);
        Assert.False(check.Hash.ChecksumValid);
        Assert.Contains(HashFlags.ChecksumBad, check.Hash.Flags);
    }

    [Fact]
    public void A_short_but_intact_hash_is_valid_and_flagged_truncated()
    {
        var check = HashCodec.Check(new HashBuilder { Length = 1200 }.Build());

        Assert.True(check.Valid, check.Problem);
        Assert.Equal(1200, check.Hash!.ByteLength);
        Assert.Equal([HashFlags.Truncated], check.Hash.Flags);
    }

    [Fact]
    public void A_hash_without_record_14_is_flagged_no_serial_and_keyed_by_uuid()
    {
        var builder = new HashBuilder { IncludeSerial = false };

        var hash = HashCodec.Check(builder.Build()).Hash!;

        Assert.Contains(HashFlags.NoSerial, hash.Flags);
        Assert.DoesNotContain(HashFlags.PlaceholderSerial, hash.Flags);
        Assert.Equal("uuid:" + builder.SmbiosUuid!.Value.ToString("D"), hash.DeviceKey);
    }

    [Fact]
    public void A_hash_without_a_manufacturer_is_flagged_no_manufacturer()
    {
        var hash = HashCodec.Check(new HashBuilder { Manufacturer = null }.Build()).Hash!;

        Assert.Equal([HashFlags.NoManufacturer], hash.Flags);
    }

    [Fact]
    public void A_hash_without_tpm_records_is_flagged_no_tpm()
    {
        var hash = HashCodec.Check(new HashBuilder { Tpm = false }.Build()).Hash!;

        Assert.False(hash.TpmPresent);
        Assert.Equal([HashFlags.NoTpm], hash.Flags);
    }

    [Fact]
    public void A_hash_without_network_records_is_flagged_no_nic()
    {
        var hash = HashCodec.Check(new HashBuilder { NicCount = 0 }.Build()).Hash!;

        Assert.Equal(0, hash.NicCount);
        Assert.Equal([HashFlags.NoNic], hash.Flags);
    }

    [Theory]
    [InlineData("To be filled by O.E.M.")]
    [InlineData("Default string")]
    [InlineData("SMBIOS_STRING_INDEX_0")]
    [InlineData("0000000000")]
    public void A_placeholder_serial_is_flagged_and_keyed_by_uuid(string serial)
    {
        var builder = new HashBuilder { Serial = serial };

        var hash = HashCodec.Check(builder.Build()).Hash!;

        Assert.Equal([HashFlags.PlaceholderSerial], hash.Flags);
        Assert.Equal("uuid:" + builder.SmbiosUuid!.Value.ToString("D"), hash.DeviceKey);
    }

    [Fact]
    public void A_stated_serial_that_differs_from_record_14_is_flagged_serial_mismatch()
    {
        var hash = HashCodec.Check(new HashBuilder { Serial = "ABC123" }.Build()).Hash!;

        Assert.Contains(HashFlags.SerialMismatch, hash.CheckStatedSerial("ABC124").Flags);
        Assert.DoesNotContain(HashFlags.SerialMismatch, hash.CheckStatedSerial(" ABC123 ").Flags);
        Assert.DoesNotContain(HashFlags.SerialMismatch, hash.CheckStatedSerial(null).Flags);
        Assert.Equal("ABC123", hash.CheckStatedSerial("ABC124").Serial);
    }

    [Fact]
    public void An_empty_hash_is_invalid()
    {
        AssertInvalid(" \r\n ", "the hash is empty");
    }

    [Fact]
    public void Text_that_is_not_base64_is_invalid_and_says_where()
    {
        AssertInvalid("T0FB*QUFB", "not base64: '*' at position 5");
        AssertInvalid("T0FBQUFB\u00e9", "not base64: U+00E9 at position 9");
    }

    [Fact]
    public void A_hash_with_the_wrong_magic_is_invalid()
    {
        var bytes = new HashBuilder().BuildBytes();
        bytes[0] = (byte)'X';

        AssertInvalid(Convert.ToBase64String(bytes), "wrong magic");
    }

    [Fact]
    public void A_record_running_past_t_is_invalid()
    {
        var bytes = new HashBuilder().BuildBytes();
        var t = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2));
        // first record (type 1, 28 bytes) claims to reach beyond T
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)(t + 10));
        HashBuilder.Seal(bytes);

        AssertInvalid(Convert.ToBase64String(bytes), "runs past T");
    }

    [Fact]
    public void Records_that_do_not_end_at_t_are_invalid()
    {
        // header, one 8-byte record, then 2 stray bytes before T
        var bytes = new byte[3000];
        bytes[0] = (byte)'O';
        bytes[1] = (byte)'A';
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), 14);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), HashRecordType.SmbiosSerial);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), 8);
        bytes.AsSpan(8, 4).Fill((byte)'A');
        HashBuilder.Seal(bytes);

        AssertInvalid(Convert.ToBase64String(bytes), "do not end at T");
    }

    [Fact]
    public void A_record_with_an_impossible_length_is_invalid()
    {
        var bytes = new HashBuilder().BuildBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), 2);
        HashBuilder.Seal(bytes);

        AssertInvalid(Convert.ToBase64String(bytes), "impossible length of 2");
    }

    [Fact]
    public void T_beyond_the_buffer_is_invalid()
    {
        var bytes = new HashBuilder().BuildBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), 2990);

        AssertInvalid(Convert.ToBase64String(bytes), "beyond the 3,000-byte buffer");
    }

    [Fact]
    public void A_missing_checksum_record_is_invalid()
    {
        var bytes = new HashBuilder().BuildBytes();
        var t = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2));
        bytes[t] = (byte)'X';

        AssertInvalid(Convert.ToBase64String(bytes), "no checksum record");
    }

    [Fact]
    public void Non_zero_padding_is_invalid()
    {
        var bytes = new HashBuilder().BuildBytes();
        bytes[^1] = 7;

        AssertInvalid(Convert.ToBase64String(bytes), "padding after the checksum is not zero");
    }

    [Fact]
    public void A_hash_longer_than_3000_bytes_is_invalid()
    {
        var bytes = new HashBuilder { Length = 3003 }.BuildBytes();

        AssertInvalid(Convert.ToBase64String(bytes), "4K hash has 4,000");
    }

    [Fact]
    public void A_few_header_bytes_are_too_short()
    {
        AssertInvalid(Convert.ToBase64String("OA"u8), "too short to hold a header");
    }

    private static void AssertInvalid(string base64, string expected)
    {
        var check = HashCodec.Check(base64);

        Assert.False(check.Valid);
        Assert.Contains(expected, check.Problem, StringComparison.Ordinal);
    }

    private static HashBuilder RandomBuilder(Random random)
    {
        var serialLength = random.Next(4) == 0 ? random.Next(60, 400) : random.Next(5, 20);
        return new HashBuilder
        {
            Serial = RandomText(random, serialLength, ascii: true),
            Manufacturer = RandomText(random, random.Next(1, 40), ascii: random.Next(3) != 0),
            Model = RandomText(random, random.Next(1, 60), ascii: random.Next(3) != 0),
            SmbiosUuid = new Guid(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 16)),
            Tpm = random.Next(2) == 0,
            NicCount = random.Next(0, 6),
            ProductKeyId = random.NextInt64(1_000_000_000_000, 9_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            DiskSerial = RandomText(random, random.Next(4, 20), ascii: true),
            DiskModel = RandomText(random, random.Next(4, 30), ascii: true),
            Os = new HashOsInfo($"10.0.{random.Next(19041, 27000)}.{random.Next(1, 5000)}", $"10.0.{random.Next(19041, 27000)}.{random.Next(1, 5000)}",
                HashOsInfo.FullOs, random.GetItems(new[] { HashOsInfo.ArchX64, HashOsInfo.ArchArm64, HashOsInfo.ArchX86 }, 1)[0], random.Next(5, 10)),
        };
    }

    private static string RandomText(Random random, int length, bool ascii)
    {
        const string Ascii = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -_./#?%\\";
        const string Wide = "ÄÖÜßéèçñ中文한국어Ωλ€";
        var pool = ascii ? Ascii : Ascii + Wide;
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(pool[random.Next(pool.Length)]);
        }

        // text records are NUL-terminated, and trailing spaces are kept: only keep it non-blank
        return text.ToString().Trim() is { Length: > 0 } trimmed ? trimmed : "X";
    }
}
