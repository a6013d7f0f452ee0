using Collector.Core.Hashing;
using Collector.Workstation.Tests.Commands;

namespace Collector.Workstation.Tests.Report;

/// <summary>Hubs for report tests, filled through real sticks and merges.</summary>
internal static class ReportHubs
{
    /// <summary>
    /// Five devices, seven captures, two sticks over three days: one device captured twice, one
    /// without TPM, one with a placeholder serial and a flat-battery clock, one device exported.
    /// </summary>
    public static void FillSmall(TestHub hub, DateTimeOffset day)
    {
        hub.Merge(day.AddDays(1).AddHours(6),
            TestHub.Draft(HashBuilder.Sample(1), day.AddMinutes(10)),
            TestHub.Draft(HashBuilder.Sample(2), day.AddDays(1).AddHours(1)),
            TestHub.Draft(new HashBuilder { Serial = "CLT-NOTPM", Tpm = false, SmbiosUuid = Guid.NewGuid() }, day.AddDays(1).AddHours(2)));
        hub.MarkExported("autopilot-first-001", "CLT-0000002");
        hub.Merge(day.AddDays(3),
            TestHub.Draft(HashBuilder.Sample(1), day.AddDays(2), technician: "Kim", site: "York"),
            TestHub.Draft(new HashBuilder { Serial = "Default string", SmbiosUuid = Guid.NewGuid(), Model = "Fabrikam Slate" }, new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), technician: "Kim", site: "York"),
            TestHub.Draft(HashBuilder.Sample(4), day.AddDays(2).AddHours(3), technician: "Kim", site: "York"),
            TestHub.Draft(HashBuilder.Sample(2), day.AddDays(2).AddHours(4), technician: "Kim", site: "York"));
    }
}
