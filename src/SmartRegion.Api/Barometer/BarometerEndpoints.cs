using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Barometer;

namespace SmartRegion.Api.Barometer;

/// <summary>
/// The barometer's API for the dashboard pages and anyone else: the stored figures of the region, its départements and
/// communes, each with how it was computed and a query that reproduces it; the communes' boundaries to draw them; a CSV
/// of the table.
/// </summary>
internal static partial class BarometerEndpoints
{
    public static IServiceCollection AddBarometer(this IServiceCollection services) =>
        services.AddSingleton(sp => new BarometerQueries(sp.ReadDataSource())).AddSingleton<ExploreApiProbe>();

    public static WebApplication MapBarometerEndpoints(this WebApplication app)
    {
        var group = app.MapGroup("/api/v1/barometer").WithTags("Barometer");

        group.MapGet("", async (string? departement, BarometerQueries queries, ExploreApiProbe explore, CancellationToken ct) =>
        {
            if (BadDepartement(departement) is { } bad)
            {
                return bad;
            }
            var refresh = await queries.RefreshAsync(ct);
            if (refresh is null)
            {
                return NotYet();
            }
            var areas = await queries.AreasAsync(departement, ct);
            var region = areas.FirstOrDefault(a => a.Level == "region");
            if (departement is not null && !areas.Any(a => a.Level == "departement" && a.Code == departement))
            {
                return NotFound($"No département '{departement}' has solar results.");
            }
            return Results.Ok(new
            {
                refresh = BarometerProvenance.Refresh(refresh),
                dataset = BarometerProvenance.Dataset(refresh),
                indicators = BarometerIndicators.All.Select(i => new { i.Key, i.Unit, i.Formula }),
                region,
                departements = areas.Where(a => a.Level == "departement"),
                communes = areas.Where(a => a.Level == "commune"),
                csv = "/api/v1/barometer/communes.csv" + (departement is null ? "" : "?departement=" + departement),
                boundaries = "/api/v1/barometer/boundaries.geojson" + (departement is null ? "" : "?departement=" + departement),
                exploreApi = explore.Available,
            });
        })
        .WithName("Barometer")
        .WithSummary("Solar potential of the region, its départements and communes")
        .WithDescription("The stored sums of the latest solar results (refreshed after each solar run): buildings analysed, roof and usable area, suitability classes, installable MWp, potential GWh/yr, share of the estimated residential electricity use, CO₂ avoidable, installed vs installable. ?departement=93 keeps that département's communes.")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{level}/{code}", async (HttpContext http, string level, string code, BarometerQueries queries, ExploreApiProbe explore,
            Solar.SolarAccess access, CancellationToken ct) =>
        {
            if (level is not ("region" or "departements" or "communes"))
            {
                return ParameterProblem.Invalid("level", $"'{level}' is not region, departements or communes.");
            }
            if (!CodePattern().IsMatch(code) && !(level == "region" && code == "-"))
            {
                return ParameterProblem.Invalid("code", $"'{code}' is not an INSEE code (letters, digits; at most 10).");
            }
            var refresh = await queries.RefreshAsync(ct);
            if (refresh is null)
            {
                return NotYet();
            }
            var stored = level switch { "communes" => "commune", "departements" => "departement", _ => "region" };
            var area = await queries.AreaAsync(stored, code == "-" ? null : code, ct);
            if (area is null)
            {
                return NotFound($"No {stored} '{code}' has solar results.");
            }
            // The best roofs are per-building solar results: listed only to whom the solar datasets are open (property 4).
            var buildings = area.Level == "commune" && await access.AllowsAsync(http, Solar.SolarAccess.Buildings, "barometer.buildings")
                ? await queries.TopBuildingsAsync(area.Code, TopBuildings, ct)
                : [];
            var communes = area.Level == "departement"
                ? (await queries.AreasAsync(area.Code, ct)).Where(a => a.Level == "commune").Select(a => a.Code).ToList()
                : [];
            return Results.Ok(new
            {
                area,
                provenance = BarometerProvenance.ForArea(area, refresh),
                howComputed = BarometerProvenance.HowComputed(area, refresh, communes, explore.Available),
                dataset = BarometerProvenance.Dataset(refresh),
                buildings = buildings.Select(b => new
                {
                    b.Id, b.Address, b.InstallableKwp, b.AnnualKwhAc, b.UsableAreaM2, b.SuitabilityClass,
                    map3d = $"/?building={b.Id}",
                    report = $"/api/v1/solar/buildings/{b.Id}",
                }),
                map3d = area.Level switch
                {
                    "commune" => $"/?commune={Uri.EscapeDataString(area.Code)}",
                    _ => "/",
                },
            });
        })
        .WithName("BarometerArea")
        .WithSummary("One area's figures, with provenance and a reproducing query per figure")
        .WithDescription("level: region (code '-', or the region's INSEE code when its boundary is loaded), departements or communes. A commune also lists its 10 computed buildings of largest potential production, each with its 3D map link (/?building=<id>) and solar report. Example: /api/v1/barometer/communes/93066")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/boundaries.geojson", async (string? departement, double? tolerance, BarometerQueries queries, CancellationToken ct) =>
        {
            if (BadDepartement(departement) is { } bad)
            {
                return bad;
            }
            var toleranceM = tolerance ?? 20;
            if (toleranceM is < 0 or > 1000 || !double.IsFinite(toleranceM))
            {
                return ParameterProblem.Invalid("tolerance", "tolerance (simplification, metres) must be between 0 and 1000.");
            }
            return Results.Text(await queries.BoundariesGeoJsonAsync(departement, toleranceM, ct), "application/geo+json");
        })
        .WithName("BarometerBoundaries")
        .WithSummary("The region's commune boundaries, to draw the barometer's map")
        .WithDescription("GeoJSON in WGS 84, simplified.")
        .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/communes.csv", async (string? departement, HttpContext http, BarometerQueries queries, CancellationToken ct) =>
        {
            if (BadDepartement(departement) is { } bad)
            {
                return bad;
            }
            var refresh = await queries.RefreshAsync(ct);
            if (refresh is null)
            {
                return NotYet();
            }
            var communes = (await queries.AreasAsync(departement, ct)).Where(a => a.Level == "commune").ToList();
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"solar-potential-by-commune{(departement is null ? "" : "-" + departement)}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
            await writer.WriteAsync(BarometerCsv.Write(communes, refresh));
            return Results.Empty;
        })
        .WithName("BarometerCsv")
        .WithSummary("The table of communes as CSV, one row per commune with results")
        .WithDescription("departement= keeps one département's communes.")
        .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    /// <summary>How many of a commune's buildings its page lists (largest potential first), each linking to the 3D map.</summary>
    private const int TopBuildings = 10;

    [GeneratedRegex("^[0-9A-Za-z]{1,10}$")]
    private static partial Regex CodePattern();

    private static IResult? BadDepartement(string? departement) =>
        departement is null || CodePattern().IsMatch(departement)
            ? null
            : ParameterProblem.Invalid("departement", $"'{departement}' is not a département code (e.g. 93, 2A, 974).");

    private static IResult NotYet() => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No barometer yet",
        detail: "The barometer has no figures yet: they are computed after a complete solar run (./smartregion compute solar) or by ./smartregion barometer refresh.",
        extensions: new Dictionary<string, object?> { ["code"] = "barometer_empty" });

    private static IResult NotFound(string detail) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found",
        detail: detail,
        extensions: new Dictionary<string, object?> { ["code"] = "not_found" });

    internal static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
