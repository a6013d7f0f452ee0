using System.CommandLine;
using System.CommandLine.Invocation;
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
            RegisterCommand.Create(context),
        };

        // No response files: "--table @FILE" names a file collector reads itself (its first
        // non-empty line, a secret), never one whose lines become more arguments.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction error && parse.CommandResult.Command != root)
        {
            error.ShowHelp = false; // a wrong value is one line, not a screen of help ('collector COMMAND --help' shows it)
        }

        // The context's writers redact every line, System.CommandLine's too (a mistyped option echoes its value).
        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration { Output = context.Out, Error = context.Error },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.FlushAsync().ConfigureAwait(false);
        }
    }
}
