using System.CommandLine;
using Collector.Workstation.Commands;

namespace Collector.Workstation;

/// <summary>Wires the commands of <c>collector</c> together: one line each, no logic here.</summary>
public static class CollectorApp
{
    public const string Name = "collector";

    public static async Task<int> RunAsync(string[] args, WorkstationContext context, CancellationToken cancellationToken = default)
    {
        // Every line out, ours or System.CommandLine's (a mistyped option echoes its value), is
        // redacted; synchronised, as Console's own writers are (a sync writes from several tasks).
        using var output = TextWriter.Synchronized(new RedactingWriter(context.Out, context.Secrets));
        using var error = TextWriter.Synchronized(new RedactingWriter(context.Error, context.Secrets));
        context = context with { Out = output, Error = error };

        var root = new RootCommand("Collector: merge Autopilot hardware hashes from USB sticks, sync them to Azure Table storage and export Intune CSV batches.")
        {
            InspectCommand.Create(context),
            SyncCommand.Create(context),
            ExportCommand.Create(context),
            ImportCommand.Create(context),
            StatusCommand.Create(context),
            StickInitCommand.Create(context),
        };

        return await root.Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error },
            cancellationToken).ConfigureAwait(false);
    }
}
