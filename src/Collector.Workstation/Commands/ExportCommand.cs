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
/// [--format autopilot|identifiers|partner] [--group-tag TAG] [--out DIR] [--batch-size N] [--all] [--json]</c>:
/// the newest capture of each device not exported before in that format (all with <c>--all</c>)
/// as files of the format — Intune's Autopilot CSV of at most 500 devices by default (design
/// section 6), corporate identifiers for Autopilot device preparation, or Partner Center's
/// device batch CSV — with a manifest beside them.
/// </summary>
public static class ExportCommand
{
    /// <param name="UseTable">True when <c>--table</c> was given, with or without a value.</param>
    public sealed record Options(
        string? Hub, bool UseTable, string? Table, string? TableName, string? Tenant, string? GroupTag,
        string? Out, int? BatchSize, bool All, bool Json, string Format = "autopilot");

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
        var format = new Option<string>("--format")
        {
            HelpName = "FORMAT",
            Description = "autopilot: Intune's Autopilot CSV (the default); identifiers: corporate identifiers (manufacturer, model, serial) " +
                "for Autopilot device preparation; partner: Partner Center's device batch CSV.",
            DefaultValueFactory = _ => ExportFormat.Autopilot.Name,
        }.AcceptOnlyFromAmong([.. ExportFormat.All.Select(f => f.Name)]);
        var batchSize = new Option<int?>("--batch-size")
        {
            HelpName = "N",
            Description = $"Devices per file, from 1 to the format's limit (the default): {string.Join(", ", ExportFormat.All.Select(f => $"{f.Name} {f.MaxRowsPerFile:N0}"))}.",
        };

        // The limit is the format's: read from --format's own token, so an unknown format is its
        // own error here, not an exception while this value is parsed.
        batchSize.CustomParser = r =>
        {
            var chosen = ExportFormat.All.FirstOrDefault(f => f.Name == r.GetResult(format)?.Tokens.FirstOrDefault()?.Value) ?? ExportFormat.Autopilot;
            return SharedOptions.WholeNumber("--batch-size", 1, chosen.MaxRowsPerFile, $"{chosen.Carrier} takes at most {chosen.MaxRowsPerFile:N0} devices per file")(r);
        };
        var all = new Option<bool>("--all") { Description = "Export every device again, not only those not exported before." };
        var json = SharedOptions.Json("one JSON object: files, devices, leftOut");
        var command = new Command("export", "Write Intune import files (at most 500 devices each) for devices not exported before.")
        {
            hub, table, tableName, tenant, format, groupTag, output, batchSize, all, json,
        };
        SharedOptions.OneSource(command, hub, table, tableName, "export");
        command.Validators.Add(result =>
        {
            var chosen = ExportFormat.All.FirstOrDefault(f => f.Name == result.GetResult(format)?.Tokens.FirstOrDefault()?.Value) ?? ExportFormat.Autopilot;
            if (result.GetResult(groupTag) is not null && !chosen.HasGroupTag)
            {
                result.AddError($"--group-tag goes with --format {ExportFormat.Autopilot.Name}: {chosen.Carrier} has no group tag");
            }
        });
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(parse.GetValue(hub), parse.GetResult(table) is not null, parse.GetValue(table), parse.GetValue(tableName),
                parse.GetValue(tenant), parse.GetValue(groupTag), parse.GetValue(output), parse.GetValue(batchSize),
                parse.GetValue(all), parse.GetValue(json), parse.GetValue(format)!),
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

        var format = ExportFormat.Named(options.Format);
        var folder = Path.GetFullPath(string.IsNullOrWhiteSpace(options.Out) ? "." : options.Out);
        var source = OpenSource(options, tenant, format, context);
        await using (source.ConfigureAwait(false))
        {
            CreateFolder(folder);
            var batcher = new ExportBatcher(options.BatchSize ?? format.MaxRowsPerFile, options.GroupTag, format);
            var writer = new ExportWriter(folder, source, files, context.Clock, format);
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

            await ExportReport.WriteAsync(options.Json, format, context, source, writer, batcher.LeftOut).ConfigureAwait(false);
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

    private static IExportSource OpenSource(Options options, Guid? tenant, ExportFormat format, WorkstationContext context)
    {
        if (!options.UseTable)
        {
            var path = context.HubPath(options.Hub);
            if (!File.Exists(path))
            {
                throw new StorageException($"no hub at {path}: run 'collector sync' or 'collector import' first, or pass --hub FILE");
            }

            return new HubExportSource(HubStore.Open(path, context.Clock), tenant, options.All, format);
        }

        var target = TableTarget.ResolveGiven(options.Table, options.TableName, context);
        return new TableExportSource(TableClients.Default().Connect(target, TableUse.Export, context.Clock, context.Error), tenant, options.All, format);
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
}
