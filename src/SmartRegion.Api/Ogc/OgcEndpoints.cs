using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using SmartRegion.Api.Catalog;
using SmartRegion.Api.Explore;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Explore;
using SmartRegion.Data.Explore.Odsql;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Api.Ogc;

/// <summary>
/// OGC API – Features Part 1 (core, GeoJSON, OpenAPI 3.0) and Part 2 (crs, bbox-crs for CRS84, EPSG:4326 latitude
/// first, EPSG:2154) at /ogc: every dataset with a geometry the caller may see is a collection, read through the same
/// gate, fields and row filter as the catalogue and the explore API.
/// </summary>
internal static class OgcEndpoints
{
    public const string BasePath = "/ogc";
    public const int MaxLimit = 10_000;
    private const int DefaultLimit = 10;

    public const string Crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    public const string Epsg4326 = "http://www.opengis.net/def/crs/EPSG/0/4326";
    public const string Epsg2154 = "http://www.opengis.net/def/crs/EPSG/0/2154";
    private static readonly string[] SupportedCrs = [Crs84, Epsg4326, Epsg2154];

    private static readonly string[] ItemParams = ["limit", "offset", "cursor", "bbox", "bbox-crs", "crs", "datetime", "f"];

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static WebApplication MapOgcEndpoints(this WebApplication app)
    {
        var ogc = app.MapGroup(BasePath).WithTags("OGC API Features");

        ogc.MapGet("", (HttpContext ctx) => Format(ctx) ?? Json200(Landing(Base(ctx))))
            .WithName("OgcLanding").WithSummary("Landing page: links to the API definition, conformance and collections");
        ogc.MapGet("/conformance", (HttpContext ctx) => Format(ctx) ?? Json200(new JsonObject
        {
            ["conformsTo"] = new JsonArray(
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
                "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"),
        })).WithName("OgcConformance").WithSummary("The conformance classes implemented");
        ogc.MapGet("/api", (HttpContext ctx) => Results.Text(OgcOpenApi.Document(Base(ctx)).ToJsonString(Json), "application/vnd.oai.openapi+json;version=3.0"))
            .WithName("OgcApiDefinition").WithSummary("The OpenAPI 3.0 definition of this OGC API");
        ogc.MapGet("/collections", (Func<HttpContext, Task<IResult>>)CollectionsAsync).WithName("OgcCollections").WithSummary("Every dataset with a geometry the caller may see");
        ogc.MapGet("/collections/{collectionId}", CollectionAsync).WithName("OgcCollection").WithSummary("One collection: extent, CRS, links");
        ogc.MapGet("/collections/{collectionId}/items", ItemsAsync).WithName("OgcItems")
            .WithSummary("Features of a collection (GeoJSON), paged")
            .WithDescription("limit 1–10,000 (default 10), bbox (+ bbox-crs), crs, datetime, property=value filters; next links, numberMatched and numberReturned.");
        ogc.MapGet("/collections/{collectionId}/items/{featureId}", ItemAsync).WithName("OgcItem").WithSummary("One feature by id");
        return app;
    }

    // ----- documents -----

    /// <summary>The API's absolute base, from the configured public address (never the request's Host, which a client chooses).</summary>
    private static string Base(HttpContext ctx) => ctx.RequestServices.GetRequiredService<PublicUrls>().For(BasePath);

    private static JsonObject Link(string href, string rel, string type, string? title = null)
    {
        var link = new JsonObject { ["href"] = href, ["rel"] = rel, ["type"] = type };
        if (title is not null)
        {
            link["title"] = title;
        }
        return link;
    }

    private static JsonObject Landing(string b) => new()
    {
        ["title"] = "SmartRegion — OGC API Features",
        ["description"] = "Les jeux de données géographiques de la plateforme (données partenaires et potentiel solaire des toitures), en OGC API – Features.",
        ["links"] = new JsonArray(
            Link(b, "self", "application/json", "this document"),
            Link($"{b}/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API definition"),
            Link($"{b[..^BasePath.Length]}/docs", "service-doc", "text/html", "the API documentation"),
            Link($"{b}/conformance", "conformance", "application/json", "conformance classes"),
            Link($"{b}/collections", "data", "application/json", "the collections")),
    };

