using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace SmartRegion.Api.Operations;

/// <summary>
/// Who may read the operator's views (health details, <c>/metrics</c>): a caller presenting the operator key
/// (<c>Authorization: Bearer …</c>, as Prometheus' <c>authorization</c> setting sends it) or one connecting from a configured
/// network. Nobody by default: an anonymous caller learns only "up" or "down".
/// </summary>
internal sealed class OperatorAccess
{
    /// <summary>The environment variable that may hold the operator key (the <c>Operations:Key</c> setting wins).</summary>
    public const string KeyVariable = "SMARTREGION_OPERATOR_KEY";

    /// <summary>Shorter keys are refused at start-up: the key guards the platform's internals.</summary>
    public const int MinimumKeyLength = 24;

    private readonly byte[]? _keyHash;
    private readonly IReadOnlyList<IPNetwork> _networks;

    public OperatorAccess(IConfiguration configuration)
    {
        var key = configuration["Operations:Key"] is { Length: > 0 } k ? k : Environment.GetEnvironmentVariable(KeyVariable);
        if (!string.IsNullOrEmpty(key))
        {
            if (key.Length < MinimumKeyLength)
            {
                throw new InvalidOperationException(
                    $"The operator key (Operations:Key or {KeyVariable}) is {key.Length} characters long; use at least {MinimumKeyLength} random characters.");
            }
            _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        }
        _networks = ParseNetworks(configuration["Operations:AllowedNetworks"]);
    }

    /// <summary>True when an operator key is configured.</summary>
    public bool HasKey => _keyHash is not null;

    /// <summary>The configured operator networks.</summary>
    public IReadOnlyList<IPNetwork> Networks => _networks;

    /// <summary>True when the request comes from an operator network or carries the operator key.</summary>
    public bool IsOperator(HttpContext context)
    {
        if (_networks.Count > 0 && context.Connection.RemoteIpAddress is { } remote)
        {
            var address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
            foreach (var network in _networks)
            {
                if (network.Contains(address))
                {
                    return true;
                }
            }
        }
        if (_keyHash is null)
        {
            return false;
        }
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        // Hashes of equal length compared in constant time: the comparison tells nothing of the key's prefix.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _keyHash);
    }

    /// <summary>Parses a comma-separated list of CIDR networks (<c>10.0.0.0/8, ::1/128</c>); a bare address is its own network.</summary>
    public static IReadOnlyList<IPNetwork> ParseNetworks(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        var list = new List<IPNetwork>();
        foreach (var part in text.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (IPNetwork.TryParse(part, out var network))
            {
                list.Add(network);
            }
            else if (IPAddress.TryParse(part, out var address))
            {
                list.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new InvalidOperationException($"Operations:AllowedNetworks: '{part}' is neither a CIDR network (10.0.0.0/8) nor an IP address.");
            }
        }
        return list;
    }
}
