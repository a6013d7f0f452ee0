using Collector.Core.Captures;
using Collector.Core.Hashing;
using Collector.Testing;

namespace Collector.Core.Tests.Captures;

public sealed class StoredCaptureTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_row_whose_columns_lie_is_given_the_fields_its_hash_holds()
    {
        var honest = TestCaptures.Draft(7, Now).ToCapture(Guid.CreateVersion7(), 3, Guid.NewGuid());
        var lying = honest with
        {
            Serial = "OTHER", DeviceKey = "OTHER~00000000-0000-0000-0000-000000000001", Manufacturer = "x", Model = "y",
            SmbiosUuid = Guid.Empty, TpmPresent = !honest.TpmPresent, NicCount = 42, ProductKeyId = "0",
            Flags = [HashFlags.SerialCollision, HashFlags.ChecksumBad, HashFlags.SerialMismatch, "made-up"],
        };

        var trusted = StoredCapture.Verify(lying, out var problem);

        Assert.Null(problem);
        IReadOnlyList<string> flagsApart = [];
        Assert.Equal(honest with { Flags = flagsApart }, trusted! with { Flags = flagsApart });
        Assert.Equal([.. honest.Flags, HashFlags.SerialMismatch], trusted.Flags);
    }

    [Theory]
    [InlineData("!!!", "the hash is not base64")]
    [InlineData("", "the hash is empty")]
    public void A_row_whose_hash_does_not_validate_is_refused_with_why(string hash, string why)
    {
        var row = TestCaptures.Draft(7, Now).ToCapture(Guid.CreateVersion7(), 3, Guid.NewGuid()) with { HardwareHash = hash };

        Assert.Null(StoredCapture.Verify(row, out var problem));
        Assert.StartsWith("its hash is invalid: " + why, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void How_collect_ran_is_kept_from_the_row()
    {
        var row = TestCaptures.Draft(7, Now).ToCapture(Guid.CreateVersion7(), 3, Guid.NewGuid()) with { CollectArchitecture = CollectArchitectures.X64OnArm64 };

        var trusted = StoredCapture.Verify(row, out var problem);

        Assert.Null(problem);
        Assert.Equal(CollectArchitectures.X64OnArm64, trusted!.CollectArchitecture);
    }

    [Fact]
    public void A_row_saying_collect_ran_some_other_way_is_refused_with_why()
    {
        var row = TestCaptures.Draft(7, Now).ToCapture(Guid.CreateVersion7(), 3, Guid.NewGuid()) with { CollectArchitecture = "riscv\u001b" };

        Assert.Null(StoredCapture.Verify(row, out var problem));
        Assert.StartsWith("how collect ran, 'riscv\\x1b', is none of arm64, x64-on-arm64, x64", problem, StringComparison.Ordinal);
    }
}
