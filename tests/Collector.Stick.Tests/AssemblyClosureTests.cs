using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;

namespace Collector.Stick.Tests;

/// <summary>
/// Nothing on a stick can reach the cloud (design section 1): collect's assemblies, its own and
/// its packages', hold no Azure, Graph, sign-in, HTTP-client or CSV assembly, and name none.
/// </summary>
public sealed class AssemblyClosureTests
{
    // A name matches an entry when it is the entry or starts with the entry and a dot.
    private static readonly string[] DeskAssemblies =
    [
        "Azure", "Microsoft.Azure", "Microsoft.Graph", "Microsoft.Kiota", "Microsoft.Identity", "Microsoft.IdentityModel",
        "Sep", "CsvHelper", "Sylvan.Data.Csv", "System.Net.Http", "Microsoft.Extensions.Http", "Polly", "RestSharp", "Flurl", "Refit",
    ];

    private static readonly string CollectDll = typeof(CollectApp).Assembly.Location;

    [Fact]
    public void Collects_assemblies_and_the_framework_assemblies_they_name_are_no_desk_assemblies()
    {
        var (walked, framework) = Closure(CollectDll);

        Assert.Contains("Collector.Core", walked);
        Assert.Contains("Microsoft.Data.Sqlite", walked);
        Assert.Contains("SQLitePCLRaw.core", walked); // reached only through Microsoft.Data.Sqlite: the walk is transitive
        Assert.Contains("System.Runtime", framework);
        Assert.DoesNotContain(walked.Concat(framework), IsDeskAssembly);
    }

    [Fact]
    public void Collects_package_dependencies_hold_no_desk_package()
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(CollectDll, ".deps.json")));
        var packages = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(library => library.Name.Split('/')[0]).ToList();

        Assert.Contains("Microsoft.Data.Sqlite", packages);
        Assert.DoesNotContain(packages, IsDeskAssembly);
    }

    [Theory]
    [InlineData("Azure.Data.Tables", true)]
    [InlineData("Microsoft.Graph.Core", true)]
    [InlineData("Sep", true)]
    [InlineData("System.Net.Http", true)]
    [InlineData("Separated", false)]
    [InlineData("Microsoft.Data.Sqlite", false)]
    public void A_desk_assembly_is_told_by_its_name(string name, bool desk) => Assert.Equal(desk, IsDeskAssembly(name));

    private static bool IsDeskAssembly(string name) =>
        DeskAssemblies.Any(desk => name == desk || name.StartsWith(desk + ".", StringComparison.Ordinal));

    /// <summary>
    /// Walks the assembly references from <paramref name="root"/>: an assembly beside it (its own
    /// and its packages') is read and walked on; one of the shared runtime is named, not walked.
    /// </summary>
    private static (SortedSet<string> Walked, SortedSet<string> Framework) Closure(string root)
    {
        var beside = Path.GetDirectoryName(root)!;
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var walked = new SortedSet<string>(StringComparer.Ordinal);
        var framework = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var file))
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            var metadata = pe.GetMetadataReader();
            walked.Add(metadata.GetString(metadata.GetAssemblyDefinition().Name));
            foreach (var handle in metadata.AssemblyReferences)
            {
                var name = metadata.GetString(metadata.GetAssemblyReference(handle).Name);
                if (walked.Contains(name) || framework.Contains(name))
                {
                    continue;
                }

                if (File.Exists(Path.Combine(beside, name + ".dll")))
                {
                    pending.Push(Path.Combine(beside, name + ".dll"));
                    walked.Add(name);
                }
                else
                {
                    Assert.True(File.Exists(Path.Combine(runtime, name + ".dll")), $"{file} names {name}, found neither beside collect nor in the shared runtime");
                    framework.Add(name);
                }
            }
        }

        return (walked, framework);
    }
}
