using Collector.Testing.Graph;
using Collector.Workstation.Register;

namespace Collector.Workstation.Tests.Register;

public sealed class RegisterCommandTests : RegisterKit
{
    [Fact]
    public async Task Twelve_hundred_devices_go_in_three_imports_are_registered_and_every_import_record_is_deleted()
    {
        FillHub(1200);

        var result = await RegisterAsync("--json");

        AssertExit(0, result);
        var json = Json(result);
        Assert.Equal(3, json.GetProperty("imports").GetInt32());
        Assert.Equal(1200, json.GetProperty("devices").GetProperty("registered").GetInt32());
        Assert.Equal(0, json.GetProperty("problems").GetArrayLength());
        Assert.Equal(3, Graph.Count(GraphRequestKind.Import));
        Assert.All(Graph.Imports.Values, times => Assert.Equal(1, times));
        Assert.Equal(1200, Graph.Imports.Count);
        Assert.Empty(Graph.Records(Tenant));
        Assert.Equal(1200, Graph.Deleted.Count);
        var rows = Registrations();
        Assert.Equal(1200, rows.Count);
        Assert.All(rows, r => Assert.Equal((RegistrationStates.Registered, true), (r.State, r.Deleted)));
        Assert.All(rows, r => Assert.Equal("ztd-" + r.GraphId, r.RegistrationId));
    }

