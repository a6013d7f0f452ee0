using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Azure.Identity;
using Collector.Core.Captures;
using Collector.Core.Errors;

namespace Collector.Workstation.Tables;

/// <summary>What a command was doing when the table service said no: it decides which permission to name.</summary>
public enum TableOperation
{
    Read,
    Write,
    Create,
}

/// <summary>
/// The one place table failures are classified (by status and the SDK's <see cref="TableErrorCode"/>)
/// and turned into one line that says what is missing and what to do (exit 4). Built from status
/// codes and error codes only, never from the SDK's message text, so no request detail (and no
/// secret) is carried along.
/// </summary>
public static class TableFailures
{
    /// <summary>
    /// What <see cref="Explain"/> explains: the service's answer, a sign-in that failed, or the SDK
    /// giving up on a network that timed out (a cancellation nobody asked for). Not a Ctrl+C.
    /// </summary>
    public static bool IsTableFailure(Exception e, CancellationToken cancellationToken) =>
        e is RequestFailedException or AggregateException or AuthenticationFailedException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>The table itself is missing (not a row: a 404 for a row is <c>ResourceNotFound</c>).</summary>
    public static bool IsTableNotFound(Exception? e) =>
        e is RequestFailedException { Status: 404, ErrorCode: { } code } && code == TableErrorCode.TableNotFound;

    /// <summary>
    /// A transaction refused because of one of its actions (a conflict, an entity the service would
    /// not take), not because of the credential or a missing table: the caller re-decides or
    /// rejects that action.
    /// </summary>
    public static bool IsOneActionsFault(TableTransactionFailedException e) =>
        e.FailedTransactionActionIndex is not null && e.Status is not (401 or 403) && !IsTableNotFound(e);

