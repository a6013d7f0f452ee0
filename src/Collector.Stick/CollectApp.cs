using System.CommandLine;
using Collector.Stick.Commands;

namespace Collector.Stick;

/// <summary>Wires the commands of <c>collect</c> together: one line each, no logic here.</summary>
public static class CollectApp
{
    public const string Name = "collect";

    public static Task<int> RunAsync(string[] args, StickContext context, CancellationToken cancellationToken = default)
    {
        var stick = StickOption.Create();
        var root = CaptureCommand.Create(context, stick);
        root.Subcommands.Add(ListCommand.Create(context, stick));
        root.Subcommands.Add(VerifyCommand.Create(context, stick));

        return root.Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = context.Out, Error = context.Error },
            cancellationToken);
    }
}
