using System.CommandLine;
using System.Text.Json;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Core.Storage;
using Collector.Stick.Device;

namespace Collector.Stick.Commands;

/// <summary>
/// <c>collect</c> itself: read this device's hash, validate it, save it to the stick in one
/// transaction, read it back, close the database, and only then tell the technician (design
/// section 3). <c>--shutdown</c>/<c>--reboot</c> act after the commit.
/// </summary>
public static class CaptureCommand
{
    public sealed record Options(
        string? Oa3Report, string? Tenant, string? GroupTag, string? AssignedUser, string? Technician, string? Site,
        string? Stick, bool Shutdown, bool Reboot, bool Json, string? Choice = null);

    public static RootCommand Create(StickContext context, Option<string> stick)
    {
        var oa3Report = new Option<string>("--oa3-report") { HelpName = "FILE", Description = "Read the hash from this OA3.xml (written by oa3tool /Report) instead of from the device." };
        var tenant = new Option<string>("--tenant") { HelpName = "GUID", Description = "Entra tenant id (GUID). Default: tenantId in collector\\stick.json." };
        var groupTag = new Option<string>("--group-tag") { HelpName = "TAG", Description = "Autopilot group tag. Default: stick.json's (one of its list, when it has several). No commas, quotes or non-ASCII." };
        var assignedUser = new Option<string>("--assigned-user") { HelpName = "UPN", Description = "UPN of the user to assign (name@domain.example)." };
        var technician = new Option<string>("--technician") { HelpName = "NAME", Description = "Who captured. Default: technician in stick.json." };
        var site = new Option<string>("--site") { HelpName = "NAME", Description = "Where the device is. Default: site in stick.json." };
        var shutdown = new Option<bool>("--shutdown") { Description = "Shut the device down once the capture is saved." };
        var reboot = new Option<bool>("--reboot") { Description = "Restart the device once the capture is saved." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: captureId, serial, deviceKey, flags, alreadyOnStick, devicesOnStick." };
        var choice = new Argument<string?>("CHOICE")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "The number of the group tag on this stick's list (Collect 2), instead of choosing on the screen.",
        };

        var root = new RootCommand("collect: capture this device's Autopilot hardware hash onto the USB stick (no network, no credential).")
        {
            choice, oa3Report, tenant, groupTag, assignedUser, technician, site, stick, shutdown, reboot, json,
        };
        root.Validators.Add(result =>
        {
            if (result.GetValue(shutdown) && result.GetValue(reboot))
            {
                result.AddError("--shutdown and --reboot exclude each other: choose one");
            }

            if (result.GetValue(choice) is not null && result.GetResult(groupTag) is not null)
            {
                result.AddError("a group tag's number and --group-tag both choose the tag: give one of them");
            }
        });
        root.SetAction((parse, ct) => context.RunAsync(() => RunAsync(
            new Options(
                parse.GetValue(oa3Report), parse.GetValue(tenant), parse.GetValue(groupTag), parse.GetValue(assignedUser),
                parse.GetValue(technician), parse.GetValue(site), parse.GetValue(stick), parse.GetValue(shutdown),
                parse.GetValue(reboot), parse.GetValue(json), parse.GetValue(choice)),
            context, ct)));
        return root;
    }

