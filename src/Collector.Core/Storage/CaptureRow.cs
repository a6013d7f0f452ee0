using Collector.Core.Captures;
using Microsoft.Data.Sqlite;

namespace Collector.Core.Storage;

/// <summary>
/// The capture row, spelled once: its columns (name and SQL definition, in order), the INSERT's
/// parameters (<c>$</c> and the column name), how a <see cref="Capture"/> binds to them, and how
/// one is read back by column name (<see cref="CaptureReader"/>). The stick's <c>captures</c>
/// table and the hub's are made from these definitions (the hub adds its own columns around
/// them); the migrations of older schemas keep their own literal SQL, as those schemas were.
/// </summary>
public static class CaptureRow
{
    public const string CaptureId = "capture_id";
    public const string Seq = "seq";
    public const string TenantId = "tenant_id";
    public const string Serial = "serial";
    public const string DeviceKey = "device_key";
    public const string HardwareHash = "hardware_hash";
    public const string SmbiosUuid = "smbios_uuid";
    public const string Manufacturer = "manufacturer";
    public const string Model = "model";
    public const string TpmPresent = "tpm_present";
    public const string NicCount = "nic_count";
    public const string ProductKeyId = "product_key_id";
    public const string GroupTag = "group_tag";
    public const string AssignedUser = "assigned_user";
    public const string CapturedAt = "captured_at";
    public const string Technician = "technician";
    public const string Site = "site";
    public const string StickId = "stick_id";
    public const string Method = "method";
    public const string CollectorVersion = "collector_version";
    public const string Flags = "flags";
    public const string CollectArchitecture = "collect_architecture";

    // product_key_id, site and collect_architecture carry DEFAULT '' because older schemas lacked
    // them and SQLite adds a NOT NULL column to existing rows only with a default; every INSERT
    // gives each a value ('' in collect_architecture: not known, a capture older than the column).
    private static readonly (string Name, string Definition)[] Columns =
    [
        (CaptureId, "TEXT PRIMARY KEY"),
        (Seq, "INTEGER NOT NULL"),
        (TenantId, "TEXT NOT NULL"),
        (Serial, "TEXT NOT NULL"),
        (DeviceKey, "TEXT NOT NULL"),
        (HardwareHash, "TEXT NOT NULL"),
        (SmbiosUuid, "TEXT"),
        (Manufacturer, "TEXT NOT NULL"),
        (Model, "TEXT NOT NULL"),
        (TpmPresent, "INTEGER NOT NULL"),
        (NicCount, "INTEGER NOT NULL"),
        (ProductKeyId, "TEXT NOT NULL DEFAULT ''"),
        (GroupTag, "TEXT NOT NULL"),
        (AssignedUser, "TEXT NOT NULL"),
        (CapturedAt, "TEXT NOT NULL"),
        (Technician, "TEXT NOT NULL"),
        (Site, "TEXT NOT NULL DEFAULT ''"),
        (StickId, "TEXT NOT NULL"),
        (Method, "TEXT NOT NULL"),
        (CollectorVersion, "TEXT NOT NULL"),
        (Flags, "TEXT NOT NULL"),
        (CollectArchitecture, "TEXT NOT NULL DEFAULT ''"),
    ];

    /// <summary>The column names in table order.</summary>
    public static readonly IReadOnlyList<string> ColumnNames = [.. Columns.Select(c => c.Name)];

    /// <summary>The column definitions of a CREATE TABLE, comma-separated: <c>capture_id TEXT PRIMARY KEY, seq …</c>.</summary>
    public static readonly string Definitions = string.Join(",\n    ", Columns.Select(c => $"{c.Name} {c.Definition}"));

    /// <summary>The column names, comma-separated, for a SELECT or an INSERT's column list.</summary>
    public static readonly string Names = string.Join(", ", Columns.Select(c => c.Name));

    /// <summary>The INSERT's parameters, in column order: <c>$capture_id, $seq, …</c>.</summary>
    public static readonly string Parameters = string.Join(", ", Columns.Select(c => "$" + c.Name));

    /// <summary>The column names qualified by a table alias (<c>c.capture_id, c.seq, …</c>), for a join.</summary>
    public static string NamesOf(string alias) => string.Join(", ", Columns.Select(c => $"{alias}.{c.Name}"));

    /// <summary>Binds every column of <paramref name="capture"/> to its parameter (<see cref="Parameters"/>).</summary>
    public static void Bind<TParameters>(Capture capture, TParameters parameters) where TParameters : IRowParameters
    {
        parameters.Text("$" + CaptureId, capture.CaptureId.ToString("D"));
        parameters.Integer("$" + Seq, capture.StickSequence);
        parameters.Text("$" + TenantId, capture.TenantId.ToString("D"));
        parameters.Text("$" + Serial, capture.Serial);
        parameters.Text("$" + DeviceKey, capture.DeviceKey);
        parameters.Text("$" + HardwareHash, capture.HardwareHash);
        parameters.Text("$" + SmbiosUuid, capture.SmbiosUuid?.ToString("D"));
        parameters.Text("$" + Manufacturer, capture.Manufacturer);
        parameters.Text("$" + Model, capture.Model);
        parameters.Integer("$" + TpmPresent, capture.TpmPresent ? 1 : 0);
        parameters.Integer("$" + NicCount, capture.NicCount);
        parameters.Text("$" + ProductKeyId, capture.ProductKeyId);
        parameters.Text("$" + GroupTag, capture.GroupTag);
        parameters.Text("$" + AssignedUser, capture.AssignedUser);
        parameters.Text("$" + CapturedAt, DbTime.Write(capture.CapturedAt));
        parameters.Text("$" + Technician, capture.Technician);
        parameters.Text("$" + Site, capture.Site);
        parameters.Text("$" + StickId, capture.StickId.ToString("D"));
        parameters.Text("$" + Method, capture.Method);
        parameters.Text("$" + CollectorVersion, capture.CollectorVersion);
        parameters.Text("$" + Flags, WriteFlags(capture.Flags));
        parameters.Text("$" + CollectArchitecture, capture.CollectArchitecture);
    }

    /// <summary>Binds every column of <paramref name="capture"/> to a command's parameters.</summary>
    public static void Bind(Capture capture, SqliteCommand command) => Bind(capture, new CommandParameters(command));

    /// <summary>Flags as stored: comma-separated names, empty for none.</summary>
    public static string WriteFlags(IReadOnlyList<string> flags) => string.Join(',', flags);

    /// <summary>The flags of a stored row (see <see cref="WriteFlags"/>).</summary>
    public static IReadOnlyList<string> ReadFlags(string text) => text.Length == 0 ? [] : text.Split(',');

    private readonly struct CommandParameters(SqliteCommand command) : IRowParameters
    {
        public void Text(string name, string? value) => command.Parameters.AddWithValue(name, (object?)value ?? DBNull.Value);

        public void Integer(string name, long value) => command.Parameters.AddWithValue(name, value);
    }
}

/// <summary>
/// Where a row's values are bound, by parameter name: a <see cref="SqliteCommand"/>'s parameters,
/// or the hub's prepared statement, which binds through SQLitePCLRaw for speed.
/// </summary>
public interface IRowParameters
{
    void Text(string name, string? value);

    void Integer(string name, long value);
}
