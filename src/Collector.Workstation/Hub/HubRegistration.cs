using Collector.Core.Storage;

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
                row.GetNullableString(detail));
    }
}
