using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using Collector.Testing;

namespace Collector.Workstation.Tests.Tables;

/// <summary>Reading Azurite's tables back, making SAS URLs, and checking no secret leaked.</summary>
public static class TestTables
{
    public static TableClient Create(Collector.Testing.Azurite azurite, string name)
    {
        var table = new TableClient(azurite.ConnectionString, name);
        table.CreateIfNotExists();
        return table;
    }

    /// <summary>Every row of <paramref name="tenant"/>'s partition, by RowKey.</summary>
    public static Dictionary<string, TableEntity> Rows(Collector.Testing.Azurite azurite, string table, Guid? tenant = null) =>
        new TableClient(azurite.ConnectionString, table)
            .Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {(tenant ?? TestCaptures.Tenant).ToString("D")}"))
            .ToDictionary(e => e.RowKey, StringComparer.Ordinal);

    /// <summary>
    /// An account SAS for one table's URL: Azurite refuses a table SAS on $batch (it checks the
    /// SAS against the table name "$batch": Azure/Azurite
    /// src/table/authentication/OperationTableSASPermission.ts), and (measured with Azurite
    /// 3.37.0) answers 403 to an entity query under an account SAS whose srt lacks c, though point
    /// reads pass with o alone; hence srt=co.
    /// </summary>
    public static string AccountSasUrl(Collector.Testing.Azurite azurite, string table, TableAccountSasPermissions permissions, DateTimeOffset expiresOn)
    {
        var sas = new TableServiceClient(azurite.ConnectionString)
            .GenerateSasUri(permissions, TableAccountSasResourceTypes.Container | TableAccountSasResourceTypes.Object, expiresOn);
        return $"{azurite.AccountUri}/{table}{sas.Query}";
    }

    /// <summary>The signature of a SAS URL, as it appears in it (percent-encoded).</summary>
    public static string Signature(string sasUrl) =>
        sasUrl.Split('?', 2)[1].Split('&').Single(p => p.StartsWith("sig=", StringComparison.Ordinal))[4..];

    /// <summary>Fails if any form of any secret is in the run's stdout or stderr.</summary>
    public static void AssertNoSecret(CliResult result, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            foreach (var form in new[] { secret, Uri.UnescapeDataString(secret), Uri.EscapeDataString(secret) })
            {
                Assert.False(result.Out.Contains(form, StringComparison.Ordinal), "a secret leaked into stdout");
                Assert.False(result.Error.Contains(form, StringComparison.Ordinal), "a secret leaked into stderr");
            }
        }
    }
}
