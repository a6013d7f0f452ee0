namespace Collector.Workstation.Tables;

/// <summary>
/// Which command reaches a table, and what a SAS must grant it: a failure's advice names them
/// (which permission is missing, what to run again).
/// </summary>
/// <param name="Command">The command, as the user types it after <c>collector</c>.</param>
/// <param name="SasPermissions">The SAS permissions (<c>sp</c>) the command needs, in the service's order.</param>
public sealed record TableUse(string Command, string SasPermissions)
{
    /// <summary>Reads back (r), adds rows (a), replaces rows (u).</summary>
    public static readonly TableUse Sync = new("sync", "rau");

    /// <summary>Reads rows (r) and marks them exported with merge updates (u).</summary>
    public static readonly TableUse Export = new("export", "ru");

    /// <summary>Reads rows (r) and merges each device's registration outcome into its row (u).</summary>
    public static readonly TableUse Register = new("register", "ru");

    /// <summary>Only reads.</summary>
    public static readonly TableUse Status = new("status", "r");

    /// <summary>Only reads: which devices the table holds (stick clear --uploaded).</summary>
    public static readonly TableUse Clear = new("stick clear --uploaded", "r");

    /// <summary>True when the command writes to the table (a failed write leaves nothing half-written).</summary>
    public bool Writes => SasPermissions != "r";
}
