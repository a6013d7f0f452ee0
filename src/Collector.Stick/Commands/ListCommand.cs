using System.CommandLine;
using System.Text.Json;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Storage;

namespace Collector.Stick.Commands;

/// <summary>
/// <c>collect list [--json]</c>: one row per device on the stick, its newest capture. Creates and
/// changes nothing on the stick (<see cref="StickStore.OpenForReading"/>).
/// </summary>
public static class ListCommand
{
    public sealed record Options(string? Stick, bool Json);

    public static Command Create(StickContext context, Option<string> stick)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array, one object per device." };
        var command = new Command("list", "List the devices on the stick: one row each, its newest capture.") { json };
        command.SetAction((parse, ct) => context.RunAsync(
            () => RunAsync(new Options(parse.GetValue(stick), parse.GetValue(json)), context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, StickContext context, CancellationToken cancellationToken)
    {
        var stick = StickPaths.Resolve(options.Stick, context.ExecutablePath);
        IReadOnlyList<Capture> devices = [];
        long captures = 0;
        string? unfinished = null;
        if (StickStore.Exists(stick.Database))
        {
            using var store = StickStore.OpenForReading(stick.Database);
            if (store is null)
            {
                unfinished = StickStore.Unfinished(stick.Database);
            }
            else
            {
                devices = store.NewestPerDevice();
                captures = store.CaptureCount();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (options.Json)
        {
            if (unfinished is not null)
            {
                await context.Error.WriteLineAsync($"{CollectApp.Name}: note: {unfinished}").ConfigureAwait(false);
            }

            await context.Out.WriteLineAsync(JsonSerializer.Serialize(devices.Select(ToJson).ToList(), StickJson.Output.ListDeviceJson)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (devices.Count == 0)
        {
            await context.Out.WriteLineAsync(unfinished is null ? "No captures on this stick yet." : $"No captures on this stick yet: {unfinished}.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        await context.Out.WriteLineAsync($"{devices.Count} device(s), {captures} capture(s) on this stick ({DisplayText.Escape(stick.Database)})").ConfigureAwait(false);
        await context.Out.WriteLineAsync($"{"#",5}  {"Captured (UTC)",-16}  {"Serial",-20}  {"Make, model",-34}  {"TPM",-3}  {"Collect",-12}  {"Group tag",-12}  Flags").ConfigureAwait(false);
        foreach (var c in devices)
        {
            var makeModel = $"{c.Manufacturer}, {c.Model}";
            await context.Out.WriteLineAsync(
                $"{c.StickSequence,5}  {c.CapturedAt.UtcDateTime:yyyy-MM-dd HH:mm}  {Fit(c.DeviceKey, 20)}  {Fit(makeModel, 34)}  {(c.TpmPresent ? "yes" : "no"),-3}  {(c.CollectArchitecture.Length == 0 ? "-" : c.CollectArchitecture),-12}  {Fit(c.GroupTag, 12)}  {DisplayText.Escape(string.Join(',', c.Flags))}".TrimEnd()).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static DeviceJson ToJson(Capture c) => new(
        c.DeviceKey, c.Serial, c.Manufacturer, c.Model, c.TpmPresent, c.TenantId.ToString("D"), c.GroupTag, c.AssignedUser,
        DbTime.Write(c.CapturedAt), c.StickSequence, c.CaptureId.ToString("D"), c.Method, c.Flags, c.CollectArchitecture);

    // Escaped first (device text may hold ESC or BEL), then fitted to the column.
    private static string Fit(string value, int width)
    {
        var shown = DisplayText.Escape(value);
        return shown.Length <= width ? shown.PadRight(width) : shown[..(width - 1)] + "~";
    }
}
