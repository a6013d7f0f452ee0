using System.CommandLine;
using Azure.Core;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Workstation.Graph;
using Collector.Workstation.Hub;
using Collector.Workstation.Register;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Commands;

/// <summary>
/// <c>collector register [--hub FILE | --table [TARGET]] [--table-name NAME] [--tenant GUID]
/// [--group-tag TAG] [--graph URL] [--poll-interval SECONDS] [--timeout MINUTES] [--all] [--json]</c>:
/// registers the newest capture of every device not yet registered in Autopilot through Microsoft
/// Graph, and records what Autopilot said per device (design section 6b).
/// </summary>
public static class RegisterCommand
{
    /// <param name="UseTable">True when <c>--table</c> was given, with or without a value.</param>
    public sealed record Options(
        string? Hub, bool UseTable, string? Table, string? TableName, string? Tenant, string? GroupTag, string? Graph,
        double PollIntervalSeconds, double TimeoutMinutes, bool All, bool Json);

    /// <summary>
    /// What register uses besides its options: the Graph and table client factories, how it signs
    /// in when no token is given (null: <see cref="GraphSignIn.Default"/>), whether a person is at
    /// a terminal (device-code sign-in), and how long to wait for a busy hub.
    /// </summary>
    public sealed record Services(GraphClients Graph, TableClients Tables, Func<Guid, TokenCredential>? SignIn, bool Terminal, TimeSpan HubLockWait)
    {
        public static Services Default() =>
            new(GraphClients.Default(), TableClients.Default(), null, !Console.IsInputRedirected && !Console.IsErrorRedirected, HubStore.DefaultLockWait);
    }

