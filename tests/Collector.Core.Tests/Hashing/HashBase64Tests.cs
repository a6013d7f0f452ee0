using Collector.Core.Hashing;

namespace Collector.Core.Tests.Hashing;

/// <summary>
/// Base64 as sources give it (Microsoft's troubleshooting guide: devices encode the hash
/// unpadded): read whole, written out canonical and padded; what no byte length gives is refused.
/// </summary>
public sealed class HashBase64Tests
{
    [Theory]
    [InlineData(2999, 1)]
    [InlineData(2998, 2)]
    [InlineData(1201, 2)]
    public void An_unpadded_hash_is_decoded_kept_as_its_bytes_given_back_padded_and_flagged(int length, int missing)
    {
        var builder = new HashBuilder { Length = length };
        var padded = builder.Build();
        Assert.Equal(missing, padded.Length - padded.TrimEnd('=').Length);

        var check = HashCodec.Check(padded.TrimEnd('='));

        Assert.True(check.Valid, check.Problem);
        Assert.False(check.Padded);
        Assert.Equal(padded, check.Hash!.Base64);
        Assert.Equal(builder.BuildBytes(), Convert.FromBase64String(check.Hash.Base64));
        Assert.Equal([HashFlags.Truncated, HashFlags.UnpaddedInput], check.Hash.Flags);
    }

    [Fact]
    public void The_same_hash_padded_is_not_flagged_and_comes_back_as_it_went_in()
    {
        var padded = new HashBuilder { Length = 2998 }.Build();

        var check = HashCodec.Check(padded);

        Assert.True(check.Padded);
        Assert.Same(padded, check.Hash!.Base64);
        Assert.Equal([HashFlags.Truncated], check.Hash.Flags);
    }

    [Fact]
    public void A_full_hash_needs_no_padding_and_counts_as_padded()
    {
        var check = HashCodec.Check(new HashBuilder().Build());

        Assert.True(check.Padded);
        Assert.Empty(check.Hash!.Flags);
    }

    [Fact]
    public void An_unpadded_hash_with_line_breaks_inside_is_read_the_same()
    {
        var padded = new HashBuilder { Length = 2999 }.Build();
        var wrapped = string.Join("\r\n", padded.TrimEnd('=').Chunk(64).Select(c => new string(c))) + "\r\n";

        var check = HashCodec.Check(wrapped);

        Assert.True(check.Valid, check.Problem);
        Assert.Equal(padded, check.Hash!.Base64);
        Assert.Contains(HashFlags.UnpaddedInput, check.Hash.Flags);
    }

    [Fact]
    public void A_last_character_with_stray_low_bits_decodes_and_is_written_out_canonically()
    {
        var padded = new HashBuilder { Length = 2999 }.Build(); // ends "xyz=": z carries two unused bits
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var last = padded[^2];
        var altered = padded[..^2] + Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) | 1] + "=";

        var check = HashCodec.Check(altered);

        Assert.True(check.Valid, check.Problem);
        Assert.NotEqual(padded, altered);
        Assert.Equal(padded, check.Hash!.Base64);
    }

    [Fact]
    public void One_character_over_whole_quads_is_invalid()
    {
        var text = new HashBuilder().Build();

        AssertInvalid(text[..^3], "leave one over a whole number of base64 quads");
    }

    [Fact]
    public void An_equals_sign_anywhere_but_the_end_is_invalid_and_says_where()
    {
        var text = new HashBuilder().Build();

        AssertInvalid(text[..100] + "=" + text[101..], "'=' at position 101, where only the end may carry padding");
    }

    [Fact]
    public void Padding_that_does_not_end_a_whole_quad_or_runs_to_three_is_invalid()
    {
        var padded = new HashBuilder { Length = 2999 }.Build();

        AssertInvalid(padded[..^2] + "=", "not a whole number of base64 quads");
        AssertInvalid(padded[..^5] + "===", "padding is at most two");
    }

    private static void AssertInvalid(string base64, string expected)
    {
        var check = HashCodec.Check(base64);

        Assert.False(check.Valid);
        Assert.Contains(expected, check.Problem, StringComparison.Ordinal);
    }
}
