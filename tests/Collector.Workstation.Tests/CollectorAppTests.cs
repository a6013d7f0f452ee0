namespace Collector.Workstation.Tests;

public sealed class CollectorAppTests
{
    private const string Signature = "c2VjcmV0LXNpZ25hdHVyZS0xMjM0NTY3ODkw%3D";

    [Fact]
    public async Task A_mistyped_option_never_echoes_the_signature_it_was_given()
    {
        var result = await Cli.RunAsync("status", "--tabel", $"https://contoso.table.core.windows.net/hashes?sv=2019-07-07&sp=rau&sig={Signature}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--tabel", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Signature, result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.UnescapeDataString(Signature), result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_written_in_pieces_is_redacted_as_a_whole_line()
    {
        var secrets = new SecretRedactor();
        secrets.Add("topsecretvalue");
        using var target = new StringWriter();
        using (var writer = new RedactingWriter(target, secrets))
        {
            writer.Write("key: topsec");
            writer.Write("retvalue and more\nnext line without end topsecretvalue");
        }

        Assert.Equal("key: REDACTED and more\nnext line without end REDACTED", target.ToString());
    }
}
