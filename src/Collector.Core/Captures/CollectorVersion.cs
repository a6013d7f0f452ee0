using System.Reflection;

namespace Collector.Core.Captures;

/// <summary>
/// The version stored with every capture (<c>Collector_Version</c>): the informational version
/// all projects share (Directory.Build.props), without the commit suffix.
/// </summary>
public static class CollectorVersion
{
    public static string Current { get; } =
        (typeof(CollectorVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
            .Split('+')[0];
}
