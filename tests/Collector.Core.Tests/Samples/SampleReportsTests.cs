using Collector.Core.Hashing;
using Collector.Core.Inputs;
using Collector.Testing;

namespace Collector.Core.Tests.Samples;

/// <summary>
/// samples/oa3/*.xml are committed as text for the README's main job; they must be exactly what
/// the builder makes, so no real device's data can slip in. COLLECTOR_WRITE_SAMPLES=1 rewrites them.
/// </summary>
public sealed class SampleReportsTests
{
    private static string Folder => Path.Combine(RepoPaths.Root, "samples", "oa3");

    [Fact]
    public void The_committed_sample_reports_are_the_builders_devices()
    {
        if (Environment.GetEnvironmentVariable("COLLECTOR_WRITE_SAMPLES") == "1")
        {
            Directory.CreateDirectory(Folder);
            foreach (var (name, builder) in SampleDevices.All)
            {
                File.WriteAllText(Path.Combine(Folder, name + ".xml"), SampleDevices.Oa3Report(builder.Build()));
            }
        }

        var expected = SampleDevices.All.Select(d => d.Name + ".xml").Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(Folder, "*.xml").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (name, builder) in SampleDevices.All)
        {
            var hash = Oa3Report.ReadHash(Path.Combine(Folder, name + ".xml"));
            Assert.Equal(builder.Build(), hash);
            Assert.True(HashCodec.Check(hash).Valid);
        }
    }
}
