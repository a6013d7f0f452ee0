using Azure.Identity;
using Collector.Core.Errors;

namespace Collector.Workstation.Tables;

/// <summary>
/// Where sync uploads and export reads (design section 5): a table SAS URL, a connection string
/// (table from <c>--table-name</c>, default <c>autopilothashes</c>, the seed's), or a table URL
/// without a signature, which signs in with Entra ID (<see cref="DefaultAzureCredential"/>).
/// The text may come from <c>--table</c>, <c>--table @file</c> or <c>COLLECTOR_TABLE</c>; its
/// secrets are registered with the run's <see cref="SecretRedactor"/> the moment it is parsed.
/// </summary>
public sealed class TableTarget
{
    public const string EnvironmentVariable = "COLLECTOR_TABLE";
    public const string DefaultTableName = "autopilothashes";

    private TableTarget(TableTargetKind kind, string text, string tableName, Uri? tableUri, string? permissions, DateTimeOffset? expiresOn)
    {
        Kind = kind;
        Text = text;
        TableName = tableName;
        TableUri = tableUri;
        Permissions = permissions;
        ExpiresOn = expiresOn;
    }

    public TableTargetKind Kind { get; }

    public string TableName { get; }

    /// <summary>The table's URL without query (SAS and Entra targets).</summary>
    public Uri? TableUri { get; }

    /// <summary>A SAS's <c>sp</c> (permissions), when the target is a SAS URL.</summary>
    public string? Permissions { get; }