    /// <param name="services">Null: <see cref="Services.Default"/> (tests pass their own).</param>
    public static Command Create(WorkstationContext context, Services? services = null)
    {
        var hub = SharedOptions.Hub();
        var table = SharedOptions.SourceTable("Register the devices of an Azure table instead of the hub, and merge each outcome into its row (a SAS needs r and u)");
        var tableName = SharedOptions.TableName();
        var tenant = SharedOptions.Tenant("Only this tenant's devices; default: every tenant, each signed in to on its own.");
        var groupTag = SharedOptions.GroupTag("Register every device with this group tag instead of its own.");
        var graph = new Option<string>("--graph")
        {
            HelpName = "URL",
            Description = $"Microsoft Graph's root (default: {GraphEndpoint.EnvironmentVariable}, else {GraphEndpoint.DefaultRoot.AbsoluteUri.TrimEnd('/')}); https, or http to this computer only.",
        };
        var pollInterval = new Option<double>("--poll-interval")
        {
            HelpName = "SECONDS",
            Description = "Seconds between polls of Autopilot's answers (default 30).",
            DefaultValueFactory = _ => 30,
            CustomParser = SharedOptions.PositiveNumber("--poll-interval", "seconds"),
        };
        var timeout = new Option<double>("--timeout")
        {
            HelpName = "MINUTES",
            Description = "Minutes to wait for Autopilot's answers (default 30); devices still pending then are polled again by the next run, not imported again.",
            DefaultValueFactory = _ => 30,
            CustomParser = SharedOptions.PositiveNumber("--timeout", "minutes"),
        };
        var all = new Option<bool>("--all") { Description = "Send every device again: registered ones and those Autopilot refused too." };
        var json = SharedOptions.Json("one JSON object: imports, devices by outcome, problems");
        var command = new Command("register", "Register devices in Windows Autopilot through Microsoft Graph and record each device's outcome.")
        {
            hub, table, tableName, tenant, groupTag, graph, pollInterval, timeout, all, json,
        };
        SharedOptions.OneSource(command, hub, table, tableName, "register");
        command.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(parse.GetValue(hub), parse.GetResult(table) is not null, parse.GetValue(table), parse.GetValue(tableName),
                parse.GetValue(tenant), parse.GetValue(groupTag), parse.GetValue(graph), parse.GetValue(pollInterval),
                parse.GetValue(timeout), parse.GetValue(all), parse.GetValue(json)),
            context, services ?? Services.Default(), ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, Services services, CancellationToken cancellationToken)
    {
        // Everything the user typed is checked before anything is read, signed in to or sent.
        Guid? tenant = options.Tenant is null ? null : CaptureRules.ParseTenant(options.Tenant, "--tenant");
        if (options.GroupTag is { } tag && CaptureRules.GroupTagProblem(tag) is { } tagProblem)
        {
            throw new InvalidInputException($"--group-tag: {tagProblem}");
        }

        var endpoint = GraphEndpoint.Resolve(options.Graph, context.Environment);
        var token = GraphToken.FromEnvironment(context);
        var clock = context.Clock;
        TableRegistrations? table = null;
        if (options.UseTable)
        {
            var target = TableTarget.ResolveGiven(options.Table, options.TableName, context);
            TableFailures.CheckBeforeSending(target, TableUse.Register, clock.GetUtcNow());
            table = new TableRegistrations(services.Tables.Connect(target, TableUse.Register, clock));
        }

        // With --table the hub still keeps the registrations (the import records to follow), so a
        // run that stops resumes; it is COLLECTOR_HUB's, or the default one.
        var hubPath = context.HubPath(options.Hub);
        if (table is null && !File.Exists(hubPath))
        {
            throw new StorageException($"no hub at {hubPath}: run 'collector sync' or 'collector import' first, or pass --hub FILE");
        }

        var settings = new RegisterSettings(endpoint, token, TimeSpan.FromSeconds(options.PollIntervalSeconds),
            TimeSpan.FromMinutes(options.TimeoutMinutes), options.All, options.GroupTag, services.Graph.Tries);
        var report = new RegisterReport();
        var progress = new RegisterProgress(context.Error);
        using var hub = HubStore.Open(hubPath, clock, lockWait: services.HubLockWait);
        var candidates = table is null
            ? hub.RegistrationCandidates(tenant)
            : await table.ReadAsync(tenant, (key, reason) => report.LeftOut(key, "", reason), cancellationToken).ConfigureAwait(false);
        var byTenant = candidates.ToLookup(c => c.TenantId);
        var tenants = Tenants(hub, byTenant, settings, tenant);

        token?.CheckFor(tenants, clock.GetUtcNow());
        var signIn = services.SignIn is { } credentialFor ? new GraphSignIn(credentialFor) : GraphSignIn.Default(context.Error, services.Terminal, context.Environment);
        var credentials = new Dictionary<Guid, TokenCredential>();
        foreach (var id in tenants)
        {
            credentials[id] = await signIn.SignInAsync(id, token, services.Terminal, cancellationToken).ConfigureAwait(false);
        }

        foreach (var id in tenants)
        {
            using var client = services.Graph.Connect(endpoint, credentials[id], clock, progress.Say);
            var registrar = new TenantRegistrar(hub, new AutopilotImports(client), id, settings, report, progress, clock);
            await registrar.RunAsync([.. byTenant[id]], cancellationToken).ConfigureAwait(false);
            if (table is not null)
            {
                await WriteToTableAsync(hub, table, id, [.. byTenant[id]], cancellationToken).ConfigureAwait(false);
            }
        }

        var source = table?.Description ?? $"hub {hub.Path}";
        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, report.ToJson()).ConfigureAwait(false);
        }
        else
        {
            await context.Out.WriteAsync(RegisterSummary.Text(report, source, endpoint, tenants.Count)).ConfigureAwait(false);
        }

        if (report.Unreachable is { } unreachable)
        {
            throw new CloudException($"{unreachable}; what was decided is recorded, and the next 'collector register' resumes the rest");
        }

        return report.AllRegistered ? ExitCodes.Ok : ExitCodes.Partial;
    }

    /// <summary>
    /// The tenants with something to do, in order: devices to send, or work left by an earlier
    /// run. A tenant whose devices are all registered needs no sign-in.
    /// </summary>
    private static List<Guid> Tenants(HubStore hub, ILookup<Guid, RegisterCandidate> byTenant, RegisterSettings settings, Guid? only)
    {
        var open = hub.TenantsWithOpenRegistrations();
        return [.. byTenant.Select(g => g.Key).Concat(open).Distinct()
            .Where(t => only is null || t == only)
            .Where(t => open.Contains(t) || RegisterSelection.Wanted([.. byTenant[t]], hub.Registrations(t), settings.All).Any())
            .Order()];
    }

    /// <summary>Merges what the hub knows of each device into its table row: outcomes not yet written, and devices still pending.</summary>
    private static async Task WriteToTableAsync(HubStore hub, TableRegistrations table, Guid tenant, IReadOnlyList<RegisterCandidate> rows, CancellationToken cancellationToken)
    {
        var byKey = rows.Where(r => r.Row is not null).ToDictionary(r => r.DeviceKey, StringComparer.Ordinal);
        var outcomes = hub.Registrations(tenant)
            .Where(r => !r.TableWritten && byKey.TryGetValue(r.DeviceKey, out var row) && row.CaptureId == r.CaptureId)
            .Select(r => (byKey[r.DeviceKey], r)).ToList();
        var stale = hub.Registrations(tenant)
            .Where(r => !r.TableWritten && r.State != RegistrationStates.Pending && !(byKey.TryGetValue(r.DeviceKey, out var row) && row.CaptureId == r.CaptureId))
            .Select(r => new RegistrationKey(r.DeviceKey, r.CaptureId));
        var done = await table.WriteAsync(outcomes, cancellationToken).ConfigureAwait(false);
        hub.RecordTableWritten(tenant, [.. done, .. stale]);
    }
}
