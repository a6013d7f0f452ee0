namespace Collector.Workstation.Register;

/// <summary>Progress of a register run on stderr, one line per step (imports, polls, deletes, waits), as sync's.</summary>
public sealed class RegisterProgress(TextWriter error)
{
    public void Say(string line) => error.WriteLine($"{CollectorApp.Name}: {line}");
}
