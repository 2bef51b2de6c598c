using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Api.Explore;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Data.Explore;
using SmartRegion.Data.Explore.Odsql;

namespace SmartRegion.Api.Tiles;

/// <summary>
/// Mapbox vector tiles of every dataset with a geometry (partner datasets, and the platform's buildings and roof faces
/// with their solar results), made by PostGIS's ST_AsMVT over the caller's view (the catalogue's fields and rows),
/// with a TileJSON document per dataset, a feature cap, ETag and Cache-Control.
/// </summary>
internal static class VectorTileEndpoints
{
    public const int MaxZoom = 22;
    private const int Extent = 4096;
    private const int Buffer = 64;

    public static WebApplication MapVectorTileEndpoints(this WebApplication app)
    {
        var tiles = app.MapGroup("/tiles").WithTags("Vector tiles");
        tiles.MapGet("/{dataset}/{z}/{x}/{y}.mvt", TileAsync)
            .WithName("VectorTile")
            .WithSummary("A vector tile of a dataset (Mapbox Vector Tile)")
            .WithDescription("z 0–22, XYZ scheme, Web Mercator; one layer named after the dataset, its visible fields as attributes.")
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.mapbox-vector-tile")
            .Produces(StatusCodes.Status204NoContent)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tiles.MapGet("/{dataset}/tilejson.json", TileJsonAsync)
            .WithName("TileJson")
            .WithSummary("The TileJSON 3.0 document of a dataset's tiles")
            .WithDescription("URL template, zooms, bounds and layer fields.")
            .Produces<JsonObject>(StatusCodes.Status200OK);
        return app;
    }

