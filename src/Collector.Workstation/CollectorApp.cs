using System.CommandLine;
using Collector.Workstation.Commands;

namespace Collector.Workstation;

/// <summary>Wires the commands of <c>collector</c> together: one line each, no logic here.</summary>
public static class CollectorApp
{
    public const string Name = "collector";

    public static async Task<int> RunAsync(string[] args, WorkstationContext context, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("Collector: merge Autopilot hardware hashes from USB sticks, sync them to Azure Table storage and export Intune CSV batches.")
        {
            InspectCommand.Create(context),
            SyncCommand.Create(context),
            ExportCommand.Create(context),
            ImportCommand.Create(context),
            StatusCommand.Create(context),
            DevicesCommand.Create(context),
            DeviceCommand.Create(context),
            ReportCommand.Create(context),
            StickInitCommand.Create(context),
        };

        // The context's writers redact every line, System.CommandLine's too (a mistyped option echoes its value).
        try
        {
            return await root.Parse(args).InvokeAsync(
                new InvocationConfiguration { Output = context.Out, Error = context.Error },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.FlushAsync().ConfigureAwait(false);
        }
    }
}
