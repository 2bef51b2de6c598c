using System.Text.RegularExpressions;
using Npgsql;

namespace SmartRegion.Api.Operations.Logging;

/// <summary>
/// Removes secrets from log text: API keys (<c>srk_</c>, kept to their listed prefix), credentials after an
/// authorisation scheme, <c>password=</c>-style pairs of connection strings and queries, cookie values, passwords in
/// URLs, and the exact secrets this process was configured with (the database password, the operator key).
/// </summary>
internal sealed partial class SecretRedactor
{
    public const string Mask = "***";

    private readonly string[] _known;

    public SecretRedactor(IEnumerable<string?> knownSecrets) =>
        // Short values would mask ordinary words; secrets this short are refused elsewhere anyway.
        _known = knownSecrets.Where(s => s is { Length: >= 8 }).Select(s => s!).Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length).ToArray();

    /// <summary>The secrets of this process's configuration: the database password(s) and the operator key.</summary>
    public static SecretRedactor FromConfiguration(IConfiguration configuration)
    {
        var secrets = new List<string?> { configuration["Operations:Key"], Environment.GetEnvironmentVariable(OperatorAccess.KeyVariable) };
        foreach (var cs in new[]
                 {
                     configuration.GetConnectionString("SmartRegion"), configuration["SMARTREGION_DB"], configuration["SMARTREGION_DB_READ"],
                     Environment.GetEnvironmentVariable("SMARTREGION_DB"), Environment.GetEnvironmentVariable("SMARTREGION_DB_READ"),
                 })
        {
            if (string.IsNullOrEmpty(cs))
            {
                continue;
            }
            try
            {
                secrets.Add(new NpgsqlConnectionStringBuilder(cs).Password);
            }
            catch (ArgumentException)
            {
                // Not a connection string: the pattern rules still apply.
            }
        }
        return new SecretRedactor(secrets);
    }

    /// <summary>The text with every secret masked; the same instance when nothing was found.</summary>
    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        foreach (var secret in _known)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }
        text = ApiKey().Replace(text, "srk_$1" + Mask);
        text = SchemeCredentials().Replace(text, "$1 " + Mask);
        text = HeaderValue().Replace(text, "$1: " + Mask);
        text = NamedSecret().Replace(text, "$1$2" + Mask);
        text = UrlPassword().Replace(text, "$1" + Mask + "@");
        return text;
    }

    // The marker and 8 characters are the key's public prefix (shown in listings); the rest is the secret.
    [GeneratedRegex("srk_([A-Za-z0-9_-]{0,8})[A-Za-z0-9_-]*")]
    private static partial Regex ApiKey();

    [GeneratedRegex(@"\b(Bearer|Apikey|Basic|Digest|Token)\s+(?!\*\*\*)[A-Za-z0-9._~+/=-]+", RegexOptions.IgnoreCase)]
    private static partial Regex SchemeCredentials();

    [GeneratedRegex(@"\b(Authorization|Proxy-Authorization|Cookie|Set-Cookie|X-CSRF-Token|X-Api-Key)\s*:\s*[^\r\n""]+", RegexOptions.IgnoreCase)]
    private static partial Regex HeaderValue();

    // key=value and "key":"value" pairs: connection strings, query strings, form bodies, JSON.
    [GeneratedRegex(@"\b(password|passwd|pwd|secret|client_secret|token|access_token|refresh_token|api_?key|key|sr_session|sr_csrf|\.AspNetCore\.[A-Za-z.]+)(""?\s*[=:]\s*""?)(?!\*\*\*)[^;&\s,""'}]+", RegexOptions.IgnoreCase)]
    private static partial Regex NamedSecret();

    [GeneratedRegex(@"(\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPassword();
}
