using Collector.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Collector.Workstation.Hub;

/// <summary>What the hub knows of a device's registration with Autopilot (<c>collector register</c>).</summary>
/// <param name="State"><see cref="HubRegistration.Registered"/> or <see cref="HubRegistration.Refused"/>.</param>
/// <param name="CaptureId">The capture whose hash was registered (or refused).</param>
/// <param name="Detail">Why it was refused (Graph's error, e.g. 808), or null.</param>
public sealed record RegistrationState(string State, DateTimeOffset? At, Guid? CaptureId, string? Detail);

/// <summary>
/// The one place the hub's queries read registration state from: devices, device and report
/// select <see cref="Columns"/> and filter with <see cref="WaitingCondition"/>, and read a row
/// with a <see cref="Reader"/>. This hub does not record registration yet (<c>collector register</c>
/// adds it to the hub's schema), so <see cref="IsRecorded"/> is false, every column is NULL and no
/// device waits for it: commands show "not recorded" rather than a guess. Wiring it means filling
/// in these four members from the schema that records it; the commands need no other change.
/// </summary>
internal static class HubRegistration
{
    public const string Registered = "registered";
    public const string Refused = "refused";

    /// <summary>False until the hub's schema records registration outcomes.</summary>
    public static bool IsRecorded => false;

    /// <summary>
    /// The registration columns of the device row <c>d</c> (every query here aliases
    /// <c>devices</c> as <c>d</c>), for a SELECT list: <c>registration_state</c>,
    /// <c>registered_at</c>, <c>registered_capture_id</c>, <c>registration_detail</c>.
    /// </summary>
    public const string Columns =
        "NULL AS registration_state, NULL AS registered_at, NULL AS registered_capture_id, NULL AS registration_detail";

    /// <summary>
    /// A SQL condition on the device row <c>d</c>: its newest capture is neither registered nor
    /// refused. Nothing is known to wait while nothing is recorded.
    /// </summary>
    public const string WaitingCondition = "0";

    /// <summary>Reads the columns of <see cref="Columns"/> from a query's rows (ordinals looked up once).</summary>
    public sealed class Reader(SqliteDataReader reader)
    {
        private readonly int state = reader.GetOrdinal("registration_state"), at = reader.GetOrdinal("registered_at"),
            capture = reader.GetOrdinal("registered_capture_id"), detail = reader.GetOrdinal("registration_detail");

        /// <summary>The registration of the reader's current row, or null when none is recorded.</summary>
        public RegistrationState? Read() => reader.IsDBNull(state)
            ? null
            : new RegistrationState(
                reader.GetString(state),
                reader.IsDBNull(at) ? null : DbTime.Read(reader.GetString(at)),
                reader.IsDBNull(capture) ? null : Guid.Parse(reader.GetString(capture)),
                reader.IsDBNull(detail) ? null : reader.GetString(detail));
    }
}
