using System.Security.Cryptography;
using System.Text;

namespace SmartRegion.Data.Catalog;

/// <summary>API key material: random, shown once, stored as a SHA-256 hash with a visible prefix.</summary>
public static class ApiKeys
{
    /// <summary>Every key starts with this, so leaked keys are easy to find by secret scanners.</summary>
    public const string Marker = "srk_";

    /// <summary>Characters of the key kept in clear for listings (the marker plus 8 random characters).</summary>
    public const int PrefixLength = 12;

    /// <summary>A new key: marker + 43 base64url characters (256 random bits).</summary>
    public static string Generate() =>
        Marker + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string PrefixOf(string key) => key.Length >= PrefixLength ? key[..PrefixLength] : key;

    /// <summary>SHA-256 of the key's UTF-8 bytes: keys have 256 bits of entropy, so a fast hash is enough (no salt/stretching needed).</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>A key-shaped string: marker + base64url characters, bounded length (cheap rejection before any query).</summary>
    public static bool LooksLikeKey(string key) =>
        key.Length is > PrefixLength and < 200 && key.StartsWith(Marker, StringComparison.Ordinal)
        && key.AsSpan(Marker.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;
}
