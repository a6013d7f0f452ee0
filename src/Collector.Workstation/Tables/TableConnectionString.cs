using Collector.Core.Captures;
using Collector.Core.Errors;

namespace Collector.Workstation.Tables;

/// <summary>
/// Checks a storage connection string before anything is touched (exit 2), so that one the SDK
/// would refuse only when sync builds its client — after the sticks were merged, with a stack
/// trace — is refused up front in a line that names the part at fault. The keys are those of
/// Azure Storage connection strings
/// (https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string);
/// the account key's value is never shown.
/// </summary>
public static class TableConnectionString
{
    private static readonly string[] Keys =
    [
        "UseDevelopmentStorage", "DevelopmentStorageProxyUri", "DefaultEndpointsProtocol", "AccountName", "AccountKey",
        "SharedAccessSignature", "EndpointSuffix", "TableEndpoint", "TableSecondaryEndpoint", "BlobEndpoint", "QueueEndpoint", "FileEndpoint",
    ];

    private static readonly string[] Endpoints = ["TableEndpoint", "TableSecondaryEndpoint", "DevelopmentStorageProxyUri", "BlobEndpoint", "QueueEndpoint", "FileEndpoint"];

    public static void Validate(string connectionString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var number = 0;
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            number++;
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            var key = Array.Find(Keys, k => k.Equals(pair[0], StringComparison.OrdinalIgnoreCase));
            if (pair.Length != 2 || key is null)
            {
                // Not shown: a part that is no setting may be a key pasted on its own.
                throw Fault(pair.Length != 2
                    ? $"its part {number} is not KEY=VALUE"
                    : $"its part {number} names no connection string setting (known: {string.Join(", ", Keys)})");
            }

            if (!parts.TryAdd(key, pair[1]))
            {
                throw Fault($"{key} appears twice");
            }
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var development))
        {
            if (!development.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                throw Fault($"UseDevelopmentStorage={Show(development)} names no account: only UseDevelopmentStorage=true means something (Azurite on this machine); for an account give AccountName and AccountKey");
            }

            CheckEndpoints(parts);
            return;
        }

        if (parts.TryGetValue("DefaultEndpointsProtocol", out var protocol) && protocol.ToLowerInvariant() is not ("https" or "http"))
        {
            throw Fault($"DefaultEndpointsProtocol={Show(protocol)} is neither https nor http");
        }

        if (!parts.ContainsKey("AccountKey") && !parts.ContainsKey("SharedAccessSignature"))
        {
            throw Fault("it names no credential: add AccountKey=… (the account's key) or SharedAccessSignature=…; or give a table SAS URL instead");
        }

        if (parts.TryGetValue("AccountKey", out var accountKey) && (accountKey.Length == 0 || !Convert.TryFromBase64String(accountKey, new byte[accountKey.Length], out _)))
        {
            throw Fault("its AccountKey is not base64: copy the key again from the storage account's Access keys");
        }

        if (parts.ContainsKey("AccountKey") && !parts.ContainsKey("AccountName"))
        {
            throw Fault("it has an AccountKey but no AccountName=…");
        }

        if (!parts.ContainsKey("AccountName") && !parts.ContainsKey("TableEndpoint"))
        {
            throw Fault("it names neither an AccountName nor a TableEndpoint");
        }

        CheckEndpoints(parts);
    }

    private static void CheckEndpoints(Dictionary<string, string> parts)
    {
        foreach (var endpoint in Endpoints)
        {
            if (parts.TryGetValue(endpoint, out var url)
                && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Host.Length > 0))
            {
                throw Fault($"its {endpoint} '{Show(url)}' is not an http(s) URL (like https://ACCOUNT.table.core.windows.net)");
            }
        }
    }

    private static string Show(string value) => DisplayText.Escape(value.Length <= 60 ? value : value[..60] + "…");

    private static InvalidInputException Fault(string problem) => new($"the table TARGET is a malformed connection string: {problem}");
}
