using System.CommandLine;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Workstation.Csv;
using Collector.Workstation.Export;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector export [--hub FILE | --table [TARGET]] [--table-name NAME] [--tenant GUID]
/// [--group-tag TAG] [--out DIR] [--batch-size N] [--all] [--json]</c>: the newest capture of each
/// device not exported before (all with <c>--all</c>) as Intune import files of at most 500
/// devices, with a manifest beside them (design section 6).
/// </summary>
public static class ExportCommand
{
    /// <param name="UseTable">True when <c>--table</c> was given, with or without a value.</param>
    public sealed record Options(
        string? Hub, bool UseTable, string? Table, string? TableName, string? Tenant, string? GroupTag,
        string? Out, int BatchSize, bool All, bool Json);

    /// <summary>The <c>--json</c> object; the property names are a contract.</summary>
    /// <param name="Registered">Devices left out because Autopilot already has them (collector register); 0 with --all.</param>
    public sealed record JsonExport(IReadOnlyList<string> Files, int Devices, IReadOnlyList<JsonLeftOut> LeftOut, long Registered);

    public sealed record JsonLeftOut(string DeviceKey, string Reason);

    public static Command Create(WorkstationContext context)
    {
        var hub = SharedOptions.Hub();
        var table = SharedOptions.SourceTable("Export from an Azure table instead of the hub (a SAS needs r and u)");
        var tableName = SharedOptions.TableName();
        var tenant = SharedOptions.Tenant("Only this tenant's devices; default: every tenant, in files of their own.");
        var groupTag = SharedOptions.GroupTag("Write this group tag for every device instead of its own.");
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "The folder for the files (created if missing; default: the current folder)." };
        var batchSize = new Option<int>("--batch-size")
        {
            HelpName = "N",
            Description = $"Devices per file, 1 to {IntuneCsvWriter.MaxRowsPerFile} (Intune's limit, the default).",
            DefaultValueFactory = _ => IntuneCsvWriter.MaxRowsPerFile,
            CustomParser = SharedOptions.WholeNumber("--batch-size", 1, IntuneCsvWriter.MaxRowsPerFile,
                $"Intune takes at most {IntuneCsvWriter.MaxRowsPerFile} devices per file"),
        };
        var all = new Option<bool>("--all") { Description = "Export every device again, not only those not exported before." };
        var json = SharedOptions.Json("one JSON object: files, devices, leftOut");
        var command = new Command("export", "Write Intune import files (at most 500 devices each) for devices not exported before.")
        {
            hub, table, tableName, tenant, groupTag, output, batchSize, all, json,
        };
        SharedOptions.OneSource(command, hub, table, tableName, "export");
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(parse.GetValue(hub), parse.GetResult(table) is not null, parse.GetValue(table), parse.GetValue(tableName),
                parse.GetValue(tenant), parse.GetValue(groupTag), parse.GetValue(output), parse.GetValue(batchSize),
                parse.GetValue(all), parse.GetValue(json)),
            context, new DurableBatchFileWriter(), ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, IBatchFileWriter files, CancellationToken cancellationToken)
    {
        Guid? tenant = options.Tenant is null ? null : CaptureRules.ParseTenant(options.Tenant, "--tenant");
        if (options.GroupTag is { } tag && CaptureRules.GroupTagProblem(tag) is { } tagProblem)
        {
            throw new InvalidInputException($"--group-tag: {tagProblem}");
        }

        var folder = Path.GetFullPath(string.IsNullOrWhiteSpace(options.Out) ? "." : options.Out);
        var source = OpenSource(options, tenant, context);
        await using (source.ConfigureAwait(false))
        {
            CreateFolder(folder);
            var batcher = new ExportBatcher(options.BatchSize, options.GroupTag);
            var writer = new ExportWriter(folder, source, files, context.Clock);
            try
            {
                await foreach (var device in source.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    foreach (var batch in batcher.Add(device))
                    {
                        await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    }
                }

                foreach (var batch in batcher.Complete())
                {
                    await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                }

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CollectorException)
            {
                await TryFinishAsync(writer).ConfigureAwait(false);
                throw;
            }

            writer.Finish();

            await ReportAsync(options, context, source, writer, batcher.LeftOut).ConfigureAwait(false);
            return batcher.LeftOut.Count > 0 ? ExitCodes.Partial : ExitCodes.Ok;
        }
    }

    // After a failure: the file still being written, if it gets to the disk, is marked, and a
    // manifest lists the files that are complete, if the folder still takes one; the failure
    // itself is what gets reported.
    private static async Task TryFinishAsync(ExportWriter writer)
    {
        try
        {
            await writer.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (CollectorException)
        {
        }

        try
        {
            writer.Finish();
        }
        catch (StorageException)
        {
        }
    }

    private static IExportSource OpenSource(Options options, Guid? tenant, WorkstationContext context)
    {
        if (!options.UseTable)
        {
            var path = context.HubPath(options.Hub);
            if (!File.Exists(path))
            {
                throw new StorageException($"no hub at {path}: run 'collector sync' or 'collector import' first, or pass --hub FILE");
            }

            return new HubExportSource(HubStore.Open(path, context.Clock), tenant, options.All);
        }

        var target = TableTarget.ResolveGiven(options.Table, options.TableName, context);
        return new TableExportSource(TableClients.Default().Connect(target, TableUse.Export, context.Clock, context.Error), tenant, options.All);
    }

    private static void CreateFolder(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot create the output folder {folder} ({e.Message}); nothing was marked exported", e);
        }
    }

    private static async Task ReportAsync(Options options, WorkstationContext context, IExportSource source, ExportWriter writer, IReadOnlyList<ExportLeftOut> leftOut)
    {
        foreach (var device in leftOut)
        {
            await context.Error.WriteLineAsync($"{CollectorApp.Name}: left out {DisplayText.Escape(device.DeviceKey)}: {DisplayText.Escape(device.Reason)}").ConfigureAwait(false);
        }

        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, new JsonExport(writer.Files, writer.Devices,
                [.. leftOut.Select(d => new JsonLeftOut(d.DeviceKey, d.Reason))], source.RegisteredLeftOut)).ConfigureAwait(false);
            return;
        }

        var o = context.Out;
        if (writer.Files.Count == 0)
        {
            await o.WriteLineAsync(leftOut.Count == 0
                ? $"Nothing to export from {source.Description}: every device's newest capture is already exported or registered (--all exports them again)."
                : $"Nothing exported from {source.Description}.").ConfigureAwait(false);
        }
        else
        {
            await o.WriteLineAsync($"Exported {writer.Devices:N0} device(s) from {source.Description} into {writer.Files.Count} file(s):").ConfigureAwait(false);
            foreach (var file in writer.Files)
            {
                await o.WriteLineAsync($"  {file}").ConfigureAwait(false);
            }

            foreach (var manifest in writer.Manifests)
            {
                await o.WriteLineAsync($"Manifest: {manifest}").ConfigureAwait(false);
            }
        }

        if (writer.Changed.Count > 0)
        {
            await o.WriteLineAsync($"{writer.Changed.Count} device(s) got a newer capture while exporting; they stay waiting for the next export: {DisplayText.Escape(string.Join(", ", writer.Changed))}").ConfigureAwait(false);
        }

        if (source.RegisteredLeftOut > 0)
        {
            await o.WriteLineAsync($"{source.RegisteredLeftOut:N0} device(s) left out: already registered in Autopilot by 'collector register' (--all exports them too).").ConfigureAwait(false);
        }

        if (leftOut.Count > 0)
        {
            await o.WriteLineAsync($"{leftOut.Count} device(s) left out: Intune's format cannot carry them as they are (listed on stderr with the reason).").ConfigureAwait(false);
        }

        if (writer.Files.Count > 0)
        {
            await o.WriteLineAsync("Next: in the Intune admin center, Devices > Windows > Enrollment > Windows Autopilot > Devices > Import:").ConfigureAwait(false);
            await o.WriteLineAsync("  upload one file at a time, in order, and check that each batch registered before the next.").ConfigureAwait(false);
            await o.WriteLineAsync("  Then delete the CSV files: a hardware hash lets whoever holds it register the device.").ConfigureAwait(false);
        }
    }
}
