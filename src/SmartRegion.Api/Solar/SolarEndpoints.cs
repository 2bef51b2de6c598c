using System.Globalization;
using System.Text.Json.Nodes;
using SmartRegion.Data.Solar;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Api.Solar;

/// <summary>The solar API: what a roof can produce, by point or by building id, and roof faces for maps.</summary>
internal static class SolarEndpoints
{
    private const int MaxPageSize = 1000;

    public static IServiceCollection AddSolarApi(this IServiceCollection services) =>
        services.AddSingleton(sp => new SolarResultQueries(Infrastructure.DatabaseRegistration.StatelessReadDataSource(sp)))
            .AddSingleton(sp => new SolarBatchQueries(Infrastructure.DatabaseRegistration.ReadDataSource(sp)))
            .AddSingleton(sp => new SolarTileStore(Infrastructure.DatabaseRegistration.ReadDataSource(sp)))
            .AddSingleton(sp => new WhatIfRuns(Infrastructure.DatabaseRegistration.ReadDataSource(sp), sp.GetRequiredService<ILogger<WhatIfRuns>>()))
            .AddSingleton<SolarAccess>();

    public static WebApplication MapSolarEndpoints(this WebApplication app)
    {
        var group = app.MapGroup("/api/v1/solar").WithTags("Solar");

        group.MapGet("/buildings/closest", async (HttpContext http, string? lat, string? lon, SolarResultQueries queries, SolarAccess access, CancellationToken ct) =>
        {
            if (ParseCoordinate(lat, "lat", -90, 90, out var latitude) is { } badLat)
            {
                return badLat;
            }
            if (ParseCoordinate(lon, "lon", -180, 180, out var longitude) is { } badLon)
            {
                return badLon;
            }
            var id = await access.AllowsAsync(http, SolarAccess.Buildings, "solar.closest")
                ? await queries.FindClosestBuildingIdAsync(latitude, longitude, ct)
                : null;
            if (id is null)
            {
                return NotFound($"No computed building contains ({latitude.ToString(CultureInfo.InvariantCulture)}, {longitude.ToString(CultureInfo.InvariantCulture)}) or lies within {SolarResultQueries.ClosestMaxDistanceM} m of it.");
            }
            var report = await queries.GetBuildingReportUtf8Async(id.Value, ct);
            return report is null ? NotFound($"Building {id} has no published solar result.") : new ReportResult(report);
        })
        .WithName("SolarClosestBuilding")
        .WithSummary("Solar potential of the building at a point")
        .WithDescription("The building whose footprint contains the WGS84 point, else the nearest within 50 m: roof faces, panels, production, finance, CO₂, uncertainty and provenance.")
        .Produces<SolarBuildingReport>(StatusCodes.Status200OK, "application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/buildings/{id}", async (HttpContext http, string id, SolarResultQueries queries, SolarAccess access, CancellationToken ct) =>
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var buildingId))
            {
                return BadRequest("id", $"'{id}' is not a building id (a positive integer).");
            }
            var report = await access.AllowsAsync(http, SolarAccess.Buildings, "solar.building")
                ? await queries.GetBuildingReportUtf8Async(buildingId, ct)
                : null;
            return report is null ? NotFound($"Building {buildingId} has no published solar result.") : new ReportResult(report);
        })
        .WithName("SolarBuilding")
        .WithSummary("Solar potential of a building by its platform id")
        .Produces<SolarBuildingReport>(StatusCodes.Status200OK, "application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/roof-faces", async (HttpContext http, string? bbox, int? limit, string? cursor, SolarResultQueries queries, SolarAccess access,
            Infrastructure.PublicUrls urls, CancellationToken ct) =>
        {
            var parts = bbox?.Split(',');
            var values = new double[4];
            if (parts is not { Length: 4 } || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i])).All(ok => ok))
            {
                return BadRequest("bbox", "bbox must be minLon,minLat,maxLon,maxLat in WGS84 degrees.");
            }
            if (values[0] >= values[2] || values[1] >= values[3] || values[0] < -180 || values[2] > 180 || values[1] < -90 || values[3] > 90)
            {
                return BadRequest("bbox", "bbox must satisfy -180 ≤ minLon < maxLon ≤ 180 and -90 ≤ minLat < maxLat ≤ 90.");
            }
            var pageSize = limit ?? 100;
            if (pageSize is < 1 or > MaxPageSize)
            {
                return BadRequest("limit", $"limit must be between 1 and {MaxPageSize}.");
            }
            (long, int)? after = null;
            if (cursor is not null)
            {
                var c = cursor.Split('-');
                if (c.Length != 2 || !long.TryParse(c[0], out var b) || !int.TryParse(c[1], out var f))
                {
                    return BadRequest("cursor", "cursor must be the value of a previous page's next link.");
                }
                after = (b, f);
            }
            // Only the part of the box where Lambert-93 (the storage CRS) is valid can hold roofs: a world box is served,
            // a box on another continent is an empty page.
            var (features, next) = KnownCrs.ClampToAreaOfUse(RegionSettings.Srid, values[0], values[1], values[2], values[3]) is { } box
                && await access.AllowsAsync(http, SolarAccess.RoofFaces, "solar.roof-faces")
                ? await queries.RoofFacesInBoxAsync(box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, pageSize, after, ct)
                : (new JsonArray(), null);
            var links = new JsonArray();
            if (next is not null)
            {
                var url = urls.For($"{http.Request.Path}?bbox={Uri.EscapeDataString(bbox!)}&limit={pageSize}&cursor={next}");
                links.Add(new JsonObject { ["rel"] = "next", ["type"] = "application/geo+json", ["href"] = url });
            }
            var collection = new JsonObject
            {
                ["type"] = "FeatureCollection",
                ["numberReturned"] = features.Count,
                ["features"] = features,
                ["links"] = links,
            };
            return Results.Text(SolarResultQueries.Serialize(collection), "application/geo+json");
        })
        .WithName("SolarRoofFaces")
        .WithSummary("Roof faces with their solar results in a WGS84 box (GeoJSON, paged)")
        .Produces<SolarRoofFaceCollection>(StatusCodes.Status200OK, "application/geo+json")
        .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapSolarWhatIf();
        app.MapSolarBatchEndpoints();
        return app;
    }

    private static IResult? ParseCoordinate(string? text, string name, double min, double max, out double value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return BadRequest(name, $"{name} is required (WGS84 degrees).");
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            return BadRequest(name, $"{name} '{text}' is not a number.");
        }
        return value < min || value > max ? BadRequest(name, $"{name} {text} is outside [{min}, {max}].") : null;
    }

    private static IResult BadRequest(string parameter, string detail) => Infrastructure.ParameterProblem.Invalid(parameter, detail);

    private static IResult NotFound(string detail) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found",
        detail: detail,
        extensions: new Dictionary<string, object?> { ["code"] = "not_found" });
}
