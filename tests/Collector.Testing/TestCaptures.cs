using Collector.Core.Captures;
using Collector.Core.Hashing;

namespace Collector.Testing;

/// <summary>Capture drafts for made-up devices (hashes from the builder, never a real device).</summary>
public static class TestCaptures
{
    public static readonly Guid Tenant = Guid.Parse("5b0c7e4e-8f1d-4c36-9a57-3d1f2e8b6a01");
    public static readonly Guid OtherTenant = Guid.Parse("0f6f2c1a-3e2b-4c5d-8e9f-a0b1c2d3e4f5");

    public static CaptureDraft Draft(int sample, DateTimeOffset capturedAt, Guid? tenant = null, string groupTag = "") =>
        Draft(HashBuilder.Sample(sample), capturedAt, tenant, groupTag);

    public static CaptureDraft Draft(HashBuilder builder, DateTimeOffset capturedAt, Guid? tenant = null, string groupTag = "") =>
        new(tenant ?? Tenant, HashCodec.Check(builder.Build()).Hash!, groupTag, "", capturedAt, "tech", "site-1",
            CaptureMethods.Oa3Report, "0.1.0-test");
}
