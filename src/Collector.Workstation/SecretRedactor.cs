using System.Text.RegularExpressions;

namespace Collector.Workstation;

/// <summary>
/// Keeps SAS signatures, account keys and tokens out of every line we print: the secrets a
/// command parsed are registered here, and every error, log and summary line passes through
/// <see cref="Redact"/>. Known secret shapes are redacted even when nobody registered them.
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "REDACTED";
    private readonly List<string> secrets = [];
    private readonly Lock gate = new();

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }

        lock (gate)
        {
            foreach (var form in new[] { secret, Uri.EscapeDataString(secret), Uri.UnescapeDataString(secret) })
            {
                if (!secrets.Contains(form))
                {
                    secrets.Add(form);
                }
            }

            secrets.Sort((a, b) => b.Length.CompareTo(a.Length)); // longest first
        }
    }

    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        lock (gate)
        {
            foreach (var secret in secrets)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        text = Signature().Replace(text, m => $"{m.Groups[1].Value}={Mask}");
        text = AccountKey().Replace(text, m => $"{m.Groups[1].Value}={Mask}");
        return Bearer().Replace(text, $"Bearer {Mask}");
    }

    [GeneratedRegex(@"(?i)\b(sig)=[^&\s;""'<>]+")]
    private static partial Regex Signature();

    [GeneratedRegex(@"(?i)\b(AccountKey|SharedAccessSignature)=[^;\s""'<>]+")]
    private static partial Regex AccountKey();

    [GeneratedRegex(@"(?i)\bBearer\s+[A-Za-z0-9\-._~+/]+=*")]
    private static partial Regex Bearer();
}
