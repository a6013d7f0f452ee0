using Collector.Core.Storage;
using Collector.Workstation.Register;

namespace Collector.Workstation.Hub;

/// <summary>What the hub knows of a device's registration with Autopilot (<c>collector register</c>).</summary>
/// <param name="State"><see cref="HubRegistration.Registered"/>, <see cref="HubRegistration.Pending"/> or <see cref="HubRegistration.Refused"/>.</param>
/// <param name="At">When Autopilot answered (for a pending device: when it was imported).</param>
/// <param name="CaptureId">The capture whose hash was registered, refused or is being imported.</param>
/// <param name="Detail">Autopilot's error code and name (806 for a device the tenant already had, 808, 802…), or null.</param>
public sealed record RegistrationState(string State, DateTimeOffset? At, Guid? CaptureId, string? Detail);

/// <summary>
/// The one place the hub's device queries (devices, device, report) read registration from: the
/// <c>registrations</c> table <c>collector register</c> keeps (hub schema
/// <see cref="HubSchema.RegistrationsSince"/> on). Registration is the device's, not a capture's,
/// as register and export take it: a device Autopilot has (registered, or 806: already there)
/// under any of its captures is registered; otherwise one still being imported is pending; otherwise
/// one Autopilot refused (808, 802, another code) is refused. A hub older than the table — a
/// reader leaves it unmigrated — records none: every column is NULL and every device waits.
/// </summary>
internal static class HubRegistration
{
    public const string Registered = "registered";
    public const string Pending = "pending";
    public const string Refused = "refused";

    /// <summary>
    /// The row of <c>registrations</c> that says where the device <c>d</c> stands, joined as
    /// <c>r</c> (every query here aliases <c>devices</c> as <c>d</c>): Autopilot has it first, then
    /// the import under way, then a refusal; the latest of each.
    /// </summary>
    public static string Join(bool recorded) => recorded
        ? $"""
            LEFT JOIN registrations r ON r.rowid = (
                SELECT x.rowid FROM registrations x WHERE x.tenant_id = d.tenant_id AND x.device_key = d.device_key
                ORDER BY CASE WHEN x.state IN ('{RegistrationStates.Registered}', '{RegistrationStates.AlreadyRegistered}') THEN 0
                              WHEN x.state = '{RegistrationStates.Pending}' THEN 1 ELSE 2 END,
                         COALESCE(x.decided_at, x.submitted_at) DESC
                LIMIT 1)
            """
        : "";

    /// <summary>
    /// The registration columns, for a SELECT list after <see cref="Join"/>: <c>registration_state</c>,
    /// <c>registered_at</c>, <c>registered_capture_id</c>, <c>registration_detail</c>.
    /// </summary>
    public static string Columns(bool recorded) => recorded
        ? $"""
            CASE WHEN r.state IS NULL THEN NULL
                 WHEN r.state IN ('{RegistrationStates.Registered}', '{RegistrationStates.AlreadyRegistered}') THEN '{Registered}'
                 WHEN r.state = '{RegistrationStates.Pending}' THEN '{Pending}'
                 ELSE '{Refused}' END AS registration_state,
            COALESCE(r.decided_at, r.submitted_at) AS registered_at, r.capture_id AS registered_capture_id,
            CASE WHEN r.error_code IS NULL THEN NULL ELSE r.error_code || ' ' || COALESCE(r.error_name, '') END AS registration_detail
            """
        : "NULL AS registration_state, NULL AS registered_at, NULL AS registered_capture_id, NULL AS registration_detail";

    /// <summary>
    /// A SQL condition on the device row <c>d</c>: Autopilot has it — registered, or already there
    /// (806) — under any of its captures. What register, export, stick clear and the device
    /// queries all mean by registered; the hub must record registration (a writer's hub does).
    /// </summary>
    public static readonly string InAutopilot = $"""
        EXISTS (SELECT 1 FROM registrations a WHERE a.tenant_id = d.tenant_id AND a.device_key = d.device_key
                AND a.state IN ('{RegistrationStates.Registered}', '{RegistrationStates.AlreadyRegistered}'))
        """;

    /// <summary>
    /// A SQL condition on the device row <c>d</c>: Autopilot does not have it (<see cref="InAutopilot"/>).
    /// Every device of a hub that records no registration.
    /// </summary>
    public static string WaitingCondition(bool recorded) => recorded ? $"NOT {InAutopilot}" : "1";

    /// <summary>Reads the columns of <see cref="Columns"/> from a query's rows (ordinals looked up once).</summary>
    public sealed class Reader(RawStatement row)
    {
        private readonly int state = row.Ordinal("registration_state"), at = row.Ordinal("registered_at"),
            capture = row.Ordinal("registered_capture_id"), detail = row.Ordinal("registration_detail");

        /// <summary>The registration of the statement's current row, or null when none is recorded.</summary>
        public RegistrationState? Read() => row.IsNull(state)
            ? null
            : new RegistrationState(
                row.GetString(state),
                row.IsNull(at) ? null : DbTime.Read(row.GetString(at)),
                row.IsNull(capture) ? null : Guid.Parse(row.GetString(capture)),
                row.GetNullableString(detail)?.Trim());
    }
}
