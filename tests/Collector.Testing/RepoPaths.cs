namespace Collector.Testing;

/// <summary>
/// Where things are in the repository and in <c>.tools/</c> (installed by build/tools.sh). A tool
/// that is missing makes the test that needs it fail with the install line, never skip.
/// </summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Tools => Path.Combine(Root, ".tools");

    public static string Artifacts => Path.Combine(Root, "artifacts");

    /// <summary>azurite-table from npm (build/tools.sh).</summary>
    public static string AzuriteTable => Require(Path.Combine(Tools, "azurite", "node_modules", ".bin", "azurite-table"), "bash build/tools.sh");

    /// <summary>PowerShell 7 as a dotnet tool (build/tools.sh).</summary>
    public static string Pwsh => Require(Path.Combine(Tools, "pwsh", "pwsh"), "bash build/tools.sh");

    /// <summary>Debian's wine64 (apt-get install wine64).</summary>
    public static string Wine64 => Require("/usr/lib/wine/wine64", "apt-get install -y wine64");

    public static string Require(string path, string install) =>
        File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: run `{install}` (see README)");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Collector.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find Collector.sln above the test binaries");
    }
}
