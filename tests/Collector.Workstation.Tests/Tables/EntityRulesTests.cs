using Azure.Data.Tables;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Tests.Tables;

/// <summary>The limits Azurite does not enforce are enforced before sending (Azurite 3.37.0 takes them, the service does not).</summary>
public sealed class EntityRulesTests
{
    [Fact]
    public void A_device_entity_from_the_builder_is_within_every_limit()
    {
        var entity = Entity();

        Assert.Null(EntityRules.Problem(entity));
        Assert.InRange(EntityRules.Size(entity), 8_000, 20_000);
    }

    [Fact]
    public void A_row_key_over_512_characters_is_refused()
    {
        Assert.Null(EntityRules.Problem(new TableEntity("p", new string('x', 512))));
        Assert.Contains("RowKey is 513 characters", EntityRules.Problem(new TableEntity("p", new string('x', 513))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a\u0085b")]
    public void A_row_key_with_a_forbidden_character_is_refused(string key) =>
        Assert.Contains("forbids in keys", EntityRules.Problem(new TableEntity("p", key)), StringComparison.Ordinal);

    [Theory]
    [InlineData("Has Space")]
    [InlineData("Has-Dash")]
    [InlineData("9Starts")]
    public void A_property_name_that_is_not_an_identifier_is_refused(string name) =>
        Assert.Contains($"property name '{name}'", EntityRules.Problem(new TableEntity("p", "r") { [name] = "x" }), StringComparison.Ordinal);

    [Fact]
    public void A_string_over_32k_characters_is_refused() =>
        Assert.Contains("32768", EntityRules.Problem(new TableEntity("p", "r") { ["Long"] = new string('x', 32_769) }), StringComparison.Ordinal);

    [Fact]
    public void More_than_252_properties_are_refused()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++)
        {
            entity[$"P{i}"] = i;
        }

        Assert.Contains("253 properties", EntityRules.Problem(entity), StringComparison.Ordinal);
    }

    [Fact]
    public void An_entity_over_1_mib_is_refused()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 20; i++)
        {
            entity[$"P{i}"] = new string('x', 30_000);
        }

        Assert.Contains("an Azure Table entity is at most", EntityRules.Problem(entity), StringComparison.Ordinal);
    }

    private static TableEntity Entity()
    {
        var draft = TestCaptures.Draft(7, DateTimeOffset.UtcNow);
        return DeviceEntity.From(new HubCapture(new Core.Captures.Capture
        {
            CaptureId = Guid.CreateVersion7(),
            StickSequence = 1,
            TenantId = draft.TenantId,
            Serial = draft.Hash.Serial,
            DeviceKey = draft.Hash.DeviceKey,
            HardwareHash = draft.Hash.Base64,
            SmbiosUuid = draft.Hash.SmbiosUuid,
            Manufacturer = draft.Hash.Manufacturer,
            Model = draft.Hash.Model,
            TpmPresent = draft.Hash.TpmPresent,
            NicCount = draft.Hash.NicCount,
            ProductKeyId = draft.Hash.ProductKeyId,
            GroupTag = "",
            AssignedUser = "",
            CapturedAt = draft.CapturedAt,
            Technician = "t",
            Site = "s",
            StickId = Guid.NewGuid(),
            Method = draft.Method,
            CollectorVersion = "0",
            Flags = [],
        }, draft.CapturedAt));
    }
}