    /// <summary>A SAS's <c>se</c> (expiry), when the target is a SAS URL.</summary>
    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>
    /// The target from <paramref name="option"/> (--table) or else the environment; null when
    /// neither names one (sync then merges only).
    /// </summary>
    public static TableTarget? Resolve(string? option, string? tableNameOption, WorkstationContext context)
    {
        var raw = !string.IsNullOrWhiteSpace(option) ? option : context.Environment(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(raw) ? null : Parse(raw, tableNameOption, context.Secrets);
    }

    /// <summary>
    /// The target of a <c>--table</c> that was given, with or without a value (status, export):
    /// its value, else the environment's; one of them must name a table.
    /// </summary>
    public static TableTarget ResolveGiven(string? option, string? tableNameOption, WorkstationContext context) =>
        Resolve(option, tableNameOption, context)
        ?? throw new InvalidInputException($"--table names no table and {EnvironmentVariable} is not set");

    public static TableTarget Parse(string raw, string? tableNameOption, SecretRedactor secrets)
    {
        var value = raw.Trim();
        if (value.StartsWith('@'))
        {
            value = ReadFile(value[1..]);
        }

        RegisterSecrets(value, secrets);
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
        {
            return FromUrl(value, uri, tableNameOption);
        }

        if (value.Contains('=', StringComparison.Ordinal) && LooksLikeConnectionString(value))
        {
            TableConnectionString.Validate(value);
            var name = string.IsNullOrWhiteSpace(tableNameOption) ? DefaultTableName : tableNameOption.Trim();
            ValidateTableName(name);
            return new TableTarget(TableTargetKind.ConnectionString, value, name, null, null, null);
        }

        throw new InvalidInputException(
            "the table TARGET is neither a URL (https://ACCOUNT.table.core.windows.net/TABLE?sv=…&sig=…, or without a signature for Entra ID) " +
            "nor a connection string (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…, or UseDevelopmentStorage=true)");
    }

    /// <summary>What may be printed about the target: the kind and the table, never a secret.</summary>
    public override string ToString() => Kind switch
    {
        TableTargetKind.ConnectionString => $"table '{TableName}' (connection string)",
        TableTargetKind.SasUrl => $"table '{TableName}' at {TableUri!.GetLeftPart(UriPartial.Authority)} (SAS)",
        _ => $"table '{TableName}' at {TableUri!.GetLeftPart(UriPartial.Authority)} (Entra ID)",
    };

    /// <summary>The target as given: a connection string or a URL, secret and all. Only <see cref="TableClients"/> reads it.</summary>
    internal string Text { get; }

    /// <summary>The account's URL (an Entra ID target's table URL without the table).</summary>
    internal Uri AccountUri
    {
        get
        {
            var table = TableUri!;
            var path = table.AbsolutePath.TrimEnd('/');
            return new Uri(table.GetLeftPart(UriPartial.Authority) + path[..path.LastIndexOf('/')]);
        }
    }

    private static TableTarget FromUrl(string value, Uri uri, string? tableNameOption)
    {
        if (!string.IsNullOrWhiteSpace(tableNameOption))
        {
            throw new InvalidInputException("--table-name goes with a connection string; a URL names its table in its path");
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            throw new InvalidInputException($"the table URL {uri.GetLeftPart(UriPartial.Authority)} names no table: add /TABLE to its path");
        }

        var name = segments[^1];
        ValidateTableName(name);
        var tableUri = new Uri(uri.GetLeftPart(UriPartial.Path));
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        if (string.IsNullOrEmpty(query["sig"]))
        {
            return new TableTarget(TableTargetKind.EntraUrl, value, name, tableUri, null, null);
        }

        DateTimeOffset? expires = null;
        if (query["se"] is { } expiry)
        {
            expires = DateTimeOffset.TryParse(expiry, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var se)
                ? se
                : throw new InvalidInputException($"the SAS for table '{name}' has an expiry (se) that is not a date: make a new one with az storage table generate-sas");
        }

        return new TableTarget(TableTargetKind.SasUrl, value, name, tableUri, query["sp"] ?? "", expires);
    }

    // Table names: 3-63 letters and digits, not starting with a digit (the service's rule).
    private static void ValidateTableName(string name)
    {
        if (name.Length is < 3 or > 63 || !char.IsAsciiLetter(name[0]) || !name.All(char.IsAsciiLetterOrDigit))
        {
            throw new InvalidInputException($"'{Core.Captures.DisplayText.Escape(name)}' is not a valid table name (3 to 63 letters and digits, starting with a letter)");
        }
    }

    private static bool LooksLikeConnectionString(string value)
    {
        string[] keys = ["UseDevelopmentStorage", "AccountName", "AccountKey", "TableEndpoint", "DefaultEndpointsProtocol", "SharedAccessSignature", "EndpointSuffix"];
        return value.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2)[0].Trim())
            .Any(key => keys.Contains(key, StringComparer.OrdinalIgnoreCase));
    }

    private static void RegisterSecrets(string value, SecretRedactor secrets)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            secrets.Add(System.Web.HttpUtility.ParseQueryString(uri.Query)["sig"]);
            return;
        }

        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length == 2 && pair[0].Trim() is var key
                && (key.Equals("AccountKey", StringComparison.OrdinalIgnoreCase) || key.Equals("SharedAccessSignature", StringComparison.OrdinalIgnoreCase)))
            {
                secrets.Add(pair[1].Trim());
                if (key.Equals("SharedAccessSignature", StringComparison.OrdinalIgnoreCase))
                {
                    secrets.Add(System.Web.HttpUtility.ParseQueryString(pair[1])["sig"]);
                }
            }
        }
    }

    /// <summary>
    /// The first non-empty line of the file <c>--table @FILE</c> names, read by us: System.CommandLine's
    /// response files are off, so no other line of it ever becomes an argument.
    /// </summary>
    private static string ReadFile(string path)
    {
        var name = $"--table @{path}";
        using var stream = Core.Inputs.RegularFile.Open(path, name: name);
        if (stream.Length > MaxTargetFileBytes)
        {
            throw new InvalidInputException($"{name} is {stream.Length:N0} bytes; a file holding a table target is one line");
        }

        try
        {
            using var reader = new StreamReader(stream);
            for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                if (line.Trim() is { Length: > 0 } target)
                {
                    return target;
                }
            }
        }
        catch (IOException e)
        {
            throw new InvalidInputException($"{name}: cannot be read ({e.Message})", e);
        }

        throw new InvalidInputException($"{name} is empty: put the SAS URL or connection string on its first line");
    }

    private const int MaxTargetFileBytes = 64 * 1024;
}

public enum TableTargetKind
{
    SasUrl,
    ConnectionString,
    EntraUrl,
}
