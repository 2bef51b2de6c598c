namespace SmartRegion.Api.Infrastructure;

/// <summary>
/// The platform's public address (configuration <c>PublicBaseUrl</c>, e.g. https://data.region.fr): every absolute
/// link in a document is built from it, never from the request's Host or X-Forwarded-Host, which a client chooses.
/// </summary>
internal sealed class PublicUrls
{
    public const string ConfigurationKey = "PublicBaseUrl";
    public const string Default = "http://localhost:8080";

    public PublicUrls(IConfiguration configuration)
    {
        var value = configuration[ConfigurationKey] is { Length: > 0 } v ? v : Default;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new InvalidOperationException($"{ConfigurationKey} '{value}' must be an absolute http(s) URL without query or fragment, such as https://data.region.fr");
        }
        Base = value.TrimEnd('/');
    }

    /// <summary>The base without a trailing slash: <c>Base + "/api/v1/…"</c>.</summary>
    public string Base { get; }

    /// <summary>An absolute URL for a path of this host (the path starts with '/').</summary>
    public string For(string pathAndQuery) => Base + pathAndQuery;
}
