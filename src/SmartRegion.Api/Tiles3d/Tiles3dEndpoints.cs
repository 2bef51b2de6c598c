using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Tiles3d;

namespace SmartRegion.Api.Tiles3d;

/// <summary>
/// The buildings' 3D Tiles 1.1: <c>tileset.json</c> of the newest built tileset (revalidated by ETag) and its GLB contents
/// under a versioned path (immutable: a new build gets new paths, so a viewer never mixes two builds).
/// </summary>
internal static partial class Tiles3dEndpoints
{
    public const string BasePath = "/api/v1/3dtiles/buildings";

    public static IServiceCollection AddTiles3d(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<Tiles3dStore>();
        services.AddKeyedSingleton(ReadDatabase.Key, (sp, _) => new Tiles3dStore(sp.ReadDataSource()));
        services.AddSingleton<TilesetBuilder>();
        services.AddSingleton<RoofSampleQueries>();
        services.AddKeyedSingleton(ReadDatabase.Key, (sp, _) => new FootprintTileQueries(sp.ReadDataSource()));
        services.AddSingleton(Tiles3dSettings.From(configuration));
        services.AddHostedService<Tiles3dRefresher>();
        return services;
    }

    public static WebApplication MapTiles3dEndpoints(this WebApplication app)
    {
        var group = app.MapGroup(BasePath).WithTags("3D Tiles");

        group.MapGet("/tileset.json", async (HttpContext http, [FromKeyedServices(ReadDatabase.Key)] Tiles3dStore store, Solar.SolarAccess access,
            CancellationToken ct) =>
        {
            if (!await access.AllowsAsync(http, Solar.SolarAccess.Buildings, "3dtiles.tileset"))
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                    detail: "The 3D tiles show the platform's solar results, and its solar datasets are not open to this caller.",
                    extensions: new Dictionary<string, object?> { ["code"] = "not_found" });
            }
            var current = await store.GetCurrentTilesetAsync(ct);
            if (current is null)
            {
                http.Response.Headers.RetryAfter = "30";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "3D tiles not built yet",
                    detail: "No 3D tileset has been built yet: it is built when a solar run completes (or by ./smartregion tiles build).",
                    extensions: new Dictionary<string, object?> { ["code"] = "tiles_not_built" });
            }
            // Ten seconds fresh: the map page reads it, then Cesium reads it again once its viewer is up — from the browser's
            // cache, not behind the page's first tile requests on the host (bench/map, docs/map.md#first-roofs). A rebuilt
            // tileset shows within ten seconds; the one it replaces stays served until the next build.
            http.Response.Headers.CacheControl = "max-age=10";
            http.Response.Headers.ETag = current.ETag;
            http.Response.Headers.LastModified = current.FinishedAt.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);
            if (Matches(http, current.ETag))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }
            return Results.Text(current.Json, "application/json");
        })
        .WithName("Tiles3dBuildingsTileset")
        .WithSummary("3D Tiles 1.1 tileset of the region's buildings")
        .WithDescription("Explicit quadtree, refine ADD (largest buildings first), GLB contents with walls and roof faces coloured by annual irradiation; per-face features (EXT_mesh_features) with building id, face number, kWh/m²/yr, suitability, tilt, azimuth, area (EXT_structural_metadata). ETag / If-None-Match.")
        .Produces(StatusCodes.Status200OK, contentType: "application/json")
        .Produces(StatusCodes.Status304NotModified)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/v{version}/{file}", async (HttpContext http, string version, string file, [FromKeyedServices(ReadDatabase.Key)] Tiles3dStore store,
            Solar.SolarAccess access, CancellationToken ct) =>
        {
            if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var tilesetId) || !TileFile().IsMatch(file)
                || !await access.AllowsAsync(http, Solar.SolarAccess.Buildings, "3dtiles.tile"))
            {
                return NotFound(http.Request.Path);
            }
            var tile = await store.GetTileAsync(tilesetId, file[..^4], ct);
            if (tile is not { } t)
            {
                return NotFound(http.Request.Path);
            }
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            http.Response.Headers.ETag = t.ETag;
            if (Matches(http, t.ETag))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }
            return Results.Bytes(t.Content, "model/gltf-binary");
        })
        .WithName("Tiles3dBuildingsContent")
        .WithSummary("One GLB tile content of a built tileset (immutable)")
        .Produces(StatusCodes.Status200OK, contentType: "model/gltf-binary")
        .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapRoofSamples();
        app.MapFootprintTiles();
        return app;
    }

    internal static bool Matches(HttpContext http, string etag) =>
        http.Request.Headers.IfNoneMatch.Any(v => v is not null && (v == "*" || v.Split(',').Any(e => e.Trim() == etag)));

    private static IResult NotFound(PathString path) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
        detail: $"No tile at {path}: tiles of a tileset that was replaced are deleted after the next build; reload tileset.json.",
        extensions: new Dictionary<string, object?> { ["code"] = "not_found" });

    [GeneratedRegex("^r[0-3]{0,30}\\.glb$")]
    private static partial Regex TileFile();
}

/// <summary>Configuration section <c>Tiles3d</c>.</summary>
internal sealed record Tiles3dSettings(bool AutoBuild, TimeSpan RefreshInterval, TilesetBuildOptions Build)
{
    public static Tiles3dSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Tiles3d");
        var defaults = new TilesetBuildOptions();
        return new Tiles3dSettings(
            section.GetValue("AutoBuild", true),
            TimeSpan.FromSeconds(Math.Clamp(section.GetValue("RefreshSeconds", 30.0), 1, 86400)),
            defaults with
            {
                GeoidUndulationM = section.GetValue("GeoidUndulationM", defaults.GeoidUndulationM),
                MaxBuildingsPerTile = Math.Clamp(section.GetValue("MaxBuildingsPerTile", defaults.MaxBuildingsPerTile), 1, 8000),
                // The host builds in the background beside requests: one tile at a time.
                Parallelism = 1,
            });
    }
}
