using System.Diagnostics.CodeAnalysis;
namespace Collector.Workstation.Csv;

/// <summary>
/// Partner Center's device batch CSV, through which CSP partners (MSPs) register customers'
/// devices: <c>Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device
/// model</c>, the shape Get-WindowsAutopilotInfo <c>-Partner</c> writes. The same byte rules as
/// Intune's CSV (7-bit ASCII, CRLF, no quotes, no BOM); Windows Product ID stays empty, as in
/// every file Collector writes (the hash identifies the device); no group tag or user column.
/// Partner Center's documentation gives no row limit for a batch file that we could find, so a
/// file keeps Intune's 500.
/// </summary>
internal sealed class PartnerFormat : ExportFormat
{
    public static readonly string Header = string.Join(',',
        AutopilotCsvColumns.Serial, AutopilotCsvColumns.ProductId, AutopilotCsvColumns.Hash, AutopilotCsvColumns.Manufacturer, AutopilotCsvColumns.Model);

    private const string Row = "a Partner Center row";

    public override string Name => "partner";

    public override string Carrier => "Partner Center's device batch CSV";

    public override int MaxRowsPerFile => IntuneCsvWriter.MaxRowsPerFile;

    public override string? ProblemOf(ExportDevice device) =>
        HashProblem(device)
        ?? CellProblem("the manufacturer in the hash", device.Manufacturer)
        ?? CellProblem("the model in the hash", device.Model);

    // serial,,hash,manufacturer,model CRLF
    public override long RowBytes(ExportDevice device) =>
        device.Serial.Length + device.Hash.Length + device.Manufacturer.Length + device.Model.Length + 6;

    public override int Format(IReadOnlyList<ExportDevice> devices, [NotNull] ref byte[]? buffer)
    {
        if (devices.Count > MaxRowsPerFile)
        {
            throw new ArgumentException($"{devices.Count} rows: a file takes at most {MaxRowsPerFile}", nameof(devices));
        }

        var bytes = CsvBytes.Room(ref buffer, Header.Length + 2 + (int)devices.Sum(RowBytes));
        var at = CsvBytes.Put(bytes, 0, Header);
        at = CsvBytes.Put(bytes, at, CsvBytes.LineEnd);
        foreach (var device in devices)
        {
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "serial", device.Serial, required: true));
            at = CsvBytes.Put(bytes, at, ",,");
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "hardware hash", device.Hash.Span));
            at = CsvBytes.Put(bytes, at, ",");
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "manufacturer", device.Manufacturer, required: true));
            at = CsvBytes.Put(bytes, at, ",");
            at = CsvBytes.Put(bytes, at, CsvBytes.Checked(Row, "model", device.Model));
            at = CsvBytes.Put(bytes, at, CsvBytes.LineEnd);
        }

        return at;
    }
}
