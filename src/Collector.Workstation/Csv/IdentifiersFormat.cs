using System.Diagnostics.CodeAnalysis;
using Collector.Core.Hashing;

namespace Collector.Workstation.Csv;

/// <summary>
/// Corporate identifiers for Windows Autopilot device preparation, which matches a device by its
/// manufacturer, model and serial rather than its hash (Microsoft Learn, "Add corporate
/// identifiers": Intune admin center, Devices > Enrollment > Corporate device identifiers; for
/// Windows the type "Manufacturer, model and serial number"). A CSV with no header, one device a
/// line <c>Manufacturer,Model,Serial</c>, at most 5,000 lines or 5 MB a file, one identifier type
/// a file. The values are the SMBIOS strings the hash carries (records 16, 17, 14): what Windows
/// reports as Win32_ComputerSystem Manufacturer and Model and Win32_BIOS SerialNumber.
/// </summary>
/// <remarks>
/// A device is left out, and named, when a value is missing, holds what the file cannot carry (a
/// comma, a quote, a non-ASCII or control character: the format has no quoting) or a spreadsheet
/// formula lead, or when its serial is a placeholder (<c>To be filled by O.E.M.</c>…), which
/// would match every device of that model. Two devices with the same three values cannot be told
/// apart by an identifier: the second is left out.
/// </remarks>
internal sealed class IdentifiersFormat : ExportFormat
{
    public const int MaxRows = 5_000;
    /// <summary>Microsoft's "5 MB" a file, read as the smaller, decimal 5,000,000 bytes: nothing is lost by the safe reading.</summary>
    public const long MaxBytes = 5_000_000;
    private const string Row = "a corporate identifiers row";

    public override string Name => "identifiers";

    public override string Carrier => "Intune's corporate identifiers (manufacturer, model, serial)";

    public override int MaxRowsPerFile => MaxRows;

    public override long MaxBytesPerFile => MaxBytes;

    public override string? ProblemOf(ExportDevice device)
    {
        if (device.Problem is { } known)
        {
            return known;
        }

        if (FlagProblem(device) is { } flag)
        {
            return flag;
        }

        if (device.Model.Length == 0)
        {
            return "no model (product name) in the hash: a corporate identifier needs manufacturer, model and serial";
        }

        if (DeviceIdentity.IsPlaceholderSerial(device.Serial))
        {
            return $"its serial '{device.Serial}' is a placeholder: as a corporate identifier it would match every such device of its model";
        }

        return CellProblem("the manufacturer in the hash", device.Manufacturer)
            ?? CellProblem("the model in the hash", device.Model)
            ?? CellProblem("the serial in the hash", device.Serial);
    }

    public override ReadOnlySpan<byte> Identity(ExportDevice device) => IdentityBytes.Of(device.Manufacturer, device.Model, device.Serial);

    public override string Repeats(string otherDeviceKey) =>
        $"its manufacturer, model and serial are those of device {otherDeviceKey}, which this export writes: corporate identifiers cannot tell the two apart";

    // Manufacturer,Model,Serial CRLF
    public override long RowBytes(ExportDevice device) => device.Manufacturer.Length + device.Model.Length + device.Serial.Length + 4;

    public override int Format(IReadOnlyList<ExportDevice> devices, [NotNull] ref byte[]? buffer)
    {
        if (devices.Count > MaxRows)
        {
            throw new ArgumentException($"{devices.Count} rows: corporate identifiers take at most {MaxRows} per file", nameof(devices));
        }

        var bytes = CsvBytes.Room(ref buffer, (int)devices.Sum(RowBytes));
        var at = 0;
        foreach (var device in devices)
        {
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "manufacturer", device.Manufacturer, required: true));
            at = CsvBytes.Put(bytes, at, ",");
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "model", device.Model, required: true));
            at = CsvBytes.Put(bytes, at, ",");
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "serial", device.Serial, required: true));
            at = CsvBytes.Put(bytes, at, CsvBytes.LineEnd);
        }

        return at;
    }
}
