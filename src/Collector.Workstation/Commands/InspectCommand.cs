using System.CommandLine;
using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Hashing;
using Collector.Workstation.Inputs;

namespace Collector.Workstation.Commands;

/// <summary><c>collector inspect INPUT [--json]</c>: decode and validate hashes, change nothing.</summary>
public static class InspectCommand
{
    public sealed record Options(string Input, bool Json);

    /// <summary>
    /// One object per hash under <c>--json</c>; the property names are a contract. <c>padded</c>
    /// says whether the input was whole base64 quads; an unpadded one is decoded all the same.
    /// </summary>
    public sealed record JsonHash(
        string? Serial, string? Manufacturer, string? Model, string? SmbiosUuid, bool Tpm, int NicCount,
        string? ProductKeyId, int Bytes, bool ChecksumValid, bool Valid, IReadOnlyList<string> Flags, string? DeviceKey, bool Padded);

    public static Command Create(WorkstationContext context)
    {
        var input = new Argument<string>("INPUT")
        {
            Description = "A base64 hash, a file holding one, an OA3.xml report, or an Autopilot CSV (every row).",
        };
        var json = SharedOptions.Json("a JSON array, one object per hash");
        var command = new Command("inspect", "Decode and validate hardware hashes; exit 2 if any is invalid.") { input, json };
        command.SetAction((parse, ct) => context.RunAsync(
            () => RunAsync(new Options(parse.GetValue(input)!, parse.GetValue(json)), context, ct)));
        return command;
    }

    public static async Task<int> RunAsync(Options options, WorkstationContext context, CancellationToken cancellationToken)
    {
        var found = HashInputs.Find(options.Input);
        var results = found.Select(f => (Found: f, Check: Check(f))).ToList();
        cancellationToken.ThrowIfCancellationRequested();

        if (options.Json)
        {
            await JsonOutput.WriteAsync(context.Out, results.Select(r => ToJson(r.Check)).ToList()).ConfigureAwait(false);
            foreach (var (f, check) in results.Where(r => !r.Check.Valid))
            {
                await context.Error.WriteLineAsync($"{CollectorApp.Name}: {Escape(f.Origin)}: invalid: {Escape(check.Problem)}").ConfigureAwait(false);
            }
        }
        else
        {
            for (var i = 0; i < results.Count; i++)
            {
                await WriteHumanAsync(context.Out, results[i].Found, results[i].Check, i + 1, results.Count).ConfigureAwait(false);
            }
        }

        return results.All(r => r.Check.Valid) ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }

    private static HashCheck Check(FoundHash found)
    {
        var check = HashCodec.Check(found.Base64);
        return check.Hash is { } hash ? check with { Hash = hash.CheckStatedSerial(found.StatedSerial) } : check;
    }

    private static JsonHash ToJson(HashCheck check)
    {
        var h = check.Hash;
        return new JsonHash(
            h?.Serial, h?.Manufacturer, h?.Model, h?.SmbiosUuid?.ToString("D"), h?.TpmPresent ?? false, h?.NicCount ?? 0,
            h?.ProductKeyId, check.ByteLength, h?.ChecksumValid ?? false, check.Valid, h?.Flags ?? [], h?.DeviceKey, check.Padded);
    }

    /// <summary>The hash in plain words; every text from the hash or the file shown escaped (a serial may hold ESC or BEL).</summary>
    private static async Task WriteHumanAsync(TextWriter o, FoundHash found, HashCheck check, int n, int count)
    {
        var where = count > 1 ? $"Hash {n} of {count} ({Escape(found.Origin)})" : $"Hash ({Escape(found.Origin)})";
        await o.WriteLineAsync($"{where}: {(check.Valid ? "valid" : "INVALID")}").ConfigureAwait(false);
        if (!check.Valid)
        {
            await o.WriteLineAsync($"  Why           {Escape(check.Problem)}").ConfigureAwait(false);
        }

        if (check.Hash is not { } h)
        {
            return;
        }

        await o.WriteLineAsync($"  Serial        {Show(h.Serial)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Make, model   {Show(h.Manufacturer)}, {Show(h.Model)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  SMBIOS UUID   {h.SmbiosUuid?.ToString("D") ?? "(none)"}").ConfigureAwait(false);
        await o.WriteLineAsync($"  TPM           {(h.TpmPresent ? $"yes {Escape(h.TpmVersion)}".TrimEnd() : "no")}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Network       {h.NicCount} adapter(s){(h.NicCount > 0 ? ": " + string.Join(", ", h.MacAddresses) : "")}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Product key   {Show(h.ProductKeyId)}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Disk          {Disk(h)}").ConfigureAwait(false);
        if (h.Os is { } os)
        {
            await o.WriteLineAsync($"  OS            {os.OsBuild} ({os.ArchitectureName}, {os.OsTypeName}); OA3 tool {os.ToolBuild}").ConfigureAwait(false);
        }

        await o.WriteLineAsync($"  Size          {h.ByteLength:N0} bytes, checksum {(h.ChecksumValid ? "ok" : "BAD")}").ConfigureAwait(false);
        await o.WriteLineAsync($"  Device key    {Escape(h.DeviceKey)}").ConfigureAwait(false);
        foreach (var flag in h.Flags)
        {
            await o.WriteLineAsync($"  {(HashFlags.IsWarning(flag) ? "Warning" : "Note"),-13} {Describe(flag, found)}").ConfigureAwait(false);
        }
    }

    // A CSV row with an empty serial column (Get-WindowsAutopilotInfo writes one for some VMs)
    // differs from nothing: say what it is.
    private static string Describe(string flag, FoundHash found) =>
        flag == HashFlags.SerialMismatch && found.StatedSerial is { } stated && stated.Trim().Length == 0
            ? "the row's serial column is empty; the serial in the hash is the one Autopilot uses"
            : HashFlags.Describe(flag);

    /// <summary>Every field of the disk record: serial (or that it has none), model, and any more (Hyper-V's "Msft").</summary>
    private static string Disk(HardwareHash h) =>
        string.Join(", ", new[] { h.DiskSerial.Trim().Length == 0 ? "(no serial)" : Escape(h.DiskSerial.Trim()), Escape(h.DiskModel.Trim()), Escape(h.DiskDetails) }
            .Where(f => f.Length > 0));

    private static string Show(string value) => value.Length == 0 ? "(none)" : Escape(value);

    private static string Escape(string? value) => DisplayText.Escape(value);
}
