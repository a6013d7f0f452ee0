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
            GroupTags = ["Warehouse-A"],
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

        Assert.Equal(new StickSettings { TenantId = TestCaptures.Tenant, GroupTags = ["Kiosk"] }, read);
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
    [InlineData("{ \"groupTags\": \"Kiosk\" }", "\"groupTags\" must be an array of strings, found a string")]
    [InlineData("{ \"groupTags\": [\"Kiosk\", 2] }", "\"groupTags\" holds a number; each tag is a string")]
    [InlineData("{ \"groupTags\": [\"Kiosk\", \" \"] }", "\"groupTags\": a group tag is empty")]
    [InlineData("{ \"groupTags\": [\"Kiosk\", \"kiosk\"] }", "\"groupTags\": group tag 'kiosk' is given twice")]
    [InlineData("{ \"groupTags\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"] }", "10 group tags; a stick offers at most 9")]
    [InlineData("{ \"groupTag\": \"Kiosk\", \"groupTags\": [\"A\", \"B\"] }", "both \"groupTag\" and \"groupTags\" are given")]
    public void A_malformed_file_is_invalid_input_naming_the_file_and_the_fault(string json, string fault)
    {
        var path = temp.Write("stick.json", json);

        var error = Assert.Throws<InvalidInputException>(() => StickSettings.Read(path));

        Assert.Equal(ExitCodes.InvalidInput, error.ExitCode);
        Assert.StartsWith($"{path} is malformed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(fault, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_tags_are_written_as_a_list_and_read_back_in_their_order()
    {
        var settings = new StickSettings { TenantId = TestCaptures.Tenant, GroupTags = ["Kiosk", "Standard", "Shared"] };
        var path = temp.File("stick.json");

        settings.Write(path);
        var read = StickSettings.Read(path);

        Assert.Equal(settings, read);
        Assert.Contains("\"groupTags\": [\n    \"Kiosk\",\n    \"Standard\",\n    \"Shared\"\n  ]", File.ReadAllText(path).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("\"groupTag\":", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void One_tag_is_written_as_an_older_stick_has_it_so_an_older_collect_still_reads_the_file()
    {
        var path = temp.File("stick.json");

        new StickSettings { TenantId = TestCaptures.Tenant, GroupTags = ["Kiosk"] }.Write(path);

        Assert.Contains("\"groupTag\": \"Kiosk\"", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.DoesNotContain("groupTags", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"groupTag\": \"\" }", new string[0])]
    [InlineData("{ \"groupTag\": \" Kiosk \" }", new[] { "Kiosk" })]
    [InlineData("{ \"groupTags\": [] }", new string[0])]
    [InlineData("{ \"GROUPTAGS\": [\" Kiosk\", \"Shared \"] }", new[] { "Kiosk", "Shared" })]
    public void The_single_tag_of_older_sticks_and_the_list_both_read_as_the_list(string json, string[] tags)
    {
        var path = temp.Write("stick.json", json);

        Assert.Equal(tags, StickSettings.Read(path)!.GroupTags);
    }

    [Fact]
    public void A_file_far_larger_than_any_stick_json_is_refused_unread()
    {
        var path = temp.Write("stick.json", "{\"site\": \"" + new string('a', StickSettings.MaxBytes) + "\"}");

        var error = Assert.Throws<InvalidInputException>(() => StickSettings.Read(path));

        Assert.Contains("a stick.json is a few hundred", error.Message, StringComparison.Ordinal);
    }
}
