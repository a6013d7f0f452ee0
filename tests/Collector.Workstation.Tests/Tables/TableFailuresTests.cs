using Azure;
using Collector.Core.Errors;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Tests.Tables;

public sealed class TableFailuresTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly SecretRedactor secrets = new();

    [Fact]
    public void A_sas_without_update_is_refused_naming_it()
    {
        var target = Sas("ra", "2026-12-01T00:00:00Z");

        var error = Assert.Throws<CloudException>(() => TableFailures.CheckBeforeSending(target, TableUse.Sync, Now));

        Assert.Contains("lacks u (update) (its sp is 'ra')", error.Message, StringComparison.Ordinal);
        Assert.Contains("az storage table generate-sas", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_sas_is_refused_with_its_expiry()
    {
        var error = Assert.Throws<CloudException>(() => TableFailures.CheckBeforeSending(Sas("rau", "2026-11-27T11:00:00Z"), TableUse.Sync, Now));

        Assert.Contains("expired at 2026-11-27 11:00:00 UTC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sas_with_every_permission_and_time_left_passes() =>
        TableFailures.CheckBeforeSending(Sas("raud", "2026-11-27T13:00:00Z"), TableUse.Sync, Now);

    [Fact]
    public void A_403_on_writing_with_entra_names_the_role()
    {
        var target = TableTarget.Parse("https://contoso.table.core.windows.net/hashes", null, secrets);

        var error = TableFailures.Explain(new RequestFailedException(403, "denied", "AuthorizationPermissionMismatch", null), target, TableUse.Sync, TableOperation.Write, Now, 7);

        Assert.Contains("may not write to table 'hashes'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage Table Data Contributor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_403_on_writing_with_a_sas_names_add_and_update()
    {
        var error = TableFailures.Explain(new RequestFailedException(403, "denied", "AuthorizationPermissionMismatch", null),
            Sas("rau", "2026-12-01T00:00:00Z"), TableUse.Sync, TableOperation.Write, Now, 7);

        Assert.Contains("to write to (403 AuthorizationPermissionMismatch): the SAS must grant a (add) and u (update)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_403_on_marking_rows_exported_with_a_sas_names_update_and_what_export_needs()
    {
        var error = TableFailures.Explain(new RequestFailedException(403, "denied", "AuthorizationPermissionMismatch", null),
            Sas("r", "2026-12-01T00:00:00Z"), TableUse.Export, TableOperation.Write, Now, 7);

        Assert.Contains("the SAS must grant u (update),", error.Message, StringComparison.Ordinal);
        Assert.Contains("export needs sp=ru", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "TableNotFound", true)]
    [InlineData(404, "ResourceNotFound", false)]
    [InlineData(404, null, false)]
    [InlineData(409, "TableNotFound", false)]
    public void A_missing_table_is_told_by_the_sdk_error_code_not_by_the_status_alone(int status, string? code, bool missing)
    {
        var error = new RequestFailedException(status, "answer", code, null);

        Assert.Equal(missing, TableFailures.IsTableNotFound(error));
    }

    [Fact]
    public void Service_errors_that_outlast_the_retries_say_how_many_tries()
    {
        var error = TableFailures.Explain(new RequestFailedException(503, "busy", "ServerBusy", null), Sas("rau", "2026-12-01T00:00:00Z"), TableUse.Sync, TableOperation.Write, Now, 7);

        Assert.Contains("kept failing (503 ServerBusy)", error.Message, StringComparison.Ordinal);
        Assert.Contains("after 7 tries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entra_target_over_plain_http_is_invalid_input()
    {
        var target = TableTarget.Parse("http://127.0.0.1:10002/devstoreaccount1/hashes", null, secrets);

        var error = Assert.Throws<InvalidInputException>(() => TableFailures.CheckBeforeSending(target, TableUse.Sync, Now));

        Assert.Contains("needs an https:// table URL", error.Message, StringComparison.Ordinal);
    }

    private TableTarget Sas(string permissions, string expiry) => TableTarget.Parse(
        $"https://contoso.table.core.windows.net/hashes?sv=2019-07-07&se={Uri.EscapeDataString(expiry)}&sp={permissions}&sig=c2lnbmF0dXJl", null, secrets);
}
