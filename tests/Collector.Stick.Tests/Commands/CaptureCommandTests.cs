using System.Text.Json;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Testing;

namespace Collector.Stick.Tests.Commands;

public sealed class CaptureCommandTests : IDisposable
{
    private static readonly string Tenant = TestCaptures.Tenant.ToString("D");
    private readonly TestStick stick = new();

    public void Dispose() => stick.Dispose();

    [Fact]
    public async Task A_capture_from_an_oa3_report_is_saved_and_shown_in_plain_words()
    {
        var report = stick.WriteReport(new HashBuilder { Serial = "CLT-4242", NicCount = 0 });

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("  Serial       CLT-4242", result.Out, StringComparison.Ordinal);
        Assert.Contains("  Make, model  Contoso, Contoso Book 14", result.Out, StringComparison.Ordinal);
        Assert.Contains("  TPM          yes", result.Out, StringComparison.Ordinal);
        Assert.Contains("  Warning      no network adapter recorded", result.Out, StringComparison.Ordinal);
        Assert.Contains("  SAVED - 1 device on this stick.", result.Out, StringComparison.Ordinal);
        Assert.Contains("This device is new on the stick.", result.Out, StringComparison.Ordinal);
        var saved = Assert.Single(stick.Captures());
        Assert.Equal(("CLT-4242", CaptureMethods.Oa3Report, TestCaptures.Tenant, TestStick.Now), (saved.Serial, saved.Method, saved.TenantId, saved.CapturedAt));
        Assert.Equal(1, saved.StickSequence);
        Assert.Equal([HashFlags.NoNic], saved.Flags);
        Assert.Equal(CollectorVersion.Current, saved.CollectorVersion);
    }

    [Fact]
    public async Task Json_prints_one_object_with_exactly_the_contract_names()
    {
        stick.Seed(1, 2);
        var report = stick.WriteReport(HashBuilder.Sample(1));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(["captureId", "serial", "deviceKey", "flags", "alreadyOnStick", "devicesOnStick"], root.EnumerateObject().Select(p => p.Name));
        var saved = stick.Captures()[^1];
        Assert.Equal(saved.CaptureId.ToString("D"), root.GetProperty("captureId").GetString());
        Assert.Equal("CLT-0000001", root.GetProperty("serial").GetString());
        Assert.Equal("CLT-0000001", root.GetProperty("deviceKey").GetString());
        Assert.Empty(root.GetProperty("flags").EnumerateArray());
        Assert.True(root.GetProperty("alreadyOnStick").GetBoolean());
        Assert.Equal(2, root.GetProperty("devicesOnStick").GetInt32());
    }

    [Fact]
    public async Task Capturing_a_device_again_says_it_was_already_on_the_stick_and_keeps_both_captures()
    {
        var report = stick.WriteReport(HashBuilder.Sample(7));
        await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);
        stick.Clock.Advance(TimeSpan.FromMinutes(5));