    private static JsonObject Collection(ExploreDataset d, string b, int storageSrid)
    {
        var bbox = d.BboxWgs84 is { Length: 4 } x ? x : AreaOfUse(storageSrid);
        var id = d.Dataset.Slug;
        return new JsonObject
        {
            ["id"] = id,
            ["title"] = d.Dataset.Metadata.Title,
            ["description"] = d.Dataset.Metadata.DescriptionMd,
            ["keywords"] = new JsonArray([.. d.Dataset.Metadata.Keywords.Select(k => (JsonNode?)k)]),
            ["itemType"] = "feature",
            ["extent"] = new JsonObject
            {
                ["spatial"] = new JsonObject { ["bbox"] = new JsonArray(new JsonArray([.. bbox.Select(v => (JsonNode?)v)])), ["crs"] = Crs84 },
            },
            ["crs"] = new JsonArray([.. SupportedCrs.Select(c => (JsonNode?)c)]),
            ["storageCrs"] = storageSrid == 2154 ? Epsg2154 : Crs84,
            ["links"] = new JsonArray(
                Link($"{b}/collections/{id}", "self", "application/json"),
                Link($"{b}/collections/{id}/items", "items", "application/geo+json", "the features"),
                Link($"{b[..^BasePath.Length]}{ExploreEndpoints.BasePath}/catalog/datasets/{id}", "describedby", "application/json", "the dataset in the explore API"),
                Link($"{b[..^BasePath.Length]}/api/v1/datasets/{id}/dcat.jsonld", "describedby", "application/ld+json", "DCAT-AP metadata")),
        };
    }

    private static double[] AreaOfUse(int srid)
    {
        var e = KnownCrs.AreaOfUseLonLat(srid);
        return [e.MinX, e.MinY, e.MaxX, e.MaxY];
    }

    // ----- collections -----

    private static async Task<List<ExploreDataset>> VisibleCollectionsAsync(HttpContext ctx, string? slug)
    {
        using var template = new NpgsqlCommand();
        var where = "coalesce(cv.has_geometry, false)";
        if (slug is not null)
        {
            template.Parameters.AddWithValue("slug", slug);
            where += " AND d.slug = @slug";
        }
        var catalog = ctx.RequestServices.GetRequiredService<ExploreCatalog>();
        var all = new List<ExploreDataset>();
        for (long offset = 0; ; offset += 1000)
        {
            var (_, page) = await catalog.SearchAsync(ctx.Caller(), template, where, ["d.slug"], 1000, offset, ctx.RequestAborted);
            all.AddRange(page.Where(d => d.Fields.Any(f => f.Type == "geometry")));
            if (page.Count < 1000)
            {
                return all;
            }
        }
    }

    private static async Task<int> StorageSridAsync(HttpContext ctx, string slug)
    {
        var (view, _) = await DatasetView.OpenAsync(ctx, slug);
        return view?.Geometry?.Srid ?? 4326;
    }

    private static async Task<IResult> CollectionsAsync(HttpContext ctx)
    {
        if (Format(ctx) is { } bad)
        {
            return bad;
        }
        var b = Base(ctx);
        var collections = new JsonArray();
        foreach (var d in await VisibleCollectionsAsync(ctx, null))
        {
            collections.Add(Collection(d, b, d.Dataset.Slug.StartsWith("solar-potential-", StringComparison.Ordinal) ? 2154 : 4326));
        }
        return Json200(new JsonObject
        {
            ["links"] = new JsonArray(Link($"{b}/collections", "self", "application/json")),
            ["collections"] = collections,
        });
    }

    private static async Task<IResult> CollectionAsync(string collectionId, HttpContext ctx)
    {
        if (Format(ctx) is { } bad)
        {
            return bad;
        }
        var found = await VisibleCollectionsAsync(ctx, collectionId);
        return found.Count == 0 ? NotFound($"No collection '{Shorten(collectionId)}'.") : Json200(Collection(found[0], Base(ctx), await StorageSridAsync(ctx, collectionId)));
    }

    // ----- items -----

    private sealed record ItemQuery(DatasetView View, ScopedSchema Scope, NpgsqlCommand Template, CompiledQuery Query, string CrsUri, int Limit, long Offset, long? After);

