using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Stick.Commands;
using Collector.Testing;

namespace Collector.Stick.Tests.Commands;

/// <summary>A stick that offers several group tags: chosen on the screen, by number or by name.</summary>
public sealed class GroupTagChoiceTests : IDisposable
{
    private readonly TestStick stick = new();
    private readonly string report;

    public GroupTagChoiceTests()
    {
        stick.WriteSettings(new StickSettings { TenantId = TestCaptures.Tenant, GroupTags = ["Kiosk", "Standard", "Shared"] });
        report = stick.WriteReport(HashBuilder.Sample(4));
    }

    public void Dispose() => stick.Dispose();

    [Fact]
    public async Task Without_a_choice_collect_shows_the_tags_numbered_and_a_digit_chooses()
    {
        stick.Keys.Press('2', TimeSpan.FromSeconds(3));

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  Group tag for this device:\n    1  Kiosk\n    2  Standard\n    3  Shared\n", result.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Press 1-3 (Enter = 1). With no key in 60 s, 1 is taken.", result.Out, StringComparison.Ordinal);
        Assert.Contains("  Chosen: 2 (Standard)", result.Out, StringComparison.Ordinal);
        Assert.Contains("  Group tag    Standard", result.Out, StringComparison.Ordinal);
        Assert.Equal("Standard", Assert.Single(stick.Captures()).GroupTag);
    }

    [Fact]
    public async Task Enter_chooses_the_first_tag()
    {
        stick.Keys.Press('\r', TimeSpan.FromSeconds(1));

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  Chosen: 1 (Kiosk)", result.Out, StringComparison.Ordinal);
        Assert.Equal("Kiosk", Assert.Single(stick.Captures()).GroupTag);
    }

    [Fact]
    public async Task After_sixty_seconds_without_a_key_the_first_tag_is_taken_and_the_screen_says_so()
    {
        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("No key in 60 s: group tag 1 (Kiosk) was taken.", result.Out, StringComparison.Ordinal);
        var saved = Assert.Single(stick.Captures());
        Assert.Equal("Kiosk", saved.GroupTag);
        Assert.Equal(TestStick.Now + GroupTagChoice.Timeout, saved.CapturedAt);
    }

    [Fact]
    public async Task A_key_pressed_just_before_the_sixty_seconds_end_still_counts()
    {
        stick.Keys.Press('3', TimeSpan.FromSeconds(59.9));

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Shared", Assert.Single(stick.Captures()).GroupTag);
        Assert.DoesNotContain("No key", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_keys_are_answered_once_and_the_wait_goes_on_until_a_number_on_the_list()
    {
        stick.Keys.Press('x', TimeSpan.FromSeconds(1));
        stick.Keys.Press('7', TimeSpan.FromSeconds(2));
        stick.Keys.Press('0', TimeSpan.FromSeconds(3));
        stick.Keys.Press('3', TimeSpan.FromSeconds(4));

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.Out.Split("Press a number from 1 to 3").Length);
        Assert.Equal("Shared", Assert.Single(stick.Captures()).GroupTag);
    }

    [Fact]
    public async Task A_number_on_the_command_line_chooses_directly_without_asking()
    {
        var result = await stick.RunAsync("2", "--oa3-report", report);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("Group tag for this device", result.Out, StringComparison.Ordinal);
        Assert.Equal(0, stick.Keys.Waits);
        Assert.Equal("Standard", Assert.Single(stick.Captures()).GroupTag);
    }

    [Fact]
    public async Task Group_tag_by_name_chooses_from_the_list_in_the_lists_own_spelling()
    {
        var result = await stick.RunAsync("--oa3-report", report, "--group-tag", "shared");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(0, stick.Keys.Waits);
        Assert.Equal("Shared", Assert.Single(stick.Captures()).GroupTag);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("0")]
    [InlineData("two")]
    [InlineData("-1")]
    public async Task A_number_not_on_the_list_is_refused_and_nothing_is_saved(string number)
    {
        stick.Seed(1);
        var before = stick.DatabaseDigest();

        var result = await stick.RunAsync(number, "--oa3-report", report);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("is not a group tag on this stick: choose 1 to 3 (1 Kiosk, 2 Standard, 3 Shared)", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, stick.DatabaseDigest());
    }

    [Fact]
    public async Task A_name_not_on_the_list_is_refused_and_nothing_is_saved()
    {
        var result = await stick.RunAsync("--oa3-report", report, "--group-tag", "Lobby");

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("group tag 'Lobby' is not on this stick's list (1 Kiosk, 2 Standard, 3 Shared)", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task With_input_redirected_nobody_can_choose_so_collect_refuses_and_says_how_to_choose()
    {
        stick.Keys.CanAsk = false;

        var result = await stick.RunAsync("--oa3-report", report);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("this stick offers 3 group tags", result.Error, StringComparison.Ordinal);
        Assert.Contains("pass the tag's number (Collect 2) or --group-tag NAME", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, stick.Keys.Waits);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task A_number_and_a_group_tag_together_are_a_usage_error()
    {
        var result = await stick.RunAsync("2", "--oa3-report", report, "--group-tag", "Kiosk");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("give one of them", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task Under_json_the_question_goes_to_stderr_and_stdout_stays_one_object()
    {
        stick.Keys.Press('3', TimeSpan.FromSeconds(1));

        var result = await stick.RunAsync("--oa3-report", report, "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Group tag for this device", result.Error, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        Assert.Equal("Shared", Assert.Single(stick.Captures()).GroupTag);
    }

    [Fact]
    public async Task A_tag_refused_by_intunes_rules_is_refused_when_chosen_naming_where_it_came_from()
    {
        stick.WriteSettingsText($$"""{ "tenantId": "{{TestCaptures.Tenant:D}}", "groupTags": ["Kiosk", "=HYPERLINK(1)"] }""");

        var result = await stick.RunAsync("2", "--oa3-report", report);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("a spreadsheet would read as a formula (from choice 2 of", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stick.Paths.Database));
    }

    [Fact]
    public async Task A_stick_with_one_tag_takes_it_without_asking_and_group_tag_still_overrides_it()
    {
        stick.WriteSettings(new StickSettings { TenantId = TestCaptures.Tenant, GroupTags = ["Kiosk"] });

        var plain = await stick.RunAsync("--oa3-report", report);
        var overridden = await stick.RunAsync("--oa3-report", report, "--group-tag", "Lobby");
        var numbered = await stick.RunAsync("1", "--oa3-report", report);
        var beyond = await stick.RunAsync("2", "--oa3-report", report);

        Assert.Equal((0, 0, 0, ExitCodes.InvalidInput), (plain.ExitCode, overridden.ExitCode, numbered.ExitCode, beyond.ExitCode));
        Assert.Equal(0, stick.Keys.Waits);
        Assert.Equal(["Kiosk", "Lobby", "Kiosk"], stick.Captures().Select(c => c.GroupTag));
    }

    [Fact]
    public async Task A_number_on_a_stick_without_tags_is_refused()
    {
        stick.WriteSettings(new StickSettings { TenantId = TestCaptures.Tenant });

        var result = await stick.RunAsync("1", "--oa3-report", report);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("offers no group tags to choose from", result.Error, StringComparison.Ordinal);
    }
}
