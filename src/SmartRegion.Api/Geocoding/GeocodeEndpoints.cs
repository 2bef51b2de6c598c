using System.Globalization;
using Npgsql;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Geocoding;

namespace SmartRegion.Api.Geocoding;

/// <summary>
/// <c>GET /api/v1/geocode?q=</c>: an address as a resident types it → the best matching addresses of <c>region.address</c> with
/// their WGS84 point, the first step before <c>/api/v1/solar/buildings/closest</c>. The same search as <c>./smartregion geocode</c>.
/// </summary>
internal static class GeocodeEndpoints
{
    public const int DefaultLimit = 5;
    public const int MaxLimit = 20;
    public const int MaxQueryLength = 200;

    /// <summary>The answer: the query, what was understood of it, and the matches, best first.</summary>
    public sealed record GeocodeResponse(string Query, AddressSearch.ParsedQuery Parsed, IReadOnlyList<AddressMatch> Matches);

    public static WebApplication MapGeocodeEndpoints(this WebApplication app)
    {
        app.MapGet("/api/v1/geocode", async (string? q, string? limit, ReadDatabase read, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(q))
            {
                return ParameterProblem.Invalid("q", "q is required: the address to find, e.g. q=12 rue de la République, Saint-Denis.");
            }
            if (q.Length > MaxQueryLength)
            {
                return ParameterProblem.Invalid("q", $"q is {q.Length} characters long; an address has at most {MaxQueryLength}.");
            }
            var n = DefaultLimit;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n is < 1 or > MaxLimit))
            {
                return ParameterProblem.Invalid("limit", $"limit '{limit}' is not an integer in [1, {MaxLimit}].");
            }
            var matches = await AddressSearch.GeocodeAsync(read.DataSource, q, n, ct);
            return Results.Ok(new GeocodeResponse(q, AddressSearch.Parse(q), matches));
        })
        .WithTags("Geocoding")
        .WithName("Geocode")
        .WithSummary("Addresses matching a typed address")
        .WithDescription("Accent- and case-insensitive, typo-tolerant and house-number aware search of the region's addresses. "
            + "Each match has its label, parts, Lambert-93 and WGS84 point and a score (0–2.5); an address nobody loaded is an empty list.")
        .Produces<GeocodeResponse>(StatusCodes.Status200OK, "application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }
}
