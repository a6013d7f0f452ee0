using System.CommandLine;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Inputs;
using Collector.Workstation.Csv;
using Collector.Workstation.Hub;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector import FILE... --tenant GUID [--hub FILE] [--group-tag TAG]</c>: Autopilot CSVs
/// as real tools write them into the hub as captures (method <c>csv-import</c>), each hash
/// decoded and validated like a live capture (design section 6).
/// </summary>
public static class ImportCommand
{
    public sealed record Options(IReadOnlyList<string> Files, string Tenant, string? Hub, string? GroupTag);

    /// <summary>What one file gave.</summary>
    public sealed record FileOutcome(string File, int Rows, int Added, int Known, int Rejected, bool Failed, IReadOnlyDictionary<string, int> Flags);

    public static Command Create(WorkstationContext context)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Autopilot CSV files (UTF-16 or UTF-8, quoted or not, 3 to 5 columns, or the partner form).",
            Arity = ArgumentArity.OneOrMore,
        };
        var tenant = SharedOptions.Tenant("The tenant the devices belong to.", required: true);
        var hub = SharedOptions.Hub();
        var groupTag = SharedOptions.GroupTag("Give every imported device this group tag instead of the file's.");
        var command = new Command("import", "Import Autopilot CSV files into the hub; bad rows are reported with their line numbers.")
        {
            files, tenant, hub, groupTag,
        };
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(parse.GetValue(files)!, parse.GetValue(tenant)!, parse.GetValue(hub), parse.GetValue(groupTag)), context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, CancellationToken cancellationToken)
    {
        var tenant = CaptureRules.ParseTenant(options.Tenant, "--tenant");
        if (options.GroupTag is { } tag && CaptureRules.GroupTagProblem(tag) is { } tagProblem)
        {
            throw new InvalidInputException($"--group-tag: {tagProblem}");
        }

        // Every file must open as text with Intune's header before the hub is touched: a typo in a
        // file name or a wrong file changes nothing (exit 2).
        foreach (var file in options.Files)
        {
            CheckHeader(file);
        }

        var outcomes = new List<FileOutcome>();
        using (var hub = HubStore.Open(context.HubPath(options.Hub), context.Clock))
        {
            foreach (var file in options.Files)
            {
                outcomes.Add(await ImportFileAsync(hub, file, tenant, options.GroupTag, context, cancellationToken).ConfigureAwait(false));
            }
        }

        var o = context.Out;
        foreach (var f in outcomes.Where(f => !f.Failed))
        {
            await o.WriteLineAsync($"{DisplayText.Escape(f.File)}: {f.Rows:N0} row(s): {f.Added:N0} new, {f.Known:N0} already in the hub, {f.Rejected:N0} not imported").ConfigureAwait(false);
            foreach (var (flag, count) in f.Flags)
            {
                await o.WriteLineAsync($"  {count:N0} new capture(s) flagged {flag}: {HashFlags.Describe(flag)}").ConfigureAwait(false);
            }
        }

        var added = outcomes.Sum(f => f.Added);
        await o.WriteLineAsync($"Imported {added:N0} capture(s) into {context.HubPath(options.Hub)} for tenant {tenant:D}; 'collector export' writes the Intune files.").ConfigureAwait(false);
        return outcomes.Any(f => f.Rejected > 0 || f.Failed) ? ExitCodes.Partial : ExitCodes.Ok;
    }

    private static void CheckHeader(string file)
    {
        using var text = TextFile.Open(file);
        using var rows = AutopilotCsvReader.Read(text, file).GetEnumerator();
        rows.MoveNext(); // reads the header (throws for an empty file or a wrong header) and at most one row
    }

    private static async Task<FileOutcome> ImportFileAsync(
        HubStore hub, string file, Guid tenant, string? groupTag, WorkstationContext context, CancellationToken cancellationToken)
    {
        // A CSV says nothing of when its hashes were read; the time its file was last written is
        // the best estimate, and keeps an old file from passing for newer than a stick's capture.
        var writtenAt = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
        var version = CollectorVersion.Current;
        int rows = 0, added = 0, known = 0, rejected = 0;
        var seen = new Dictionary<(string Key, Guid? Uuid), int>();
        var flags = new SortedDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            using var session = hub.BeginImport();
            using var text = TextFile.Open(file);
            foreach (var row in AutopilotCsvReader.Read(text, file))
            {
                cancellationToken.ThrowIfCancellationRequested();
                rows++;
                var outcome = row switch
                {
                    CsvDeviceRow device => CsvImport.ToCapture(device, tenant, groupTag, writtenAt, version),
                    CsvRowProblem problem => CsvImportRow.Reject(problem.Line, problem.Problem),
                    _ => throw new InvalidOperationException($"unexpected CSV row {row}"),
                };
                if (outcome.Capture is not { } capture)
                {
                    rejected++;
                    await Say(context.Error, $"{file}:{outcome.Line}: rejected: {outcome.Rejected}").ConfigureAwait(false);
                    continue;
                }

                // The same device twice (same key, same UUID): the first row is kept.
                if (!seen.TryAdd((capture.DeviceKey, capture.SmbiosUuid), outcome.Line))
                {
                    rejected++;
                    await Say(context.Error,
                        $"{file}:{outcome.Line}: skipped: the same device ({capture.DeviceKey}) as line {seen[(capture.DeviceKey, capture.SmbiosUuid)]}, which is kept").ConfigureAwait(false);
                    continue;
                }

                if (session.Add(capture))
                {
                    added++;
                    foreach (var flag in capture.Flags)
                    {
                        flags[flag] = flags.GetValueOrDefault(flag) + 1;
                    }
                }
                else
                {
                    known++;
                }

                foreach (var warning in outcome.Warnings)
                {
                    await context.Out.WriteLineAsync(DisplayText.Escape($"{file}:{outcome.Line}: kept, flagged {warning}")).ConfigureAwait(false);
                }
            }

            session.Commit();
        }
        catch (InvalidInputException e)
        {
            // Unreadable bytes halfway through: none of this file is kept, the other files are.
            await Say(context.Error, $"{e.Message}; nothing from this file was imported").ConfigureAwait(false);
            return new FileOutcome(file, rows, 0, 0, rows, Failed: true, flags);
        }

        return new FileOutcome(file, rows, added, known, rejected, Failed: false, flags);
    }

    // File names, serials and device keys come from the files: shown escaped.
    private static Task Say(TextWriter error, string line) => error.WriteLineAsync($"{CollectorApp.Name}: {DisplayText.Escape(line)}");
}
