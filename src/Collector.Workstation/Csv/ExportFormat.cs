using System.Diagnostics.CodeAnalysis;
using System.Text;
using Collector.Core.Captures;
using Collector.Core.Hashing;

namespace Collector.Workstation.Csv;

/// <summary>
/// What <c>collector export --format</c> writes: Intune's Autopilot CSV (the default), corporate
/// identifiers for Autopilot device preparation, or Partner Center's device batch CSV. Each says
/// which devices it can carry as they are (one that it cannot is left out and named, never
/// altered), how many rows and bytes a file takes, what makes two devices one in a file, and how
/// a file's bytes look. The batcher, the writer, the manifest and the marking are the same for all.
/// </summary>
public abstract class ExportFormat
{
    public static readonly ExportFormat Autopilot = new AutopilotFormat();
    public static readonly ExportFormat Identifiers = new IdentifiersFormat();
    public static readonly ExportFormat Partner = new PartnerFormat();

    public static readonly IReadOnlyList<ExportFormat> All = [Autopilot, Identifiers, Partner];

    /// <summary>The <c>--format</c> value, the files' and batches' name prefix, and the hub's and table's name for what was exported.</summary>
    public abstract string Name { get; }

    /// <summary>What the files are, in a sentence ("Intune's Autopilot CSV").</summary>
    public abstract string Carrier { get; }

    public abstract int MaxRowsPerFile { get; }

    /// <summary>At most this many bytes in a file (the formats with a size limit).</summary>
    public virtual long MaxBytesPerFile => long.MaxValue;

    /// <summary>True when the format has a group tag column (<c>--group-tag</c> applies).</summary>
    public virtual bool HasGroupTag => false;

    public static ExportFormat Named(string name) => All.Single(f => f.Name == name);

    /// <summary>Null when the format can carry the device as it is (its serial trimmed); otherwise why not.</summary>
    public abstract string? ProblemOf(ExportDevice device);

    /// <summary>Bytes that are equal for two devices the format's reader could not tell apart (the hash, for the hash formats).</summary>
    public virtual ReadOnlySpan<byte> Identity(ExportDevice device) => device.Hash.Span;

    /// <summary>Why a device is left out when another device of this export has the same <see cref="Identity"/>.</summary>
    public virtual string Repeats(string otherDeviceKey) =>
        $"its hardware hash is exactly that of device {otherDeviceKey}, which this export writes: Intune would reject the repeat";

    /// <summary>The bytes the device's row takes in a file (for <see cref="MaxBytesPerFile"/>).</summary>
    public abstract long RowBytes(ExportDevice device);

    /// <summary>Formats a file of <paramref name="devices"/> into <paramref name="buffer"/> (replaced when too small); returns its length.</summary>
    public abstract int Format(IReadOnlyList<ExportDevice> devices, [NotNull] ref byte[]? buffer);

    /// <summary>
    /// What every hash format checks: a hash Intune (or Partner Center) would take, and a serial
    /// that can stand in a CSV cell (design section 6; no spreadsheet formula).
    /// </summary>
    protected static string? HashProblem(ExportDevice device)
    {
        if (device.Problem is { } known)
        {
            return known;
        }

        if (device.Hash.Length == 0)
        {
            return "no hardware hash";
        }

        return FlagProblem(device)
            ?? CaptureRules.CsvValueProblem("the serial in the hash", device.Serial)
            ?? SpreadsheetCell.FormulaProblem("the serial in the hash", device.Serial)
            ?? CaptureRules.CsvValueProblem("the hardware hash", device.Hash.Span);
    }

    /// <summary>A hash Intune rejects (InvalidZtdHardwareHash) or whose records cannot be trusted.</summary>
    protected static string? FlagProblem(ExportDevice device)
    {
        foreach (var flag in new[] { HashFlags.ChecksumBad, HashFlags.NoSerial, HashFlags.NoManufacturer })
        {
            if (device.Flags.Contains(flag))
            {
                return HashFlags.Describe(flag);
            }
        }

        return device.Serial.Length == 0 ? HashFlags.Describe(HashFlags.NoSerial) : null;
    }

    /// <summary>A value from the device's hash that must stand in a CSV cell as it is: printable ASCII, no comma or quote, no formula lead.</summary>
    protected static string? CellProblem(string what, string value) =>
        CaptureRules.CsvValueProblem(what, value) ?? SpreadsheetCell.FormulaProblem(what, value);

    /// <summary>Intune's Autopilot CSV (design section 6): the default.</summary>
    private sealed class AutopilotFormat : ExportFormat
    {
        public override string Name => "autopilot";

        public override string Carrier => "Intune's Autopilot CSV";

        public override int MaxRowsPerFile => IntuneCsvWriter.MaxRowsPerFile;

        public override bool HasGroupTag => true;

        public override string? ProblemOf(ExportDevice device) =>
            HashProblem(device) ?? CaptureRules.GroupTagProblem(device.GroupTag) ?? CaptureRules.AssignedUserProblem(device.AssignedUser);

        // The header depends on the file's rows; this format has no byte limit to keep.
        public override long RowBytes(ExportDevice device) => device.Serial.Length + device.Hash.Length + device.GroupTag.Length + device.AssignedUser.Length + 6;

        public override int Format(IReadOnlyList<ExportDevice> devices, [NotNull] ref byte[]? buffer) =>
            IntuneCsvWriter.Format([.. devices.Select(d => d.Row)], ref buffer);
    }
}

/// <summary>The bytes of a device as one identity (several values, case ignored), for <see cref="ExportFormat.Identity"/>.</summary>
internal static class IdentityBytes
{
    public static byte[] Of(params string[] values) => Encoding.UTF8.GetBytes(string.Join('\n', values).ToUpperInvariant());
}
