using System.Globalization;
using System.Text;
using SmartRegion.Data.Solar;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Api.Solar;

/// <summary>Many solar reports at once — a list of ids, or every computed building in a box, paged — streamed as they are read.</summary>
internal static class SolarBatchEndpoints
{
    public const int MaxIds = 1_000;
    public const int MaxBoxPage = 500;

    public static WebApplication MapSolarBatchEndpoints(this WebApplication app)
    {
        app.MapGet("/api/v1/solar/buildings", BatchAsync)
            .WithTags("Solar")
            .WithName("SolarBuildingsBatch")
            .WithSummary("Solar reports of many buildings, streamed")
            .WithDescription("""
                ids=1,2,3 (at most 1,000) or bbox=minLon,minLat,maxLon,maxLat (limit ≤ 500, cursor). Answer:
                {"reports": [report, …], "missing": [ids without a computed result], "next": "URL of the next page (bbox only)"}.
                Each report is the same document as GET /api/v1/solar/buildings/{id}, in id order. Example:
                /api/v1/solar/buildings?bbox=2.35,48.93,2.37,48.94&limit=100
                """)
            .Produces<SolarBatch>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> BatchAsync(HttpContext ctx, string? ids, string? bbox, string? limit, string? cursor,
        SolarResultQueries queries, SolarBatchQueries batch, SolarAccess access)
    {
        foreach (var key in ctx.Request.Query.Keys)
        {
            if (key is not ("ids" or "bbox" or "limit" or "cursor"))
            {
                return Invalid(key, $"Unknown parameter '{Shorten(key)}': use ids, or bbox with limit and cursor.");
            }
        }
        if ((ids is null) == (bbox is null))
        {
            return Invalid(ids is null ? "ids" : "bbox", "Give either ids=1,2,3 or bbox=minLon,minLat,maxLon,maxLat.");
        }
        List<long> wanted;
        string? next = null;
        var missingOnly = false;
        if (ids is not null)
        {
            if (limit is not null || cursor is not null)
            {
                return Invalid(limit is not null ? "limit" : "cursor", "limit and cursor page a bbox; a list of ids is answered whole.");
            }
            var parts = ids.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length > MaxIds)
            {
                return Invalid("ids", $"At most {MaxIds.ToString(CultureInfo.InvariantCulture)} ids a request ({parts.Length.ToString(CultureInfo.InvariantCulture)} given): use several requests, or a bbox.");
            }
            wanted = new List<long>(parts.Length);
            foreach (var p in parts)
            {
                if (!long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    return Invalid("ids", $"'{Shorten(p)}' is not a building id (a positive integer).");
                }
                wanted.Add(id);
            }
            wanted = [.. wanted.Distinct().Order()];
        }
        else
        {
            var box = new double[4];
            var parts = bbox!.Split(',');
            if (parts.Length != 4 || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out box[i]) && double.IsFinite(box[i])).All(ok => ok))
            {
                return Invalid("bbox", "bbox must be 4 numbers: minLon,minLat,maxLon,maxLat in WGS84 degrees.");
            }
            if (box[0] >= box[2] || box[1] >= box[3] || box[0] < -180 || box[2] > 180 || box[1] < -90 || box[3] > 90)
            {
                return Invalid("bbox", "bbox must satisfy -180 ≤ minLon < maxLon ≤ 180 and -90 ≤ minLat < maxLat ≤ 90.");
            }
            var pageSize = 100;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxBoxPage))
            {
                return Invalid("limit", $"limit must be an integer from 1 to {MaxBoxPage.ToString(CultureInfo.InvariantCulture)}.");
            }
            long after = 0;
            if (cursor is not null && !long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            {
                return Invalid("cursor", "cursor must be the value of a previous page's next link.");
            }
            wanted = KnownCrs.ClampToAreaOfUse(RegionSettings.Srid, box[0], box[1], box[2], box[3]) is { } b
                ? await batch.BuildingIdsInBoxAsync(b.MinLon, b.MinLat, b.MaxLon, b.MaxLat, pageSize, after, ctx.RequestAborted)
                : [];
            if (wanted.Count == pageSize)
            {
                next = ctx.RequestServices.GetRequiredService<Infrastructure.PublicUrls>().For($"/api/v1/solar/buildings?bbox={Uri.EscapeDataString(bbox)}&limit={pageSize.ToString(CultureInfo.InvariantCulture)}&cursor={wanted[^1].ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (!await access.AllowsAsync(ctx, SolarAccess.Buildings, "solar.batch"))
        {
            // Answered as if nothing were published (property 4): every id missing, an empty page.
            missingOnly = true;
            next = null;
        }

        // Streamed: each stored report is copied out as it is read, never parsed or held together.
        ctx.Response.ContentType = "application/json; charset=utf-8";
        var body = ctx.Response.Body;
        // A caller who may not read the solar datasets in full reads nothing: every id missing.
        var missing = missingOnly ? wanted : [];
        await body.WriteAsync("{\"reports\":["u8.ToArray(), ctx.RequestAborted);
        var first = true;
        await foreach (var (id, report) in queries.GetBuildingReportsJsonAsync(missingOnly ? [] : wanted, ctx.RequestAborted))
        {
            if (report is null)
            {
                missing.Add(id);
                continue;
            }
            if (!first)
            {
                await body.WriteAsync(","u8.ToArray(), ctx.RequestAborted);
            }
            first = false;
            await body.WriteAsync(Encoding.UTF8.GetBytes(report), ctx.RequestAborted);
        }
        var tail = $"],\"missing\":[{string.Join(',', missing.Select(m => m.ToString(CultureInfo.InvariantCulture)))}],\"next\":{(next is null ? "null" : System.Text.Json.JsonSerializer.Serialize(next))}}}";
        await body.WriteAsync(Encoding.UTF8.GetBytes(tail), ctx.RequestAborted);
        return Results.Empty;
    }

    private static IResult Invalid(string parameter, string detail) => Infrastructure.ParameterProblem.Invalid(parameter, detail);

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}

/// <summary>A batch of solar reports.</summary>
/// <param name="Reports">The reports, in building id order.</param>
/// <param name="Missing">The asked ids that have no computed result.</param>
/// <param name="Next">The next page of a bbox batch, or null.</param>
public sealed record SolarBatch(IReadOnlyList<SolarBuildingReport> Reports, IReadOnlyList<long> Missing, string? Next);
