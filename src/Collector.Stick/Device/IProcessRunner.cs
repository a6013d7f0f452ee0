namespace Collector.Stick.Device;

/// <summary>A program to run: oa3tool, rundll32 or shutdown.</summary>
public sealed record ProcessRequest(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory, TimeSpan Timeout);

/// <summary>How it ended. <see cref="Output"/> is the tail of stdout and stderr, for messages.</summary>
public sealed record ProcessOutcome(bool TimedOut, int ExitCode, string Output);

/// <summary>Runs a program with a time limit; a program that overruns is killed with its children.</summary>
public interface IProcessRunner
{
    Task<ProcessOutcome> RunAsync(ProcessRequest request, CancellationToken cancellationToken);
}
