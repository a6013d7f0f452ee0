using System.CommandLine;

namespace Collector.Stick.Commands;

/// <summary><c>--stick DIR</c>, shared by capture, list and verify.</summary>
public static class StickOption
{
    public static Option<string> Create() => new("--stick")
    {
        HelpName = "DIR",
        Description = "The stick's root folder. Default: the stick this collect.exe sits on (<stick>\\collector\\<arch>\\collect.exe).",
        Recursive = true,
    };
}
