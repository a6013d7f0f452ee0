using Collector.Core.Errors;
using Collector.Testing;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Tests.Tables;

public sealed class TableTargetTests : IDisposable
{
    private const string Signature = "Zm9vYmFyYmF6cXV4c2VjcmV0c2lnbmF0dXJl%2Bxyz%3D";
    private const string SasUrl = "https://contoso.table.core.windows.net/autopilothashes?sv=2019-07-07&se=2030-01-01T00%3A00%3A00Z&sp=rau&sig=" + Signature;
    private readonly TempDirectory temp = new();
    private readonly SecretRedactor secrets = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_sas_url_names_its_table_permissions_and_expiry()
    {
        var target = TableTarget.Parse(SasUrl, null, secrets);

        Assert.Equal(TableTargetKind.SasUrl, target.Kind);
        Assert.Equal("autopilothashes", target.TableName);
        Assert.Equal("rau", target.Permissions);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), target.ExpiresOn);
        Assert.DoesNotContain("sig", target.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_uses_the_seed_table_unless_told_otherwise()
    {
        Assert.Equal("autopilothashes", TableTarget.Parse("UseDevelopmentStorage=true", null, secrets).TableName);
        Assert.Equal("devices2", TableTarget.Parse("UseDevelopmentStorage=true", "devices2", secrets).TableName);
    }

    [Fact]
    public void A_url_without_a_signature_is_an_entra_target()
    {
        var target = TableTarget.Parse("https://contoso.table.core.windows.net/hashes", null, secrets);

        Assert.Equal(TableTargetKind.EntraUrl, target.Kind);
        Assert.Equal("hashes", target.TableName);
    }

    [Fact]
    public void The_target_can_come_from_a_file()
    {
        var path = temp.Write("target.txt", "\n" + SasUrl + "\n");

        var target = TableTarget.Parse("@" + path, null, secrets);

        Assert.Equal(TableTargetKind.SasUrl, target.Kind);
    }

    [Theory]
    [InlineData("just some words")]
    [InlineData("ftp://contoso/table")]
    [InlineData("Foo=bar;Baz=qux")]
    public void Text_that_is_neither_url_nor_connection_string_is_invalid_input(string raw)
    {
        var error = Assert.Throws<InvalidInputException>(() => TableTarget.Parse(raw, null, secrets));

        Assert.Contains("neither a URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parsed_secrets_are_redacted_from_any_text()
    {
        const string Key = "c2VjcmV0LWFjY291bnQta2V5LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw==";
        TableTarget.Parse(SasUrl, null, secrets);
        TableTarget.Parse($"DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey={Key};EndpointSuffix=core.windows.net", null, secrets);

        var text = secrets.Redact($"failed: {SasUrl} and key {Key} and decoded {Uri.UnescapeDataString(Signature)}");

        Assert.DoesNotContain(Signature, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.UnescapeDataString(Signature), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.Contains("sig=REDACTED", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unregistered_signatures_and_keys_are_redacted_by_shape()
    {
        var text = new SecretRedactor().Redact("GET https://x/t?sv=1&sig=abcDEF123%2B&sp=r AccountKey=QUJD; Authorization: Bearer eyJ0eXAi.eyJ.sig");

        Assert.Equal("GET https://x/t?sv=1&sig=REDACTED&sp=r AccountKey=REDACTED; Authorization: Bearer REDACTED", text);
    }
}