    public static async Task<int> RunAsync(Options options, StickContext context, CancellationToken cancellationToken)
    {
        // Everything that can be refused is refused before the hash is read or the stick touched.
        var stick = StickPaths.Resolve(options.Stick, context.ExecutablePath);
        var settings = StickSettings.Read(stick.Settings);
        var oa3ToolTimeout = context.Oa3ToolTimeout;
        var partial = CaptureInputs.From(options, settings, stick);
        StickStore.EnsureUsable(stick.Database);

        // Asked last of all the settings, so nobody chooses a tag for a capture refused anyway.
        var tag = await GroupTagChoice.DecideAsync(options.GroupTag, options.Choice, settings, stick, context,
            options.Json ? context.Error : context.Out, cancellationToken).ConfigureAwait(false);
        var inputs = partial.WithGroupTag(tag);

        var reading = await new HashReader(context.Platform, context.Wmi, context.Processes)
            .ReadAsync(options.Oa3Report, stick, oa3ToolTimeout, cancellationToken).ConfigureAwait(false);
        var check = HashCodec.Check(reading.Base64);
        if (!check.Valid)
        {
            throw new InvalidInputException($"the hash read ({reading.Method}) fails validation: {check.Problem}; nothing was saved");
        }

        var hash = check.Hash!.CheckStatedSerial(reading.BiosSerial);
        cancellationToken.ThrowIfCancellationRequested();

        AppendResult saved;
        using (var store = StickStore.Open(stick.Database, settings?.StickId ?? Guid.NewGuid(), context.Clock))
        {
            store.EnsureSound(); // never add to a damaged database: sync salvages it, stick init --force replaces it
            saved = store.Append(new CaptureDraft(
                inputs.Tenant, hash, inputs.GroupTag, inputs.AssignedUser, context.Clock.GetUtcNow(),
                inputs.Technician, inputs.Site, reading.Method, CollectorVersion.Current)
            {
                CollectArchitecture = CollectRun.Describe(context.Platform.Os, context.Platform.ProcessArchitecture,
                    context.Platform.MachineArchitecture, context.Environment(CollectRun.LauncherVariable)),
            });
        }

        // Closed (no pooling): the file is free and the row is on the stick before anyone is told.
        if (options.Json)
        {
            foreach (var note in reading.Notes)
            {
                await context.Error.WriteLineAsync($"{CollectApp.Name}: note: {note}").ConfigureAwait(false);
            }

            var c = saved.Capture;
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(
                new CaptureJson(c.CaptureId.ToString("D"), c.Serial, c.DeviceKey, c.Flags, saved.AlreadyOnStick, saved.DevicesOnStick),
                StickJson.Output.CaptureJson)).ConfigureAwait(false);
        }
        else
        {
            await CaptureView.WriteAsync(context.Out, hash, saved, reading.Notes).ConfigureAwait(false);
        }

        if (options.Shutdown || options.Reboot)
        {
            await Power.AfterSaveAsync(context, options.Reboot, cancellationToken).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    /// <summary>The settings of one capture once options and stick.json are merged and checked.</summary>
    private sealed record CaptureInputs(Guid Tenant, string GroupTag, string AssignedUser, string Technician, string Site)
    {
        public static CaptureInputs From(Options options, StickSettings? settings, StickPaths stick)
        {
            Guid tenant;
            if (options.Tenant is not null)
            {
                tenant = CaptureRules.ParseTenant(options.Tenant, "--tenant");
            }
            else if (settings?.TenantId is { } fromFile)
            {
                tenant = fromFile;
            }
            else
            {
                throw new InvalidInputException(settings is null
                    ? $"no tenant: this stick has no {stick.Settings}; run 'collector stick init' for it, or pass --tenant GUID"
                    : $"no tenant: {stick.Settings} has no tenantId; run 'collector stick init' again, or pass --tenant GUID");
            }

            var user = (options.AssignedUser ?? "").Trim();
            if (CaptureRules.AssignedUserProblem(user) is { } userProblem)
            {
                throw new InvalidInputException($"{userProblem} (from --assigned-user)");
            }

            var technician = Pick(options.Technician, "--technician", settings?.Technician, stick, out var techSource);
            var site = Pick(options.Site, "--site", settings?.Site, stick, out var siteSource);
            RefuseControlCharacters("technician", technician, techSource);
            RefuseControlCharacters("site", site, siteSource);
            return new CaptureInputs(tenant, "", user, technician, site);
        }

        /// <summary>These inputs with the tag chosen, refused (exit 2) when Intune's CSV could not carry it.</summary>
        public CaptureInputs WithGroupTag(ChosenTag chosen) =>
            CaptureRules.GroupTagProblem(chosen.Tag) is { } problem
                ? throw new InvalidInputException($"{problem} (from {chosen.Source}); fix it and run collect again")
                : this with { GroupTag = chosen.Tag };

        private static string Pick(string? option, string optionName, string? fromFile, StickPaths stick, out string source)
        {
            source = option is not null ? optionName : stick.Settings;
            return (option ?? fromFile ?? "").Trim();
        }

        private static void RefuseControlCharacters(string what, string value, string source)
        {
            if (CaptureRules.NameProblem(what, value) is { } problem)
            {
                throw new InvalidInputException($"{problem} (from {source})");
            }
        }
    }
}
