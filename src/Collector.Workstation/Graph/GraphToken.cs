using System.Buffers.Text;
using System.Text.Json;
using Azure.Core;
using Collector.Core.Errors;

namespace Collector.Workstation.Graph;

/// <summary>
/// A Graph access token given in COLLECTOR_GRAPH_TOKEN (for example from
/// <c>az account get-access-token --resource https://graph.microsoft.com --tenant T</c>), used as
/// it is. It is registered with the run's redactor the moment it is read. Its claims are read,
/// not validated (Graph validates it): the tenant it was issued for (<c>tid</c>), so devices are
/// never registered into another tenant than their own; its scopes and roles, to say what a
/// refusal lacked; and its expiry.
/// </summary>
public sealed class GraphToken : TokenCredential
{
    public const string EnvironmentVariable = "COLLECTOR_GRAPH_TOKEN";

    private readonly string value;

    private GraphToken(string value, Guid? tenantId, IReadOnlyList<string> permissions, DateTimeOffset? expiresOn)
    {
        this.value = value;
        TenantId = tenantId;
        Permissions = permissions;
        ExpiresOn = expiresOn;
    }

    /// <summary>The tenant the token was issued for; null when it is not a JWT we can read.</summary>
    public Guid? TenantId { get; }

    /// <summary>Its delegated scopes (<c>scp</c>) and application roles (<c>roles</c>).</summary>
    public IReadOnlyList<string> Permissions { get; }

    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>The token from the environment, registered as a secret; null when the variable is unset.</summary>
    public static GraphToken? FromEnvironment(WorkstationContext context)
    {
        var raw = context.Environment(EnvironmentVariable)?.Trim();
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        context.Secrets.Add(raw);
        if (raw.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            raw = raw["Bearer ".Length..].Trim();
            context.Secrets.Add(raw);
        }

        return Read(raw);
    }

    /// <summary>
    /// Refuses, before anything is sent, a token that has expired, or that is for another tenant
    /// than <paramref name="tenants"/> (one token serves one tenant: the one it names, or the only
    /// one when it names none).
    /// </summary>
    public void CheckFor(IReadOnlyCollection<Guid> tenants, DateTimeOffset now)
    {
        if (ExpiresOn is { } expires && expires <= now)
        {
            throw new CloudException(
                $"{EnvironmentVariable} expired at {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: get a new one with {GraphSignIn.AzCommand(TenantId ?? tenants.FirstOrDefault())}");
        }

        var others = tenants.Where(t => TenantId is { } tid ? t != tid : tenants.Count > 1).ToList();
        if (others.Count == 0)
        {
            return;
        }

        throw new CloudException(TenantId is { } issuedFor
            ? $"{EnvironmentVariable} is a token of tenant {issuedFor:D}, but devices to register belong to tenant {others[0]:D}: " +
              $"a device is registered only in its own tenant. Pass --tenant {issuedFor:D}, or give a token of {others[0]:D} ({GraphSignIn.AzCommand(others[0])}), or unset {EnvironmentVariable} to sign in per tenant"
            : $"{EnvironmentVariable} holds one token, but devices of {tenants.Count} tenants wait: pass --tenant GUID for the tenant it was issued for, or unset it to sign in per tenant");
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(value, ExpiresOn ?? DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    private static GraphToken Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return new GraphToken(token, null, [], null);
        }

        try
        {
            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = claims.RootElement;
            Guid? tenant = root.TryGetProperty("tid", out var tid) && Guid.TryParse(tid.GetString(), out var t) ? t : null;
            var permissions = new List<string>();
            if (root.TryGetProperty("scp", out var scp) && scp.ValueKind == JsonValueKind.String)
            {
                permissions.AddRange(scp.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }

            if (root.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array)
            {
                permissions.AddRange(roles.EnumerateArray().Select(r => r.GetString()).OfType<string>());
            }

            DateTimeOffset? expires = root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
            return new GraphToken(token, tenant, permissions, expires);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or ArgumentException)
        {
            return new GraphToken(token, null, [], null); // not a JWT we can read: Graph decides
        }
    }
}