    [Fact]
    public async Task The_json_object_is_exactly_imports_devices_by_outcome_and_problems()
    {
        FillHub(5);
        Graph.Script(Serial(2), StandInOutcome.AlreadyAssigned);
        Graph.Script(Serial(3), StandInOutcome.OtherTenant);
        Graph.Script(Serial(4), StandInOutcome.InvalidHash);

        var result = await RegisterAsync("--json");

        AssertExit(5, result);
        var json = Json(result);
        Assert.Equal(["imports", "devices", "problems"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["registered", "alreadyRegistered", "otherTenant", "refused", "pending"], json.GetProperty("devices").EnumerateObject().Select(p => p.Name));
        Assert.Equal([2, 1, 1, 1, 0], json.GetProperty("devices").EnumerateObject().Select(p => p.Value.GetInt32()));
        var problems = json.GetProperty("problems").EnumerateArray().ToList();
        Assert.Equal([Serial(3), Serial(4)], problems.Select(p => p.GetProperty("serial").GetString()));
        Assert.Equal([808, 802], problems.Select(p => p.GetProperty("code").GetInt32()));
        Assert.All(problems, p => Assert.Equal(["deviceKey", "serial", "code", "reason"], p.EnumerateObject().Select(x => x.Name)));
        Assert.Contains("Microsoft support must release it", problems[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains($"collector device {Serial(3)}", problems[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("InvalidZtdHardwareHash", problems[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mixed_outcomes_are_recorded_per_device_with_their_codes_and_every_record_is_deleted()
    {
        FillHub(4);
        Graph.Script(Serial(2), StandInOutcome.AlreadyAssigned);
        Graph.Script(Serial(3), StandInOutcome.OtherTenant);
        Graph.Script(Serial(4), StandInOutcome.InvalidHash);

        var result = await RegisterAsync();

        AssertExit(5, result);
        var rows = Registrations();
        Assert.Equal(
            [(RegistrationStates.Registered, null, null), (RegistrationStates.AlreadyRegistered, 806, "ZtdDeviceAlreadyAssigned"),
             (RegistrationStates.OtherTenant, 808, "ZtdDeviceAssignedToOtherTenant"), (RegistrationStates.Refused, 802, "InvalidZtdHardwareHash")],
            rows.Select(r => (r.State, r.Code, r.Name)));
        Assert.All(rows, r => Assert.True(r.Deleted));
        Assert.Empty(Graph.Records(Tenant));
        Assert.Contains("1 registered, 1 already registered, 1 in another tenant, 1 refused, 0 pending", result.Out, StringComparison.Ordinal);
        Assert.Contains($"'collector device SERIAL' prints a device's capture history", result.Out, StringComparison.Ordinal);
        Assert.Contains($"  {Serial(3)} ({Serial(3)})", result.Out, StringComparison.Ordinal);
        Assert.Contains($"{Serial(4)}: 802 InvalidZtdHardwareHash", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_still_unknown_at_the_timeout_stays_pending_and_the_next_run_polls_it_without_importing_it_again()
    {
        FillHub(3);
        Graph.Script(Serial(2), StandInOutcome.StaysUnknown);

        var first = await RegisterAsync("--json", "--timeout", "0.02");
        Graph.ChangeAnswer(Serial(2), StandInOutcome.Complete);
        var second = await RegisterAsync("--json");

        AssertExit(5, first);
        Assert.Equal((2, 1), (Json(first).GetProperty("devices").GetProperty("registered").GetInt32(), Json(first).GetProperty("devices").GetProperty("pending").GetInt32()));
        Assert.Contains("not imported again", Json(first).GetProperty("problems")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        AssertExit(0, second);
        Assert.Equal(0, Json(second).GetProperty("imports").GetInt32());
        Assert.Equal(1, Json(second).GetProperty("devices").GetProperty("registered").GetInt32());
        Assert.Equal(1, Graph.Imports[Serial(2)]);
        Assert.Empty(Graph.Records(Tenant));
        Assert.All(Registrations(), r => Assert.Equal((RegistrationStates.Registered, true), (r.State, r.Deleted)));
    }

    [Fact]
    public async Task Registered_devices_are_not_sent_again_and_refused_ones_only_with_all()
    {
        FillHub(2);
        Graph.Script(Serial(2), StandInOutcome.InvalidHash);
        await RegisterAsync();

        var again = await RegisterAsync("--json");
        var all = await RegisterAsync("--json", "--all");

        AssertExit(0, again);
        Assert.Contains("Nothing to register", (await RegisterAsync()).Out, StringComparison.Ordinal);
        Assert.Equal(0, Json(again).GetProperty("imports").GetInt32());
        AssertExit(5, all);
        Assert.Equal(1, Json(all).GetProperty("imports").GetInt32());
        Assert.Equal(2, Graph.Imports[Serial(1)]);
        Assert.Equal(2, Graph.Imports[Serial(2)]);
    }

    [Fact]
    public async Task The_list_is_read_page_by_page_and_records_that_are_not_ours_are_left_alone()
    {
        FillHub(30);
        Graph.PageSize = 7;
        var foreign = Graph.AddForeignRecord(Tenant, "SOMEONE-ELSES");

        var result = await RegisterAsync("--json");

        AssertExit(0, result);
        Assert.True(Graph.Count(GraphRequestKind.List) >= 5, $"{Graph.Count(GraphRequestKind.List)} list requests for 31 records in pages of 7");
        Assert.Contains(Graph.Requests, r => r.Kind == GraphRequestKind.List && r.PathAndQuery.Contains("$skiptoken=28", StringComparison.Ordinal));
        Assert.Equal([foreign], Graph.Records(Tenant).Select(r => r.Id));
        Assert.DoesNotContain(foreign, Graph.Deleted);
        Assert.Equal(30, Json(result).GetProperty("devices").GetProperty("registered").GetInt32());
    }

    [Fact]
    public async Task Hashes_are_sent_as_padded_base64_of_the_captured_bytes_with_the_group_tag_asked_for()
    {
        FillHub(2);

        var result = await RegisterAsync("--group-tag", "Kiosk");

        AssertExit(0, result);
        Assert.Equal([HashBuilder(1), HashBuilder(2)], Graph.HardwareIdentifiers);
        Assert.Equal([("Kiosk", ""), ("Kiosk", "")], Graph.Created.Select(r => (r.GroupTag, r.ProductKey)));
        Assert.All(Graph.Requests.Where(r => r.Kind == GraphRequestKind.Import), r => Assert.Equal("Bearer " + TenantToken, r.Authorization));
    }

    private static string HashBuilder(int index) => Core.Hashing.HashBuilder.Sample(index).Build();

    /// <summary>
    /// Devices encode the hash as unpadded base64 and Autopilot's import refuses that (Microsoft's
    /// troubleshooting guide: "Cannot convert the literal … to the expected type 'Edm.Binary'"):
    /// a hash that came in unpadded, here through a CSV, goes to Graph padded.
    /// </summary>
    [Fact]
    public async Task A_hash_captured_unpadded_is_sent_padded()
    {
        var device = Core.Hashing.HashBuilder.Sample(7);
        device.Length = 2998; // a truncated hash: 2,998 bytes end in "==" when padded
        var padded = device.Build();
        var csv = Temp.File("unpadded.csv");
        File.WriteAllText(csv, $"Device Serial Number,Windows Product ID,Hardware Hash\r\n{device.Serial},,{padded.TrimEnd('=')}\r\n");
        var import = await Cli.RunAsync("import", csv, "--tenant", Tenant.ToString("D"), "--hub", HubPath);
        Assert.True(import.ExitCode == 0, import.ToString());

        var result = await RegisterAsync();

        AssertExit(0, result);
        Assert.EndsWith("==", padded, StringComparison.Ordinal);
        Assert.Equal([padded], Graph.HardwareIdentifiers);
    }
}
