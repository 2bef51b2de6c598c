using System.Globalization;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Tiles3d;

namespace SmartRegion.Api.Tiles3d;

/// <summary>
/// GET /api/v1/map/footprints/{z}/{x}/{y}.png: the current buildings' footprints as a transparent PNG raster tile (Web
/// Mercator, XYZ), the map's orientation layer draped on the ground: the 3D buildings at a distance show only a region's
/// largest, the footprints show them all. Empty below zoom 13. Same access as the 3D tiles.
/// </summary>
internal static class FootprintTileEndpoints
{
    public const int MaxZoom = 22;

    public static void MapFootprintTiles(this WebApplication app)
    {
        app.MapGet("/api/v1/map/footprints/{z}/{x}/{y}.png", async (HttpContext http, string z, string x, string y,
            [FromKeyedServices(ReadDatabase.Key)] FootprintTileQueries queries, Solar.SolarAccess access, CancellationToken ct) =>
        {
            if (!int.TryParse(z, NumberStyles.None, CultureInfo.InvariantCulture, out var zoom) || zoom > MaxZoom)
            {
                return ParameterProblem.Invalid("z", $"z must be an integer from 0 to {MaxZoom}.");
            }
            var size = 1L << zoom;
            if (!long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var column) || column >= size)
            {
                return ParameterProblem.Invalid("x", $"x must be an integer from 0 to {size - 1} at zoom {zoom}.");
            }
            if (!long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var row) || row >= size)
            {
                return ParameterProblem.Invalid("y", $"y must be an integer from 0 to {size - 1} at zoom {zoom}.");
            }
            if (!await access.AllowsAsync(http, Solar.SolarAccess.Buildings, "map.footprints"))
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                    detail: "The footprints layer shows the platform's buildings, and its solar datasets are not open to this caller.",
                    extensions: new Dictionary<string, object?> { ["code"] = "not_found" });
            }
            var (png, footprints) = await queries.TileAsync(zoom, column, row, ct);
            // Buildings change with an ingest, seldom: a few minutes of caching, then revalidation by content.
            var etag = TilesetBuilder.ETagOf(png);
            http.Response.Headers.CacheControl = "public, max-age=300";
            http.Response.Headers.ETag = etag;
            http.Response.Headers["X-Footprints"] = footprints.ToString(CultureInfo.InvariantCulture);
            if (Tiles3dEndpoints.Matches(http, etag))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }
            return Results.Bytes(png, "image/png");
        })
        .WithName("MapFootprintTile")
        .WithTags("3D Tiles")
        .WithSummary("The buildings' footprints as a transparent PNG tile (Web Mercator XYZ)")
        .WithDescription("For a map's ground layer. Every current building's footprint, filled grey and anti-aliased, on a transparent 256×256 tile; empty below zoom 13. X-Footprints gives how many are drawn. ETag / If-None-Match.")
        .Produces(StatusCodes.Status200OK, contentType: "image/png")
        .Produces(StatusCodes.Status304NotModified)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