        var again = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("SAVED - 1 device on this stick.", again.Out, StringComparison.Ordinal);
        Assert.Contains("already on the stick", again.Out, StringComparison.Ordinal);
        Assert.Equal([1L, 2L], stick.Captures().Select(c => c.StickSequence));
    }

    [Fact]
    public async Task Stick_json_supplies_the_tenant_group_tag_site_technician_and_stick_id()
    {
        var stickId = Guid.Parse("11111111-2222-3333-4444-555555555555");
        stick.WriteSettings(new StickSettings { TenantId = TestCaptures.Tenant, GroupTags = ["Warehouse-A"], Site = "Leeds", Technician = "Sam", StickId = stickId });
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(0, result.ExitCode);
        var saved = Assert.Single(stick.Captures());
        Assert.Equal((TestCaptures.Tenant, "Warehouse-A", "Leeds", "Sam", stickId), (saved.TenantId, saved.GroupTag, saved.Site, saved.Technician, saved.StickId));
    }

    [Fact]
    public async Task Options_override_stick_json()
    {
        stick.WriteSettings(new StickSettings { TenantId = TestCaptures.Tenant, GroupTags = ["Warehouse-A"], Site = "Leeds", Technician = "Sam" });
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", TestCaptures.OtherTenant.ToString(),
            "--group-tag", "Kiosk", "--site", "York", "--technician", "Alex", "--assigned-user", "ana@contoso.example");

        Assert.Equal(0, result.ExitCode);
        var saved = Assert.Single(stick.Captures());
        Assert.Equal((TestCaptures.OtherTenant, "Kiosk", "York", "Alex", "ana@contoso.example"),
            (saved.TenantId, saved.GroupTag, saved.Site, saved.Technician, saved.AssignedUser));
    }

    [Fact]
    public async Task Without_stick_json_the_tenant_option_is_enough()
    {
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(stick.Paths.Settings));
        Assert.Equal(TestCaptures.Tenant, Assert.Single(stick.Captures()).TenantId);
    }

    [Fact]
    public async Task Without_stick_json_or_tenant_it_stops_before_touching_anything()
    {
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("run 'collector stick init'", result.Error, StringComparison.Ordinal);
        Assert.Contains("--tenant", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(stick.Root));
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("5b0c7e4e-8f1d-4c36-9a57")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData(" ")]
    public async Task A_tenant_that_is_not_a_guid_is_refused_and_the_stick_is_intact(string tenant)
    {
        stick.Seed(1, 2);
        var before = stick.DatabaseDigest();
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Matches("tenant|GUID", result.Error);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Theory]
    [InlineData("Sales,EMEA", "a comma")]
    [InlineData("Sales \"A\"", "a double quote")]
    [InlineData("Vertrieb-Zürich", "non-ASCII")]
    [InlineData("売り場", "non-ASCII")]
    public async Task A_group_tag_intunes_csv_cannot_carry_is_refused_at_capture(string groupTag, string why)
    {
        stick.Seed(1, 2);
        var before = stick.DatabaseDigest();
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, "--group-tag", groupTag);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains(why, result.Error, StringComparison.Ordinal);
        Assert.Contains("Intune's CSV cannot carry", result.Error, StringComparison.Ordinal);
        Assert.Contains("--group-tag", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task A_bad_group_tag_in_stick_json_is_refused_naming_the_file()
    {
        stick.WriteSettings(new StickSettings { TenantId = TestCaptures.Tenant, GroupTags = ["A,B"] });
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("stick.json", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Theory]
    [InlineData("ana")]
    [InlineData("ana@")]
    [InlineData("ana smith@contoso.example")]
    [InlineData("ana@contoso")]
    [InlineData("ana,b@contoso.example")]
    public async Task An_assigned_user_that_is_not_a_upn_is_refused(string user)
    {
        stick.Seed(1);
        var before = stick.DatabaseDigest();
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant, "--assigned-user", user);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("assigned user", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Theory]
    [InlineData("{ \"tenantId\": ", "not valid JSON at line 1")]
    [InlineData("[1, 2]", "expected an object")]
    [InlineData("{ \"tenantId\": 42 }", "\"tenantId\" must be a string")]
    [InlineData("{ \"tenantId\": \"contoso\" }", "not a GUID")]
    [InlineData("{ \"tenantId\": \"5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01\", \"sasUrl\": \"https://x\" }", "unknown setting \"sasUrl\"")]
    [InlineData("", "not valid JSON")]
    public async Task A_malformed_stick_json_is_refused_naming_the_file_and_the_fault(string json, string fault)
    {
        stick.Seed(1);
        var before = stick.DatabaseDigest();
        stick.WriteSettingsText(json);
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains(stick.Paths.Settings, result.Error, StringComparison.Ordinal);
        Assert.Contains(fault, result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Theory]
    [InlineData("not-sqlite", "not a SQLite database")]
    [InlineData("foreign", "another application")]
    [InlineData("newer", "newer Collector")]
    public async Task A_captures_db_we_must_not_touch_is_refused_before_the_hash_is_read_and_left_byte_for_byte(string kind, string expected)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(stick.Paths.Database)!);
        switch (kind)
        {
            case "not-sqlite":
                File.WriteAllText(stick.Paths.Database, "my holiday notes, not a database" + new string('.', 300));
                break;
            case "foreign":
                Sqlite(stick.Paths.Database, "PRAGMA application_id = 1234; CREATE TABLE photos (name TEXT); INSERT INTO photos VALUES ('a');");
                break;
            default:
                Sqlite(stick.Paths.Database, $"PRAGMA application_id = {StickStore.ApplicationId}; PRAGMA user_version = 9; CREATE TABLE future (x TEXT);");
                break;
        }

        var before = stick.DatabaseDigest();
        var report = stick.WriteReport(HashBuilder.Sample(3));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
        Assert.Equal(["captures.db"], Directory.GetFiles(Path.GetDirectoryName(stick.Paths.Database)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_corrupt_captures_db_is_a_storage_error_and_is_not_written()
    {
        stick.Seed(Enumerable.Range(1, 30).ToArray());
        var bytes = File.ReadAllBytes(stick.Paths.Database);
        new Random(7).NextBytes(bytes.AsSpan(4096, bytes.Length - 4096));
        File.WriteAllBytes(stick.Paths.Database, bytes);
        var before = stick.DatabaseDigest();
        var report = stick.WriteReport(HashBuilder.Sample(31));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(ExitCodes.Storage, result.ExitCode);
        Assert.Contains("damaged", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Theory]
    [InlineData("<Key><HardwareHash>abc", "not a well-formed OA3 report")]
    [InlineData("dtd", "has a DTD")]
    [InlineData("no-hash", "no <HardwareHash> element")]
    [InlineData("<Key><HardwareHash>  </HardwareHash></Key>", "is empty")]
    public async Task A_bad_oa3_report_is_refused_with_exit_2_and_the_stick_is_intact(string content, string expected)
    {
        stick.Seed(1, 2);
        var before = stick.DatabaseDigest();
        var text = content switch
        {
            "dtd" => Oa3Reports.WithDtd(HashBuilder.Sample(3).Build()),
            "no-hash" => Oa3Reports.WithoutHash,
            _ => content,
        };
        var report = stick.WriteReportText(text);

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task A_missing_oa3_report_is_refused()
    {
        var result = await stick.RunAsync("--oa3-report", stick.Scratch("nowhere.xml"), "--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("no such file", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task A_hash_that_fails_validation_is_not_saved_and_exits_2()
    {
        stick.Seed(1, 2);
        var before = stick.DatabaseDigest();
        var bytes = HashBuilder.Sample(3).BuildBytes();
        bytes[60] ^= 0x5A; // inside a record: the checksum no longer matches
        var report = stick.WriteReportText(Oa3Reports.For(Convert.ToBase64String(bytes)));

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("fails validation", result.Error, StringComparison.Ordinal);
        Assert.Contains("checksum", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was saved", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task Warnings_never_block_saving()
    {
        var report = stick.WriteReport(new HashBuilder { Serial = "Default string", Tpm = false, Length = 2000 });

        var result = await stick.RunAsync("--oa3-report", report, "--tenant", Tenant);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  TPM          NO", result.Out, StringComparison.Ordinal);
        Assert.Contains(HashFlags.Describe(HashFlags.NoTpm), result.Out, StringComparison.Ordinal);
        Assert.Contains(HashFlags.Describe(HashFlags.PlaceholderSerial), result.Out, StringComparison.Ordinal);
        Assert.Contains(HashFlags.Describe(HashFlags.Truncated), result.Out, StringComparison.Ordinal);
        Assert.StartsWith("uuid:", Assert.Single(stick.Captures()).DeviceKey, StringComparison.Ordinal);
    }

    private static void Sqlite(string path, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
