using System.Text;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Testing;

namespace Collector.Core.Tests.Captures;

public sealed class StickSettingsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Settings_written_by_stick_init_read_back_the_same()
    {
        var settings = new StickSettings
        {
            TenantId = TestCaptures.Tenant,
            GroupTag = "Warehouse-A",
            Site = "Leeds",
            Technician = "Sam",
            StickId = Guid.Parse("11111111-2222-3333-4444-555555555555"),
        };
        var path = StickSettings.PathOn(temp.Path);

        settings.Write(path);
        var read = StickSettings.Read(path);

        Assert.Equal(settings, read);
        Assert.Equal(Path.Combine(temp.Path, "collector", "stick.json"), path);
    }

    [Fact]
    public void The_file_is_plain_utf8_json_with_camel_case_names_and_no_bom()
    {
        var path = temp.File("stick.json");

        new StickSettings { TenantId = TestCaptures.Tenant }.Write(path);

        var bytes = File.ReadAllBytes(path);
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal(
            $"{{\n  \"tenantId\": \"{TestCaptures.Tenant:D}\",\n  \"groupTag\": \"\",\n  \"site\": \"\",\n  \"technician\": \"\",\n  \"stickId\": null\n}}\n",
            Encoding.UTF8.GetString(bytes).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_missing_file_reads_as_null()
    {
        Assert.Null(StickSettings.Read(temp.File("collector", "stick.json")));
    }

    [Fact]
    public void Hand_edited_files_with_comments_trailing_commas_other_casing_and_a_bom_are_read()
    {
        var path = temp.Write("stick.json", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($$"""
            {
              // written by hand at the depot
              "TenantID": "{{TestCaptures.Tenant:B}}",
              "groupTag": "Kiosk",
              "site": null,
            }
            """)]);

        var read = StickSettings.Read(path);

        Assert.Equal(new StickSettings { TenantId = TestCaptures.Tenant, GroupTag = "Kiosk" }, read);
    }

    [Fact]
    public void A_utf16_file_as_older_notepad_saves_it_is_read()
    {
        var path = temp.Write("stick.json", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("{ \"site\": \"Zürich\" }")]);

        Assert.Equal("Zürich", StickSettings.Read(path)!.Site);
    }

    [Theory]
    [InlineData("{", "not valid JSON at line 1")]
    [InlineData("{\n  \"site\": \"a\"\n  \"technician\": \"b\"\n}", "not valid JSON at line 3")]
    [InlineData("\"tenant\"", "expected an object")]
    [InlineData("null", "expected an object")]
    [InlineData("{ \"site\": [\"a\"] }", "\"site\" must be a string, found an array")]
    [InlineData("{ \"stickId\": \"stick-7\" }", "\"stickId\" is 'stick-7', not a GUID")]
    [InlineData("{ \"connectionString\": \"AccountKey=abc\" }", "unknown setting \"connectionString\"")]
    [InlineData("{ \"tenantId\": \"5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01\", \"TENANTID\": \"0f6f2c1a-3e2b-4c5d-8e9f-a0b1c2d3e4f5\" }", "\"tenantId\" appears twice (as \"tenantId\" and \"TENANTID\")")]
    [InlineData("{ \"site\": \"a\", \"site\": \"b\" }", "\"site\" appears twice")]
    [InlineData("{ \"stickId\": \"00000000-0000-0000-0000-000000000000\" }", "\"stickId\" is the empty GUID")]
    public void A_malformed_file_is_invalid_input_naming_the_file_and_the_fault(string json, string fault)
    {
        var path = temp.Write("stick.json", json);

        var error = Assert.Throws<InvalidInputException>(() => StickSettings.Read(path));

        Assert.Equal(ExitCodes.InvalidInput, error.ExitCode);
        Assert.StartsWith($"{path} is malformed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(fault, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_far_larger_than_any_stick_json_is_refused_unread()
    {
        var path = temp.Write("stick.json", "{\"site\": \"" + new string('a', StickSettings.MaxBytes) + "\"}");

        var error = Assert.Throws<InvalidInputException>(() => StickSettings.Read(path));

        Assert.Contains("a stick.json is a few hundred", error.Message, StringComparison.Ordinal);
    }
}
