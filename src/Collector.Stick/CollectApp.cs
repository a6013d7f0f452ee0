using System.CommandLine;
using System.CommandLine.Invocation;
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

        // No response files (a group tag beginning with @ is a value, never a file to expand), and a
        // wrong value is one line: a technician reads the screen at arm's length.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction error)
        {
            error.ShowHelp = false;
        }

        return parse.InvokeAsync(
            new InvocationConfiguration { Output = context.Out, Error = context.Error },
            cancellationToken);
    }
}
