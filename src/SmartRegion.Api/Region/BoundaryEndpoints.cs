using Npgsql;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Region;

namespace SmartRegion.Api.Region;

/// <summary><c>GET /api/v1/boundaries?bbox=&amp;level=</c>: the region's own boundaries for 2D map previews (no external tiles).</summary>
internal static class BoundaryEndpoints
{
    public static WebApplication MapBoundaryEndpoints(this WebApplication app)
    {
        app.MapGet("/api/v1/boundaries", async (string? bbox, string? level, NpgsqlDataSource dataSource, HttpContext ctx) =>
        {
            var box = BoundaryQueries.ParseBbox(bbox, out var error);
            if (box is null)
            {
                return ParameterProblem.Invalid("bbox", error!);
            }
            var wanted = level ?? "commune";
            if (!BoundaryQueries.Levels.Contains(wanted))
            {
                return ParameterProblem.Invalid("level", $"level must be one of {string.Join(", ", BoundaryQueries.Levels)}");
            }
            var json = await BoundaryQueries.GeoJsonAsync(dataSource, wanted, box, ctx.RequestAborted);
            ctx.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Text(json, "application/geo+json");
        })
        .WithTags("Region")
        .WithSummary("Administrative boundaries meeting a WGS84 box, simplified for a map, as GeoJSON")
        .WithDescription($"Example: /api/v1/boundaries?bbox=2.33,48.90,2.38,48.95&level=commune. At most {BoundaryQueries.MaxFeatures} features.");
        return app;
    }
}