    private static async Task<IResult> TileAsync(string dataset, string z, string x, string y, HttpContext ctx, IConfiguration configuration)
    {
        if (!int.TryParse(z, NumberStyles.None, CultureInfo.InvariantCulture, out var zoom) || zoom > MaxZoom)
        {
            return Invalid("z", $"z must be an integer from 0 to {MaxZoom}.");
        }
        var size = 1L << zoom;
        if (!long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var column) || column >= size)
        {
            return Invalid("x", $"x must be an integer from 0 to {size - 1} at zoom {zoom}.");
        }
        if (!long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var row) || row >= size)
        {
            return Invalid("y", $"y must be an integer from 0 to {size - 1} at zoom {zoom}.");
        }
        if (ctx.Request.Query.Count > 0)
        {
            return Invalid(ctx.Request.Query.Keys.First(), "a tile takes no query parameters.");
        }
        var (view, failure) = await DatasetView.OpenAsync(ctx, dataset);
        if (failure != DatasetView.Failure.None || view!.Geometry is null)
        {
            return NotFound(dataset);
        }
        var maxFeatures = configuration.GetValue("Tiles:MaxFeatures", 20_000);

        using var cmd = new NpgsqlCommand();
        // Geometry and attributes read through the caller's grants: a grant's fields only on its own rows.
        var scope = view.Bind(cmd);
        var geometry = scope.Geometry!;
        var compiler = new OdsqlCompiler(scope.Schema, cmd.Parameters);
        var (west, south, east, north) = TileBoundsLonLat(zoom, column, row);
        var inTile = compiler.BoxCondition(geometry, west, south, east, north, 4326);
        var attributes = scope.Schema.Fields.Where(f => f.Kind != ValueKind.Geometry)
            .Select(f => $"{AttributeSql(f)} AS {RecordsLoader.Quote(f.Name)}");
        cmd.Parameters.AddWithValue("z", zoom);
        cmd.Parameters.AddWithValue("x", (int)column);
        cmd.Parameters.AddWithValue("y", (int)row);
        cmd.Parameters.AddWithValue("layer", view.Dataset.Slug);
        cmd.Parameters.AddWithValue("cap", maxFeatures);
        cmd.CommandText = $"""
            WITH features AS (
                SELECT _row AS mvt_id,
                       ST_AsMVTGeom(ST_Transform(ST_Force2D({geometry.Sql}), 3857), ST_TileEnvelope(@z, @x, @y), {Extent}, {Buffer}, true) AS mvt_geom
                       {string.Concat(attributes.Select(a => ", " + a))}
                FROM records.{RecordsLoader.Quote(view.Version.RecordsTable!)}
                WHERE {scope.Rows} AND {inTile}
                ORDER BY _row
                LIMIT @cap)
            SELECT ST_AsMVT(features, @layer, {Extent}, 'mvt_geom', 'mvt_id'), count(*) FROM features WHERE mvt_geom IS NOT NULL
            """;
        var explore = ctx.RequestServices.GetRequiredService<ExploreRecords>();
        byte[] tile;
        long count;
        try
        {
            (tile, count) = await explore.RunAsync(cmd, explore.QueryTimeout, async reader =>
            {
                await reader.ReadAsync(ctx.RequestAborted);
                return (reader.IsDBNull(0) ? [] : reader.GetFieldValue<byte[]>(0), reader.GetInt64(1));
            }, ctx.RequestAborted);
        }
        catch (ExploreQueryException e)
        {
            return Invalid("tile", e.Message);
        }
        var headers = ctx.Response.Headers;
        // An anonymous tile is public data. A tile asked with credentials depends on who asks (grants cut fields and
        // rows): the pipeline turns its Cache-Control into no-store (HttpPipeline.UseSecurityHeaders).
        headers.CacheControl = "public, max-age=300";
        headers.Vary = "Authorization, Cookie";
        headers["X-Tile-Features"] = count.ToString(CultureInfo.InvariantCulture);
        if (count >= maxFeatures)
        {
            headers["X-Tile-Capped"] = "true";
        }
        var etag = $"\"{Convert.ToHexString(SHA256.HashData(tile), 0, 12).ToLowerInvariant()}\"";
        headers.ETag = etag;
        if (ctx.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return tile.Length == 0 ? Results.NoContent() : Results.Bytes(tile, "application/vnd.mapbox-vector-tile");
    }

    /// <summary>The XYZ tile's bounds in longitude/latitude (Web Mercator rows, north up).</summary>
    public static (double West, double South, double East, double North) TileBoundsLonLat(int z, long x, long y)
    {
        var n = Math.Pow(2, z);
        static double Lat(double t) => Math.Atan(Math.Sinh(Math.PI * (1 - 2 * t))) * 180 / Math.PI;
        return (x / n * 360 - 180, Lat((y + 1) / n), (x + 1) / n * 360 - 180, Lat(y / n));
    }

    /// <summary>MVT attributes are strings, numbers and booleans: dates go as ISO text.</summary>
    private static string AttributeSql(QueryField f) => f.Kind switch
    {
        ValueKind.Date => $"to_char({f.Sql}, 'YYYY-MM-DD')",
        ValueKind.DateTime => $"to_char({f.Sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
        _ => f.Sql,
    };

    private static async Task<IResult> TileJsonAsync(string dataset, HttpContext ctx)
    {
        var (view, failure) = await DatasetView.OpenAsync(ctx, dataset);
        if (failure != DatasetView.Failure.None || view!.Geometry is null)
        {
            return NotFound(dataset);
        }
        var bounds = view.Version.BboxWgs84 is { Length: 4 } b && ExploreCatalog.SeesExtent(view.Access, RecordsQuery.Fields(view.Version))
            ? b : [-180, -85.0511, 180, 85.0511];
        var fields = new JsonObject();
        foreach (var f in view.Outline.Fields.Where(f => f.Kind != ValueKind.Geometry))
        {
            fields[f.Name] = f.Kind switch
            {
                ValueKind.Integer or ValueKind.Number => "Number",
                ValueKind.Boolean => "Boolean",
                _ => "String",
            };
        }
        var m = view.Dataset.Metadata;
        var document = new JsonObject
        {
            ["tilejson"] = "3.0.0",
            ["name"] = m.Title,
            ["description"] = m.DescriptionMd.Length > 500 ? m.DescriptionMd[..500] + "…" : m.DescriptionMd,
            ["version"] = view.Version.Number.ToString(CultureInfo.InvariantCulture) + ".0.0",
            ["attribution"] = $"{view.Dataset.OwnerOrgName} — {m.LicenceId}",
            ["scheme"] = "xyz",
            ["tiles"] = new JsonArray(ctx.RequestServices.GetRequiredService<Infrastructure.PublicUrls>().For($"/tiles/{view.Dataset.Slug}/{{z}}/{{x}}/{{y}}.mvt")),
            ["minzoom"] = 0,
            ["maxzoom"] = MaxZoom,
            ["bounds"] = new JsonArray([.. bounds.Select(v => (JsonNode?)Math.Round(v, 6))]),
            ["center"] = new JsonArray(Math.Round((bounds[0] + bounds[2]) / 2, 6), Math.Round((bounds[1] + bounds[3]) / 2, 6), 14),
            ["vector_layers"] = new JsonArray(new JsonObject
            {
                ["id"] = view.Dataset.Slug,
                ["description"] = m.Title,
                ["minzoom"] = 0,
                ["maxzoom"] = MaxZoom,
                ["fields"] = fields,
            }),
        };
        var text = document.ToJsonString();
        var etag = $"\"{Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)), 0, 12).ToLowerInvariant()}\"";
        ctx.Response.Headers.ETag = etag;
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers.Vary = "Authorization, Cookie";
        if (ctx.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.Text(text, "application/json");
    }

    private static IResult Invalid(string parameter, string detail) => Infrastructure.ParameterProblem.Invalid(parameter, detail);

    private static IResult NotFound(string dataset) => Results.Problem(statusCode: 404, title: "Not found",
        detail: $"No tile set '{(dataset.Length > 100 ? dataset[..100] + "…" : dataset)}' (a dataset with a geometry the caller may see).",
        extensions: new Dictionary<string, object?> { ["code"] = "not_found" });
}