    private static async Task<(ItemQuery? Query, IResult? Error)> PrepareAsync(HttpContext ctx, string collectionId, bool single)
    {
        var (view, failure) = await DatasetView.OpenAsync(ctx, collectionId);
        if (failure != DatasetView.Failure.None || view!.Geometry is null)
        {
            return (null, failure == DatasetView.Failure.NoScope
                ? Results.Problem(statusCode: 403, title: "Forbidden", detail: "The API key lacks the 'read' scope.", extensions: new Dictionary<string, object?> { ["code"] = "insufficient_scope" })
                : NotFound($"No collection '{Shorten(collectionId)}'."));
        }
        var properties = view.Outline.Fields.Where(f => f.Kind != ValueKind.Geometry).ToList();
        var query = ctx.Request.Query;
        foreach (var key in query.Keys)
        {
            if (!ItemParams.Contains(key, StringComparer.Ordinal) && properties.All(p => p.Name != key))
            {
                return (null, Invalid(key, $"Unknown parameter '{Shorten(key)}': the items take {string.Join(", ", ItemParams)} and property filters on {string.Join(", ", properties.Select(p => p.Name))}."));
            }
            if (query[key].Count > 1)
            {
                return (null, Invalid(key, $"'{Shorten(key)}' is given more than once."));
            }
        }
        if (Format(ctx) is { } badFormat)
        {
            return (null, badFormat);
        }
        var limit = DefaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } l
            && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return (null, Invalid("limit", $"limit must be an integer from 1 to {MaxLimit.ToString(CultureInfo.InvariantCulture)}."));
        }
        long offset = 0;
        if (query["offset"].ToString() is { Length: > 0 } o && (!long.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > 100_000_000))
        {
            return (null, Invalid("offset", "offset must be an integer from 0 to 100,000,000 (follow the next link to page deeper)."));
        }
        long? after = null;
        if (query["cursor"].ToString() is { Length: > 0 } c)
        {
            if (!ExploreRequest.TryReadCursor(c, view.Version.Id, out var last) || offset > 0)
            {
                return (null, Invalid("cursor", "cursor must be the value of a next link of the collection's current version (without offset)."));
            }
            after = last;
        }
        var crs = CrsOf(query["crs"].ToString(), "crs", out var crsError);
        if (crsError is not null)
        {
            return (null, crsError);
        }

        var template = new NpgsqlCommand();
        // From here on, fields read through the caller's grants (a grant's fields only on its own rows).
        var scope = view.Bind(template);
        var geometry = scope.Geometry!;
        properties = [.. scope.Schema.Fields.Where(f => f.Kind != ValueKind.Geometry)];
        var compiler = new OdsqlCompiler(scope.Schema, template.Parameters);
        var where = new List<string>();
        try
        {
            if (query["bbox"].ToString() is { Length: > 0 } bboxText)
            {
                var bboxCrs = CrsOf(query["bbox-crs"].ToString(), "bbox-crs", out var bboxCrsError);
                if (bboxCrsError is not null)
                {
                    return (null, bboxCrsError);
                }
                if (ParseBbox(bboxText, bboxCrs, out var box) is { } badBox)
                {
                    return (null, badBox);
                }
                where.Add(compiler.BoxCondition(geometry, box[0], box[1], box[2], box[3], bboxCrs == Epsg2154 ? 2154 : 4326));
            }
            else if (query["bbox-crs"].Count > 0)
            {
                return (null, Invalid("bbox-crs", "bbox-crs is given without bbox."));
            }
            if (query["datetime"].ToString() is { Length: > 0 } datetime)
            {
                if (Datetime(datetime, scope.Schema) is { } dt)
                {
                    where.Add(compiler.CompileCondition(dt, "datetime"));
                }
            }
            foreach (var p in properties.Where(p => query.ContainsKey(p.Name)))
            {
                where.Add(compiler.CompileCondition(new BinaryExpr(0, 0, BinaryOp.Equal, new FieldExpr(0, 0, p.Name),
                    new LiteralExpr(0, 0, LiteralKind.Text, query[p.Name].ToString())), p.Name));
            }
        }
        catch (OdsqlException e)
        {
            template.Dispose();
            return (null, Invalid(e.Clause, e.Reason));
        }
        // The geometry as GeoJSON in the asked CRS: EPSG:4326 in its own axis order (latitude first).
        var geoJson = crs switch
        {
            Epsg4326 => $"ST_AsGeoJSON(ST_FlipCoordinates(ST_Transform({geometry.Sql}, 4326)), 7)",
            Epsg2154 => $"ST_AsGeoJSON(ST_Transform({geometry.Sql}, 2154), 3)",
            _ => $"ST_AsGeoJSON(ST_Transform({geometry.Sql}, 4326), 7)",
        };
        var columns = new List<OutputColumn> { new("", geoJson, ValueKind.Text, 4326) };
        columns.AddRange(properties.Select(p => new OutputColumn(p.Name, p.Sql, p.Kind, p.Srid)));
        var compiled = new CompiledQuery(columns, where.Count == 0 ? "true" : string.Join(" AND ", where), [], [], false);
        return (new ItemQuery(view, scope, template, compiled, crs, single ? 1 : limit, offset, after), null);
    }

    private static async Task<IResult> ItemsAsync(string collectionId, HttpContext ctx)
    {
        var (q, error) = await PrepareAsync(ctx, collectionId, single: false);
        if (error is not null)
        {
            return error;
        }
        using var template = q!.Template;
        var explore = ctx.RequestServices.GetRequiredService<ExploreRecords>();
        try
        {
            using var countCmd = template.Clone();
            var matched = await explore.CountAsync(q.View.Version, q.Scope, q.Query, countCmd, ctx.RequestAborted);
            var buffer = new MemoryStream();
            long returned;
            long? last = null;
            await using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("type", "FeatureCollection");
                json.WriteNumber("numberMatched", matched);
                json.WriteStartArray("features");
                using var cmd = template.Clone();
                returned = await explore.ReadAsync(q.View.Version, q.Scope, new RecordsRequest(q.Query, q.Limit, q.Offset, q.After, GeometryText.GeoJson), cmd,
                    (values, row) =>
                    {
                        WriteFeature(json, q.Query.Columns, values, row!.Value);
                        last = row;
                        return ValueTask.CompletedTask;
                    }, ctx.RequestAborted);
                json.WriteEndArray();
                json.WriteNumber("numberReturned", returned);
                json.WriteString("timeStamp", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                json.WriteStartArray("links");
                var self = $"{Base(ctx)}/collections/{q.View.Dataset.Slug}/items";
                WriteLink(json, self + ctx.Request.QueryString, "self", "application/geo+json");
                WriteLink(json, $"{Base(ctx)}/collections/{q.View.Dataset.Slug}", "collection", "application/json");
                if (returned == q.Limit && last is { } lr)
                {
                    // Keyset paging by record id: each page costs the same however deep it is.
                    var next = ctx.Request.Query.Where(kv => kv.Key is not ("offset" or "cursor"))
                        .Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value.ToString())}").ToList();
                    next.Add($"cursor={ExploreRequest.Cursor(q.View.Version.Id, lr)}");
                    if (q.Offset > 0)
                    {
                        // A page reached by offset continues by offset, in record order like every page.
                        next[^1] = $"offset={(q.Offset + returned).ToString(CultureInfo.InvariantCulture)}";
                    }
                    WriteLink(json, $"{self}?{string.Join('&', next)}", "next", "application/geo+json");
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            await ExploreEndpoints.LogAsync(ctx, q.View, "ogc.items", returned);
            ctx.Response.Headers["Content-Crs"] = $"<{q.CrsUri}>";
            return Results.Bytes(buffer.ToArray(), "application/geo+json");
        }
        catch (ExploreQueryException e)
        {
            return Invalid("query", e.Message);
        }
    }

    private static async Task<IResult> ItemAsync(string collectionId, string featureId, HttpContext ctx)
    {
        if (!long.TryParse(featureId, NumberStyles.None, CultureInfo.InvariantCulture, out var row))
        {
            return NotFound($"No feature '{Shorten(featureId)}' in '{Shorten(collectionId)}'.");
        }
        foreach (var key in ctx.Request.Query.Keys)
        {
            if (key is not ("crs" or "f"))
            {
                return Invalid(key, $"Unknown parameter '{Shorten(key)}': a feature takes crs and f.");
            }
        }
        var (q, error) = await PrepareAsync(ctx, collectionId, single: true);
        if (error is not null)
        {
            return error;
        }
        using var template = q!.Template;
        var explore = ctx.RequestServices.GetRequiredService<ExploreRecords>();
        var buffer = new MemoryStream();
        long found;
        await using (var json = new Utf8JsonWriter(buffer))
        {
            using var cmd = template.Clone();
            cmd.Parameters.AddWithValue("feature_row", row);
            var query = q.Query with { Where = $"{q.Query.Where} AND _row = @feature_row" };
            found = await explore.ReadAsync(q.View.Version, q.Scope, new RecordsRequest(query, 1, 0, null, GeometryText.GeoJson), cmd,
                (values, r) =>
                {
                    WriteFeature(json, q.Query.Columns, values, r!.Value, [
                        ($"{Base(ctx)}/collections/{q.View.Dataset.Slug}/items/{r}", "self", "application/geo+json"),
                        ($"{Base(ctx)}/collections/{q.View.Dataset.Slug}", "collection", "application/json")]);
                    return ValueTask.CompletedTask;
                }, ctx.RequestAborted);
        }
        if (found == 0)
        {
            return NotFound($"No feature '{Shorten(featureId)}' in '{Shorten(collectionId)}'.");
        }
        await ExploreEndpoints.LogAsync(ctx, q.View, "ogc.item", 1);
        ctx.Response.Headers["Content-Crs"] = $"<{q.CrsUri}>";
        return Results.Bytes(buffer.ToArray(), "application/geo+json");
    }

    private static void WriteFeature(Utf8JsonWriter json, IReadOnlyList<OutputColumn> columns, object?[] values, long row, (string Href, string Rel, string Type)[]? links = null)
    {
        json.WriteStartObject();
        json.WriteString("type", "Feature");
        json.WriteNumber("id", row);
        json.WritePropertyName("geometry");
        if (values[0] is string g)
        {
            json.WriteRawValue(g, skipInputValidation: true);
        }
        else
        {
            json.WriteNullValue();
        }
        json.WriteStartObject("properties");
        for (var i = 1; i < columns.Count; i++)
        {
            json.WritePropertyName(columns[i].Name);
            ExploreWriters.WriteValue(json, columns[i].Kind, values[i], asFeature: false);
        }
        json.WriteEndObject();
        if (links is not null)
        {
            json.WriteStartArray("links");
            foreach (var (href, rel, type) in links)
            {
                WriteLink(json, href, rel, type);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static void WriteLink(Utf8JsonWriter json, string href, string rel, string type)
    {
        json.WriteStartObject();
        json.WriteString("href", href);
        json.WriteString("rel", rel);
        json.WriteString("type", type);
        json.WriteEndObject();
    }

    // ----- parameters -----

    /// <summary>A CRS URI of the supported ones (CRS84 when absent), or the 400.</summary>
    private static string CrsOf(string text, string parameter, out IResult? error)
    {
        error = null;
        if (text.Length == 0)
        {
            return Crs84;
        }
        var uri = text.Trim().TrimStart('<').TrimEnd('>');
        if (uri.StartsWith("[", StringComparison.Ordinal))
        {
            uri = uri.Trim('[', ']');
        }
        uri = uri switch
        {
            "EPSG:4326" or "epsg:4326" => Epsg4326,
            "EPSG:2154" or "epsg:2154" => Epsg2154,
            "CRS84" or "OGC:CRS84" => Crs84,
            _ => uri.Replace("https://", "http://", StringComparison.Ordinal),
        };
        if (!SupportedCrs.Contains(uri))
        {
            error = Invalid(parameter, $"{parameter} '{Shorten(text)}' is not supported: use one of {string.Join(", ", SupportedCrs)}.");
        }
        return uri;
    }

    /// <summary>bbox as four or six numbers in the bbox-crs's axis order, returned as x/y (lon/lat or easting/northing) min then max.</summary>
    private static IResult? ParseBbox(string text, string crs, out double[] box)
    {
        box = [];
        var parts = text.Split(',');
        var numbers = new double[parts.Length];
        if (parts.Length is not (4 or 6)
            || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) && double.IsFinite(numbers[i])).All(ok => ok))
        {
            return Invalid("bbox", "bbox must be 4 numbers (min x, min y, max x, max y in the bbox-crs's axis order) or 6 with heights.");
        }
        var (a, b, c, d) = parts.Length == 4 ? (numbers[0], numbers[1], numbers[2], numbers[3]) : (numbers[0], numbers[1], numbers[3], numbers[4]);
        if (crs == Epsg4326)
        {
            (a, b, c, d) = (b, a, d, c);
        }
        if (a > c || b > d)
        {
            return Invalid("bbox", "bbox's minimum is greater than its maximum (a box across the antimeridian is not supported).");
        }
        if (crs != Epsg2154 && (a < -180 || c > 180 || b < -90 || d > 90))
        {
            return Invalid("bbox", "bbox is outside longitude -180..180, latitude -90..90 (for EPSG:4326 the order is latitude, longitude).");
        }
        box = [a, b, c, d];
        return null;
    }

    /// <summary>The datetime filter on the first date or datetime field (none: every feature matches, as the standard allows).</summary>
    private static OdsqlExpr? Datetime(string text, QuerySchema schema)
    {
        var field = schema.Fields.FirstOrDefault(f => f.Kind is ValueKind.Date or ValueKind.DateTime);
        var parts = text.Split('/');
        if (parts.Length > 2)
        {
            throw new OdsqlException("datetime", 0, "datetime is an instant or an interval start/end ('..' for open)");
        }
        DateTimeOffset? Parse(string s)
        {
            if (s is ".." or "")
            {
                return null;
            }
            return OdsqlParser.TryParseDate(s, out var d) ? d : throw new OdsqlException("datetime", 0, $"'{Shorten(s)}' is not an RFC 3339 date or date-time");
        }
        var start = Parse(parts[0]);
        var end = parts.Length == 2 ? Parse(parts[1]) : start;
        if (parts.Length == 1 && start is null)
        {
            throw new OdsqlException("datetime", 0, "datetime is an instant or an interval start/end ('..' for open)");
        }
        if (start > end)
        {
            throw new OdsqlException("datetime", 0, "the interval ends before it starts");
        }
        if (field is null)
        {
            return null;
        }
        var f = new FieldExpr(0, 0, field.Name);
        OdsqlExpr? condition = null;
        if (start is { } s0)
        {
            condition = new BinaryExpr(0, 0, BinaryOp.GreaterOrEqual, f, new LiteralExpr(0, 0, LiteralKind.Date, s0));
        }
        if (end is { } e0)
        {
            // A date alone (no time) covers its whole day.
            var dayOnly = (parts.Length == 2 ? parts[1] : parts[0]).Length == 10;
            var bound = new BinaryExpr(0, 0, dayOnly ? BinaryOp.Less : BinaryOp.LessOrEqual, f, new LiteralExpr(0, 0, LiteralKind.Date, dayOnly ? e0.AddDays(1) : e0));
            condition = condition is null ? bound : new BinaryExpr(0, 0, BinaryOp.And, condition, bound);
        }
        return condition;
    }

    /// <summary>f=json (or geojson) is accepted; every other format is a 400 (JSON is all this API speaks).</summary>
    private static IResult? Format(HttpContext ctx) =>
        ctx.Request.Query["f"].ToString() is { Length: > 0 } f && f is not ("json" or "geojson" or "application/json" or "application/geo+json")
            ? Invalid("f", $"f '{Shorten(f)}' is not offered: use f=json.")
            : null;

    private static IResult Json200(JsonObject body) => Results.Text(body.ToJsonString(Json), "application/json");

    private static IResult Invalid(string parameter, string detail) => Infrastructure.ParameterProblem.Invalid(parameter, detail);

    private static IResult NotFound(string detail) => Results.Problem(statusCode: 404, title: "Not found", detail: detail,
        extensions: new Dictionary<string, object?> { ["code"] = "not_found" });

    private static string Shorten(string s) => s.Length > 100 ? s[..100] + "…" : s;
}