    /// <summary>
    /// Checks a target before anything is sent: a SAS's <c>sp</c> must grant what <paramref name="use"/>
    /// needs and its <c>se</c> must not have passed; an Entra ID target must be https. Otherwise the
    /// service decides.
    /// </summary>
    public static void CheckBeforeSending(TableTarget target, TableUse use, DateTimeOffset now)
    {
        if (target.Kind == TableTargetKind.EntraUrl && target.TableUri!.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidInputException(
                $"{target}: signing in with Entra ID needs an https:// table URL (a token is never sent over plain http); for Azurite use a connection string");
        }

        if (target.Kind != TableTargetKind.SasUrl)
        {
            return;
        }

        var granted = target.Permissions ?? "";
        var missing = use.SasPermissions.Where(p => !granted.Contains(p, StringComparison.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            throw new CloudException(
                $"the SAS for {target} lacks {string.Join(" and ", missing.Select(Name))} (its sp is '{granted}'): {use.Command} needs {Names(use.SasPermissions)}; " +
                $"make one with: az storage table generate-sas --name TABLE --permissions {use.SasPermissions} --expiry DATE --https-only");
        }

        if (target.ExpiresOn is { } expires && expires <= now)
        {
            throw new CloudException(
                $"the SAS for {target} expired at {Show(expires)} (its se): make a new one with az storage table generate-sas --permissions {use.SasPermissions} --expiry DATE");
        }
    }

    /// <summary>
    /// The one line for <paramref name="error"/>, which happened while <paramref name="use"/> tried
    /// to <paramref name="operation"/>; <paramref name="waits"/> (the endpoint and its time limits)
    /// words a table that never answered.
    /// </summary>
    public static CloudException Explain(Exception error, TableTarget target, TableUse use, TableOperation operation, DateTimeOffset now, int tries, TableWaits? waits = null) => error switch
    {
        _ when waits is not null && TimedOut(error) is { } timeout => Unanswered(timeout, target, use, waits),
        AuthenticationFailedException => new CloudException(
            $"signing in to Entra ID for {target} failed: sign in with 'az login' (or set AZURE_CLIENT_ID and friends for a service principal) and run {use.Command} again", error),
        RequestFailedException { Status: 401 or 403 } e => new CloudException(Refused(e, target, use, operation, now), error),
        RequestFailedException e when IsTableNotFound(e) => new CloudException(
            $"{target} does not exist: create it (collector sync --create-table, or az storage table create --name {target.TableName}) or check the name", error),
        RequestFailedException { Status: 0 } e => Unreachable(e.InnerException ?? e, target, use, tries),
        RequestFailedException { Status: 408 or 429 or >= 500 } e => new CloudException(
            $"the table service kept failing ({e.Status}{Code(e)}) for {target} after {tries} tries; {(use.Writes ? "nothing half-written is kept: " : "")}run {use.Command} again later", error),
        RequestFailedException e => new CloudException(
            $"the table service refused to {Verb(operation)} {target} ({e.Status}{Code(e)})", error),
        AggregateException e => Unreachable(e.InnerExceptions.LastOrDefault() ?? e, target, use, tries),
        _ => Unreachable(error, target, use, tries),
    };

    private static string Refused(RequestFailedException e, TableTarget target, TableUse use, TableOperation operation, DateTimeOffset now)
    {
        var status = $"{e.Status}{Code(e)}";
        return target.Kind switch
        {
            TableTargetKind.SasUrl when target.ExpiresOn is { } expires && expires <= now =>
                $"the SAS for {target} expired at {Show(expires)} ({status}): make a new one with az storage table generate-sas --permissions {use.SasPermissions}",
            TableTargetKind.SasUrl => $"the table service refused the SAS for {target} to {Verb(operation)} ({status}): " + operation switch
            {
                TableOperation.Read => "the SAS must grant r (read)",
                TableOperation.Write => $"the SAS must grant {string.Join(" and ", use.SasPermissions.Where(p => p != 'r').Select(Name))}",
                _ => "a SAS cannot create a table; create it with az storage table create, or run --create-table with the account's connection string",
            } + (target.ExpiresOn is { } se ? $", be unexpired (its se is {Show(se)}; check this computer's clock)" : "") +
                $", and be signed with a current account key; {use.Command} needs sp={use.SasPermissions}" + Granted(target, use, operation),
            TableTargetKind.EntraUrl =>
                $"the signed-in identity may not {Verb(operation)} {target} ({status}): give it the Storage Table Data Contributor role on the table " +
                "(az role assignment create --role \"Storage Table Data Contributor\" --scope …/tableServices/default/tables/TABLE); new assignments can take up to 30 minutes",
            _ => $"the table service refused the connection string's credentials to {Verb(operation)} {target} ({status}): check its AccountName and AccountKey",
        };
    }

    /// <summary>The timeout inside <paramref name="error"/> when the service never answered (the SDK's network timeout, or our deadline); null otherwise.</summary>
    private static Exception? TimedOut(Exception error) => error switch
    {
        TableDeadlineException or TimeoutException => error,
        AggregateException all => all.InnerExceptions.Select(TimedOut).LastOrDefault(e => e is not null),
        RequestFailedException { Status: 0, InnerException: { } inner } => TimedOut(inner),
        OperationCanceledException => error, // not a Ctrl+C: IsTableFailure let only the SDK's own through
        _ => null,
    };

    private static CloudException Unanswered(Exception timeout, TableTarget target, TableUse use, TableWaits waits)
    {
        var how = timeout is TableDeadlineException deadline
            ? $"within {Seconds(waits.Deadline)} ({deadline.Tries} tries of up to {Seconds(waits.NetworkTimeout)} each)"
            : $"within {Seconds(waits.NetworkTimeout)}, on any try";
        return new CloudException(
            $"the table service at {waits.Endpoint} accepted the connection but did not answer {how}, for {target}: " +
            $"check that the TARGET points at a table service (a TableEndpoint or URL for Azure Table storage or Azurite, its port), " +
            $"and any proxy or firewall between; then run {use.Command} again", timeout);
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds >= 1 ? $"{time.TotalSeconds:N0} s" : $"{time.TotalMilliseconds:N0} ms";

    private static CloudException Unreachable(Exception inner, TableTarget target, TableUse use, int tries) => new(
        $"cannot reach the table service for {target} after {tries} tries ({DisplayText.FirstLine(inner.Message)}): check the network, then run {use.Command} again", inner);

    private static string Verb(TableOperation operation) => operation switch
    {
        TableOperation.Read => "read",
        TableOperation.Write => "write to",
        _ => "create",
    };

    private static string Name(char permission) => permission switch
    {
        'r' => "r (read)",
        'a' => "a (add)",
        _ => "u (update)",
    };

    /// <summary>"r (read), a (add) and u (update)".</summary>
    private static string Names(string permissions)
    {
        var names = permissions.Select(Name).ToArray();
        return names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1];
    }

    private static string Code(RequestFailedException e) => string.IsNullOrEmpty(e.ErrorCode) ? ", no error code" : " " + e.ErrorCode;

    /// <summary>
    /// " (its sp 'ru' does: …)" when the SAS already grants what the refused request needed: then
    /// the permissions are not the cause, and saying only "must grant u" sends the admin the wrong way.
    /// </summary>
    private static string Granted(TableTarget target, TableUse use, TableOperation operation) =>
        Needed(use, operation) is { Length: > 0 } needed && needed.All(p => (target.Permissions ?? "").Contains(p, StringComparison.Ordinal))
            ? $" (its sp '{target.Permissions}' grants what this request needed, so the refusal has another cause)"
            : "";

    /// <summary>The SAS permissions <paramref name="operation"/> needs for <paramref name="use"/>: r to read, the rest to write, none known to create.</summary>
    private static string Needed(TableUse use, TableOperation operation) => operation switch
    {
        TableOperation.Read => "r",
        TableOperation.Write => new string([.. use.SasPermissions.Where(p => p != 'r')]),
        _ => "",
    };

    private static string Show(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
