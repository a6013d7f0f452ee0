using System.CommandLine;
using Collector.Core.Errors;
using Collector.Core.Storage;

namespace Collector.Stick.Commands;

/// <summary>
/// <c>collect verify</c>: PRAGMA integrity_check, counts and schema version of the stick
/// database; exit 3 when the check does not say ok. Creates and changes nothing on the stick: a
/// database that needs recovery or migration is checked in a private copy.
/// </summary>
public static class VerifyCommand
{
    public sealed record Options(string? Stick);

    public static Command Create(StickContext context, Option<string> stick)
    {
        var command = new Command("verify", "Check the stick database: integrity, counts, schema version. Exit 3 when it is damaged.");
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(new Options(parse.GetValue(stick)), context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, StickContext context, CancellationToken cancellationToken)
    {
        var stick = StickPaths.Resolve(options.Stick, context.ExecutablePath);
        if (!StickStore.Exists(stick.Database))
        {
            await context.Out.WriteLineAsync($"No stick database at {stick.Database} yet: nothing captured, nothing to check.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        StickVerifyReport report;
        using (var store = StickStore.OpenForReading(stick.Database))
        {
            if (store is null)
            {
                await context.Out.WriteLineAsync($"{StickStore.Unfinished(stick.Database)}: nothing to check.").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            report = store.Verify();
        }

        cancellationToken.ThrowIfCancellationRequested();
        var o = context.Out;
        await o.WriteLineAsync($"Stick database  {stick.Database}").ConfigureAwait(false);
        await o.WriteLineAsync($"Integrity       {report.IntegrityCheck}").ConfigureAwait(false);
        await o.WriteLineAsync($"Schema version  {report.SchemaVersion}").ConfigureAwait(false);
        await o.WriteLineAsync($"Captures        {report.Captures}").ConfigureAwait(false);
        await o.WriteLineAsync($"Devices         {report.Devices}").ConfigureAwait(false);
        await o.WriteLineAsync($"Stick id        {report.StickId:D}").ConfigureAwait(false);
        if (report.Ok)
        {
            return ExitCodes.Ok;
        }

        throw new StorageException($"{stick.Database} failed its integrity check: keep a copy for rescue and capture onto a fresh stick");
    }
}
