namespace SmartRegion.Api.Barometer;

/// <summary>Whether this host serves the explore API v2.1, so that reproducing queries use it (else the records API).</summary>
internal sealed class ExploreApiProbe(EndpointDataSource endpoints)
{
    public const string Prefix = "/api/explore/v2.1";

    private bool? _available;

    public bool Available => _available ??= endpoints.Endpoints.OfType<RouteEndpoint>()
        .Any(e => e.RoutePattern.RawText?.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true);
}
