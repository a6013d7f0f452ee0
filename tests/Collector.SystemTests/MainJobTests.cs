using Azure.Data.Tables;
using Collector.Testing;

namespace Collector.SystemTests;

/// <summary>
/// The README's main-job command, run exactly as written on a clean clone of the repository:
/// once as a newcomer runs it (no table), once with COLLECTOR_TABLE pointing at Azurite.
/// </summary>
public sealed class MainJobTests : IClassFixture<Azurite>, IDisposable
{
    private readonly Azurite azurite;
    private readonly TempDirectory temp = new("collector-clone-");

    public MainJobTests(Azurite azurite) => this.azurite = azurite;

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_readme_main_job_runs_on_a_clean_clone_from_samples_to_csv_batches_and_into_a_table()
    {
        var command = ReadmeCommand("build/demo.sh");
        var clone = temp.File("repo");
        var git = Programs.Run("git", ["clone", "--quiet", RepoPaths.Root, clone]);
        Assert.True(git.ExitCode == 0, git.ToString());

        var plain = Programs.Run("bash", ["-c", "cd \"$CLONE\" && " + command], Environment(clone, table: null), TimeSpan.FromMinutes(20));

        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Contains("== done", plain.Out, StringComparison.Ordinal);
        var csvFolder = Path.Combine(clone, "artifacts", "demo", "csv");
        Assert.Contains($"CSV batches: {csvFolder}", plain.Out, StringComparison.Ordinal);
        var rows = Directory.GetFiles(csvFolder, "*.csv")
            .Where(f => File.ReadLines(f).First().StartsWith("Device Serial Number,", StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(f).Skip(1))
            .ToList();
        Assert.Equal(SampleDevices.All.Select(d => d.Builder.Serial).Order(StringComparer.Ordinal), rows.Select(r => r.Split(',')[0]).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.EndsWith(",Demo", r, StringComparison.Ordinal));
        var report = Path.Combine(clone, "artifacts", "demo", "report.html");
        Assert.Contains($"report:      {report}", plain.Out, StringComparison.Ordinal);
        Assert.Contains("<svg id=\"per-day-chart\"", File.ReadAllText(report), StringComparison.Ordinal);

        // A connection string names no table: sync uses the seed's, autopilothashes (this Azurite is ours alone).
        var table = new TableClient(azurite.ConnectionString, "autopilothashes");
        table.Create();
        var withTable = Programs.Run("bash", ["-c", "cd \"$CLONE\" && " + command], Environment(clone, azurite.ConnectionString),
            TimeSpan.FromMinutes(20));

        Assert.True(withTable.ExitCode == 0, withTable.ToString());
        Assert.Contains("upload to the table in COLLECTOR_TABLE", withTable.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Azurite.AccountKey, withTable.Out + withTable.Error, StringComparison.Ordinal);
        var entities = table.Query<TableEntity>().ToList();
        Assert.Equal(SampleDevices.All.Count, entities.Count);
        Assert.All(entities, e => Assert.Equal("Demo", e.GetString("Group_Tag")));
    }

    /// <summary>The first line of the README's "two commands" block that runs <paramref name="script"/>, comment removed.</summary>
    private static string ReadmeCommand(string script)
    {
        var line = File.ReadLines(Path.Combine(RepoPaths.Root, "README.md"))
            .FirstOrDefault(l => l.StartsWith("bash " + script, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"README.md has no line starting with 'bash {script}'");
        return line.Split('#')[0].Trim();
    }

    private static Dictionary<string, string> Environment(string clone, string? table) => new()
    {
        ["CLONE"] = clone,
        ["COLLECTOR_TABLE"] = table ?? "",
    };
}
