using Collector.Bench;

// Usage: Collector.Bench [suite...]; no suite runs them all. Suites print figures, not verdicts.
var suites = new Dictionary<string, Func<BenchContext, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["codec"] = CodecBench.RunAsync,
    ["capture"] = CaptureBench.RunAsync,
    ["csv"] = CsvBench.RunAsync,
    ["sync"] = SyncBench.RunAsync,
    ["firstrun"] = FirstRunBench.RunAsync,
    ["register"] = RegisterBench.RunAsync,
    ["desk"] = DeskBench.RunAsync,
};

var chosen = args.Length == 0 ? [.. suites.Keys] : args;
var context = BenchContext.FromEnvironment();
foreach (var name in chosen)
{
    if (!suites.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"bench: unknown suite '{name}' (have: {string.Join(", ", suites.Keys)})");
        return 1;
    }

    Console.WriteLine($"== {name}");
    await run(context);
}

return 0;
