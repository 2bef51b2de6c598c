using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using SmartRegion.Api.Catalog;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Data.Explore;
using SmartRegion.Data.Explore.Odsql;
using SmartRegion.Parquet;

namespace SmartRegion.Api.Explore;

/// <summary>
/// The Opendatasoft Explore API v2.1 (same paths, parameters and response shapes) over every dataset the caller may
/// see: the catalogue's gate decides visibility, fields and rows; ODSQL is parsed and compiled, never pasted.
/// </summary>
internal static class ExploreEndpoints
{
    public const string BasePath = "/api/explore/v2.1";

    /// <summary>The reference's cap on a records page, and on offset + limit (deeper pages use the cursor).</summary>
    public const int MaxRecordsLimit = 100;
    public const int MaxOffsetPlusLimit = 10_000;
    private const int DefaultLimit = 10;

    private static readonly string[] RecordParams = ["select", "where", "group_by", "order_by", "limit", "offset", "refine", "exclude", "cursor"];
    private static readonly string[] ExportParams = ["select", "where", "group_by", "order_by", "limit", "offset", "refine", "exclude", "delimiter", "with_bom"];
    public static readonly string[] ExportFormats = ["csv", "json", "jsonl", "geojson", "parquet"];

    public static IServiceCollection AddExplore(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ExploreRecords(sp.StatelessDataSource()));
        services.AddSingleton<ExploreCatalog>();
        services.AddSingleton<AccessLogBatch>();
        services.AddSingleton<AccessLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        services.AddExploreOpenApi();
        return services;
    }

    public static WebApplication MapExploreEndpoints(this WebApplication app)
    {
        var api = app.MapGroup(BasePath).WithTags("Explore API v2.1");
        api.MapCatalogExploreEndpoints();

        api.MapGet("/catalog/datasets/{dataset_id}/records", (string dataset_id, HttpContext ctx) => RecordsAsync(ctx, dataset_id))
            .WithName("ExploreRecords")
            .WithSummary("Records of a dataset, filtered, aggregated and paged with ODSQL")
            .WithDescription("""
                select (fields, expressions, AS, count/sum/avg/min/max/median/percentile), where (= != < <= > >=, like, in (…),
                in [a..b], is null, not/and/or, "full text*", search(), date'…', geom'…' in WKT or GeoJSON, within_distance,
                in_bbox, intersects, within, disjoint), group_by (fields, range(x, step), year/month/day, date_format),
                order_by, limit (0–100, default 10), offset (offset + limit ≤ 10,000), refine/exclude (field:value) — and
                cursor (from next_cursor) for deeper paging. Example:
                /api/explore/v2.1/catalog/datasets/solar-potential-buildings/records?select=commune_name,sum(annual_kwh_ac) AS kwh&group_by=commune_name&order_by=kwh desc
                """)
            .Produces<ExploreRecordsPage>(StatusCodes.Status200OK)
            .Produces<ExploreError>(StatusCodes.Status400BadRequest)
            .Produces<ExploreError>(StatusCodes.Status404NotFound);

        api.MapGet("/catalog/datasets/{dataset_id}/records/{record_id}", (string dataset_id, string record_id, HttpContext ctx) => RecordAsync(ctx, dataset_id, record_id))
            .WithName("ExploreRecord")
            .WithSummary("One record by its _id")
            .Produces<Dictionary<string, object?>>(StatusCodes.Status200OK)
            .Produces<ExploreError>(StatusCodes.Status404NotFound);

        api.MapGet("/catalog/datasets/{dataset_id}/facets", (string dataset_id, HttpContext ctx) => FacetsAsync(ctx, dataset_id))
            .WithName("ExploreFacets")
            .WithSummary("The most frequent values of fields among the matching records")
            .WithDescription("facet=name, repeated, names the fields.")
            .Produces<ExploreFacets>(StatusCodes.Status200OK)
            .Produces<ExploreError>(StatusCodes.Status400BadRequest);

        api.MapGet("/catalog/datasets/{dataset_id}/exports", (string dataset_id, HttpContext ctx) => ExportListAsync(ctx, dataset_id))
            .WithName("ExploreExportFormats")
            .WithSummary("The export formats of a dataset")
            .Produces<ExploreLinks>(StatusCodes.Status200OK);

        api.MapGet("/catalog/datasets/{dataset_id}/exports/{format}", (string dataset_id, string format, HttpContext ctx) => ExportAsync(ctx, dataset_id, format))
            .WithName("ExploreExport")
            .WithSummary("Export every matching record, streamed")
            .WithDescription("Formats: csv (delimiter, with_bom), json, jsonl, geojson, parquet (GeoParquet 1.1). The same ODSQL parameters as records; limit defaults to -1 (no limit). CSV cells that a spreadsheet would run as a formula are prefixed with '.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .Produces<ExploreError>(StatusCodes.Status400BadRequest);

        return app;
    }

    // ----- opening a dataset through the catalogue's gate -----

    /// <summary>The dataset's current version and the caller's view of it, or the Opendatasoft-shaped refusal (the catalogue's one 404 for invisible).</summary>
    internal static async Task<(DatasetView? Opened, IResult? Error)> OpenAsync(HttpContext ctx, string id)
    {
        var (view, failure) = await DatasetView.OpenAsync(ctx, id);
        return failure switch
        {
            DatasetView.Failure.None => (view, null),
            DatasetView.Failure.NoScope => (null, ExploreErrors.Result(403, "Forbidden", "The API key lacks the 'read' scope.")),
            DatasetView.Failure.NoRecords => (null, ExploreErrors.Result(404, "NoSuchDataset", $"Dataset {ExploreErrors.Shorten(id)} has no published records yet.")),
            _ => (null, ExploreErrors.DatasetNotFound(id)),
        };
    }

    private sealed record Prepared(DatasetView Opened, NpgsqlCommand Template, ScopedSchema Scope, CompiledQuery Query);

    /// <summary>Parses and compiles the clauses; refine/exclude join the where clause.</summary>
    private static (Prepared? Prepared, IResult? Error) Compile(DatasetView opened, ExploreRequest request)
    {
        var template = new NpgsqlCommand();
        try
        {
            var scope = opened.Bind(template);
            var compiler = new OdsqlCompiler(scope.Schema, template.Parameters);
            var q = compiler.Compile(request["select"], request["where"], request["group_by"], request["order_by"]);
            var refine = ExploreCatalog.RefineSql(scope.Schema, compiler, request.All("refine"), request.All("exclude"));
            return (new Prepared(opened, template, scope, q with { Where = $"({q.Where}) AND {refine}" }), null);
        }
        catch (OdsqlException e)
        {
            template.Dispose();
            return (null, ExploreErrors.Odsql(e.Message));
        }
    }

    // ----- records -----

    private static async Task<IResult> RecordsAsync(HttpContext ctx, string id)
    {
        var (request, bad) = ExploreRequest.Of(ctx, RecordParams);
        if (bad is not null)
        {
            return bad;
        }
        if (request!.Integer("limit", 0, MaxRecordsLimit, DefaultLimit, out var limit) is { } badLimit)
        {
            return badLimit;
        }
        if (request.Integer("offset", 0, MaxOffsetPlusLimit, 0, out var offset) is { } badOffset)
        {
            return badOffset;
        }
        if (offset + limit > MaxOffsetPlusLimit)
        {
            return ExploreErrors.Parameter("offset", $"offset + limit must be at most {MaxOffsetPlusLimit.ToString(CultureInfo.InvariantCulture)} ({(offset + limit).ToString(CultureInfo.InvariantCulture)} was asked): page deeper with the cursor parameter (next_cursor of the previous page) or use an export.");
        }
        var (opened, denied) = await OpenAsync(ctx, id);
        if (denied is not null)
        {
            return denied;
        }
        long? after = null;
        if (request["cursor"] is { } cursor)
        {
            if (offset > 0 || request["order_by"] is not null || request["group_by"] is not null)
            {
                return ExploreErrors.Parameter("cursor", "a cursor pages in record order: it cannot be combined with offset, order_by or group_by.");
            }
            if (!ExploreRequest.TryReadCursor(cursor, opened!.Version.Id, out var last))
            {
                return ExploreErrors.Parameter("cursor", "it is not a next_cursor of this dataset's current version (a new version may have been published: start again without cursor).");
            }
            after = last;
        }
        var (prepared, invalid) = Compile(opened!, request);
        if (invalid is not null)
        {
            return invalid;
        }
        var explore = ctx.RequestServices.GetRequiredService<ExploreRecords>();
        var q = prepared!.Query;
        try
        {
            using var countCmd = prepared.Template.Clone();
            var total = await explore.CountAsync(opened!.Version, prepared.Scope, q, countCmd, ctx.RequestAborted);
            var withIds = !q.Aggregated && (request["select"] is null || request["select"]!.Trim() == "*");
            var buffer = new MemoryStream();
            long? lastRow = null;
            long returned = 0;
            await using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("total_count", total);
                json.WriteStartArray("results");
                using var cmd = prepared.Template.Clone();
                returned = await explore.ReadAsync(opened.Version, prepared.Scope, new RecordsRequest(q, (int)limit, offset, after, GeometryText.GeoJson), cmd,
                    (values, row) =>
                    {
                        ExploreWriters.WriteRecord(json, q.Columns, values, withIds ? row : null);
                        lastRow = row;
                        return ValueTask.CompletedTask;
                    }, ctx.RequestAborted);
                json.WriteEndArray();
                if (!q.Aggregated && request["order_by"] is null && returned == limit && limit > 0 && lastRow is { } lr)
                {
                    json.WriteString("next_cursor", ExploreRequest.Cursor(opened.Version.Id, lr));
                }
                json.WriteEndObject();
            }
            await LogAsync(ctx, opened, "explore.records", returned);
            return Results.Bytes(buffer.GetBuffer().AsMemory(0, (int)buffer.Length).ToArray(), "application/json; charset=utf-8");
        }
        catch (ExploreQueryException e)
        {
            return ExploreErrors.Result(400, e.ErrorCode, e.Message);
        }
    }

    private static async Task<IResult> RecordAsync(HttpContext ctx, string id, string recordId)
    {
        var (request, bad) = ExploreRequest.Of(ctx, "select");
        if (bad is not null)
        {
            return bad;
        }
        if (!long.TryParse(recordId, NumberStyles.None, CultureInfo.InvariantCulture, out var row))
        {
            return ExploreErrors.Result(404, "NoSuchRecord", $"Unknown record: {ExploreErrors.Shorten(recordId)}");
        }
        var (opened, denied) = await OpenAsync(ctx, id);
        if (denied is not null)
        {
            return denied;
        }
        var (prepared, invalid) = Compile(opened!, request!);
        if (invalid is not null)
        {
            return invalid;
        }
        var q = prepared!.Query;
        if (q.Aggregated)
        {
            return ExploreErrors.Odsql("ODSQL query is malformed: a single record cannot be aggregated (clause 'select').");
        }
        var explore = ctx.RequestServices.GetRequiredService<ExploreRecords>();
        var buffer = new MemoryStream();
        long found = 0;
        try
        {
            await using (var json = new Utf8JsonWriter(buffer))
            {
                using var cmd = prepared.Template.Clone();
                found = await explore.ReadAsync(opened!.Version, prepared.Scope,
                    new RecordsRequest(q with { Where = $"{q.Where} AND _row = {Bind(cmd, row)}" }, 1, 0, null, GeometryText.GeoJson), cmd,
                    (values, r) =>
                    {
                        ExploreWriters.WriteRecord(json, q.Columns, values, r);
                        return ValueTask.CompletedTask;
                    }, ctx.RequestAborted);
            }
        }
        catch (ExploreQueryException e)
        {
            return ExploreErrors.Result(400, e.ErrorCode, e.Message);
        }
        if (found == 0)
        {
            return ExploreErrors.Result(404, "NoSuchRecord", $"Unknown record: {row.ToString(CultureInfo.InvariantCulture)}");
        }
        await LogAsync(ctx, opened!, "explore.record", 1);
        return Results.Bytes(buffer.ToArray(), "application/json; charset=utf-8");
    }

    private static string Bind(NpgsqlCommand cmd, long value)
    {
        var name = $"id{cmd.Parameters.Count.ToString(CultureInfo.InvariantCulture)}";
        cmd.Parameters.AddWithValue(name, value);
        return "@" + name;
    }

    // ----- facets -----

    private static async Task<IResult> FacetsAsync(HttpContext ctx, string id)
    {
        var (request, bad) = ExploreRequest.Of(ctx, "facet", "where", "refine", "exclude");
        if (bad is not null)
        {
            return bad;
        }
        var (opened, denied) = await OpenAsync(ctx, id);
        if (denied is not null)
        {
            return denied;
        }
        var names = request!.All("facet").ToList();
        if (names.Count == 0)
        {
            names = [.. opened!.Outline.Fields.Where(f => f.Kind is ValueKind.Text or ValueKind.Boolean or ValueKind.Integer or ValueKind.Date).Select(f => f.Name).Take(10)];
        }
        if (names.Count > 20)
        {
            return ExploreErrors.Parameter("facet", "at most 20 facets are computed at once.");
        }
        using var template = new NpgsqlCommand();
        var scope = opened!.Bind(template);
        string where;
        var fields = new List<QueryField>();
        try
        {
            var compiler = new OdsqlCompiler(scope.Schema, template.Parameters);
            where = (request["where"] is { } w ? compiler.CompileWhere(w) : "true") + " AND " +
                ExploreCatalog.RefineSql(scope.Schema, compiler, request.All("refine"), request.All("exclude"));
            foreach (var name in names)
            {
                var field = scope.Schema.Find(name) ?? throw new OdsqlException("facet", 0, $"unknown field '{name}'");
                if (field.Kind is ValueKind.Geometry)
                {
                    throw new OdsqlException("facet", 0, $"'{name}' is a geometry: it has no facet");
                }
                fields.Add(field);
            }
        }
        catch (OdsqlException e)
        {
            return ExploreErrors.Odsql(e.Message);
        }
        var explore = ctx.RequestServices.GetRequiredService<ExploreRecords>();
        var facets = new List<ExploreFacet>();
        try
        {
            foreach (var field in fields)
            {
                using var cmd = template.Clone();
                var values = await explore.FacetAsync(opened.Version, scope, field, where, 100, cmd, ctx.RequestAborted);
                facets.Add(new ExploreFacet(field.Name, [.. values.Select(v => new ExploreFacetValue(v.Count, "displayed", v.Value ?? "", v.Value ?? ""))]));
            }
        }
        catch (ExploreQueryException e)
        {
            return ExploreErrors.Result(400, e.ErrorCode, e.Message);
        }
        await LogAsync(ctx, opened, "explore.facets", null);
        return Results.Json(new ExploreFacets([], facets), ExploreJson.Options);
    }

    // ----- exports -----

    private static async Task<IResult> ExportListAsync(HttpContext ctx, string id)
    {
        var (_, bad) = ExploreRequest.Of(ctx);
        if (bad is not null)
        {
            return bad;
        }
        var (opened, denied) = await OpenAsync(ctx, id);
        if (denied is not null)
        {
            return denied;
        }
        var self = ctx.RequestServices.GetRequiredService<PublicUrls>().For($"{BasePath}/catalog/datasets/{opened!.Dataset.Slug}/exports");
        return Results.Json(new ExploreLinks([new ExploreLink(self, "self"), .. ExportFormats.Select(f => new ExploreLink($"{self}/{f}", f))]), ExploreJson.Options);
    }

    private static async Task<IResult> ExportAsync(HttpContext ctx, string id, string format)
    {
        if (!ExportFormats.Contains(format, StringComparer.Ordinal))
        {
            return ExploreErrors.Result(400, "InvalidRESTParameterError", $"Unknown export format '{ExploreErrors.Shorten(format)}': use one of {string.Join(", ", ExportFormats)}.");
        }
        var (request, bad) = ExploreRequest.Of(ctx, ExportParams);
        if (bad is not null)
        {
            return bad;
        }
        if (request!.Integer("limit", -1, long.MaxValue, -1, out var limit) is { } badLimit)
        {
            return badLimit;
        }
        if (request.Integer("offset", 0, long.MaxValue, 0, out var offset) is { } badOffset)
        {
            return badOffset;
        }
        var delimiter = ';';
        if (request["delimiter"] is { } d)
        {
            if (d.Length != 1 || d[0] is '"' or '\r' or '\n' || (char.IsLetterOrDigit(d[0])))
            {
                return ExploreErrors.Parameter("delimiter", "one character that is not a letter, a digit, a quote or a line break (; , | or a tab) is expected.");
            }
            delimiter = d[0];
        }
        if (request.Boolean("with_bom", true, out var withBom) is { } badBom)
        {
            return badBom;
        }
        var (opened, denied) = await OpenAsync(ctx, id);
        if (denied is not null)
        {
            return denied;
        }
        var (prepared, invalid) = Compile(opened!, request);
        if (invalid is not null)
        {
            return invalid;
        }
        var q = prepared!.Query;
        var geometryText = format switch { "parquet" => GeometryText.Wkb, _ => GeometryText.GeoJson };
        var records = new RecordsRequest(q, limit < 0 ? null : (int)Math.Min(limit, int.MaxValue), offset, null, geometryText);
        var explore = ctx.RequestServices.GetRequiredService<ExploreRecords>();
        var file = $"{opened!.Dataset.Slug}.{format}";
        var response = ctx.Response;
        response.Headers.ContentDisposition = $"attachment; filename=\"{file}\"";
        using var cmd = prepared.Template.Clone();
        long rows;
        try
        {
            rows = format switch
            {
                "csv" => await ExportCsvAsync(ctx, explore, opened, prepared.Scope, records, cmd, delimiter, withBom),
                "parquet" => await ExportParquetAsync(ctx, explore, opened, prepared.Scope, records, cmd),
                _ => await ExportJsonAsync(ctx, explore, opened, prepared.Scope, records, cmd, format),
            };
        }
        catch (ExploreQueryException e) when (!response.HasStarted)
        {
            response.Headers.ContentDisposition = default;
            return ExploreErrors.Result(400, e.ErrorCode, e.Message);
        }
        await LogAsync(ctx, opened, $"explore.export.{format}", rows);
        return Results.Empty;
    }

    private static async Task<long> ExportCsvAsync(HttpContext ctx, ExploreRecords explore, DatasetView opened, ScopedSchema scope, RecordsRequest records, NpgsqlCommand cmd, char delimiter, bool withBom)
    {
        var columns = records.Query.Columns;
        StreamWriter? writer = null;
        try
        {
            var rows = await explore.ReadAsync(opened.Version, scope, records, cmd, async (values, _) =>
            {
                writer ??= await StartCsvAsync(ctx, columns, delimiter, withBom);
                await writer.WriteAsync(ExploreWriters.CsvLine(columns, values, delimiter));
                await writer.WriteAsync("\r\n");
            }, ctx.RequestAborted);
            writer ??= await StartCsvAsync(ctx, columns, delimiter, withBom);
            await writer.FlushAsync(ctx.RequestAborted);
            return rows;
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }
    }

    private static async Task<StreamWriter> StartCsvAsync(HttpContext ctx, IReadOnlyList<OutputColumn> columns, char delimiter, bool withBom)
    {
        ctx.Response.ContentType = "text/csv; charset=utf-8";
        var writer = new StreamWriter(ctx.Response.Body, new UTF8Encoding(withBom), 1 << 16);
        await writer.WriteAsync(ExploreWriters.CsvHeader(columns, delimiter));
        await writer.WriteAsync("\r\n");
        return writer;
    }

    private static async Task<long> ExportJsonAsync(HttpContext ctx, ExploreRecords explore, DatasetView opened, ScopedSchema scope, RecordsRequest records, NpgsqlCommand cmd, string format)
    {
        var columns = records.Query.Columns;
        var geometry = columns.ToList().FindIndex(c => c.Kind == ValueKind.Geometry);
        var ct = ctx.RequestAborted;
        Utf8JsonWriter? json = null;
        var newline = "\n"u8.ToArray();
        async ValueTask<Utf8JsonWriter> Start()
        {
            ctx.Response.ContentType = format switch
            {
                "geojson" => "application/geo+json",
                "jsonl" => "application/jsonl; charset=utf-8",
                _ => "application/json; charset=utf-8",
            };
            var w = new Utf8JsonWriter(ctx.Response.Body, new JsonWriterOptions { SkipValidation = format == "jsonl" });
            if (format == "geojson")
            {
                w.WriteStartObject();
                w.WriteString("type", "FeatureCollection");
                w.WriteStartArray("features");
            }
            else if (format == "json")
            {
                w.WriteStartArray();
            }
            await Task.CompletedTask;
            return w;
        }
        try
        {
            var rows = await explore.ReadAsync(opened.Version, scope, records, cmd, async (values, row) =>
            {
                json ??= await Start();
                if (format == "geojson")
                {
                    json.WriteStartObject();
                    json.WriteString("type", "Feature");
                    if (row is { } r)
                    {
                        json.WriteString("id", ExploreCatalog.RecordId(r));
                    }
                    json.WritePropertyName("geometry");
                    ExploreWriters.WriteValue(json, ValueKind.Geometry, geometry >= 0 ? values[geometry] : null, asFeature: false);
                    json.WriteStartObject("properties");
                    for (var i = 0; i < columns.Count; i++)
                    {
                        if (i != geometry)
                        {
                            json.WritePropertyName(columns[i].Name);
                            ExploreWriters.WriteValue(json, columns[i].Kind, values[i], asFeature: true);
                        }
                    }
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                else
                {
                    ExploreWriters.WriteRecord(json, columns, values, null);
                    if (format == "jsonl")
                    {
                        await json.FlushAsync(ct);
                        json.Reset();
                        await ctx.Response.Body.WriteAsync(newline, ct);
                    }
                }
                if (json.BytesPending > 1 << 16)
                {
                    await json.FlushAsync(ct);
                }
            }, ct);
            json ??= await Start();
            if (format == "geojson")
            {
                json.WriteEndArray();
                json.WriteEndObject();
            }
            else if (format == "json")
            {
                json.WriteEndArray();
            }
            await json.FlushAsync(ct);
            return rows;
        }
        finally
        {
            if (json is not null)
            {
                await json.DisposeAsync();
            }
        }
    }

    private static async Task<long> ExportParquetAsync(HttpContext ctx, ExploreRecords explore, DatasetView opened, ScopedSchema scope, RecordsRequest records, NpgsqlCommand cmd)
    {
        var columns = records.Query.Columns;
        var schema = new ParquetSchema(columns.Select(c => new ParquetColumn(c.Name, ExploreWriters.ParquetTypeOf(c.Kind))));
        var geometry = columns.FirstOrDefault(c => c.Kind == ValueKind.Geometry);
        var options = new ParquetWriterOptions
        {
            // One row group is what the export holds in memory, whatever the dataset's size.
            RowGroupRows = 50_000,
            RowGroupBytes = 32L << 20,
            MaxThreads = 1,
            Geo = geometry is null ? null : new GeoParquetOptions { GeometryColumn = geometry.Name, Crs = GeoCrs.Crs84, BboxCovering = true },
            Metadata = new Dictionary<string, string>
            {
                ["smartregion:dataset"] = opened.Dataset.Slug,
                ["smartregion:version"] = opened.Version.Number.ToString(CultureInfo.InvariantCulture),
            },
        };
        ParquetWriter? writer = null;
        try
        {
            var rows = await explore.ReadAsync(opened.Version, scope, records, cmd, async (values, _) =>
            {
                if (writer is null)
                {
                    ctx.Response.ContentType = "application/vnd.apache.parquet";
                    writer = new ParquetWriter(ctx.Response.Body, schema, options, leaveOpen: true);
                }
                await writer.WriteRowAsync([.. values.Select((x, i) => ExploreWriters.ParquetValue(x, columns[i].Kind))], ctx.RequestAborted);
            }, ctx.RequestAborted);
            if (writer is null)
            {
                ctx.Response.ContentType = "application/vnd.apache.parquet";
                writer = new ParquetWriter(ctx.Response.Body, schema, options, leaveOpen: true);
            }
            await writer.CompleteAsync(ctx.RequestAborted);
            return rows;
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }
    }

    /// <summary>Logs the use in the dataset's access log, in the background (AccessLogWriter): the answer does not wait for it.</summary>
    internal static Task LogAsync(HttpContext ctx, DatasetView opened, string endpoint, long? rows) =>
        ctx.RequestServices.GetRequiredService<AccessLogWriter>().LogAsync(opened.Dataset.Id, ctx.Caller(), endpoint, rows).AsTask();
}

/// <summary>A page of records: the count of every matching record (or group), the page, and the cursor of the next page.</summary>
/// <param name="TotalCount">Matching records (or groups with group_by), whatever the page.</param>
/// <param name="Results">The records: field → value (geometry as a GeoJSON Feature), with _id unless select or group_by is given.</param>
/// <param name="NextCursor">Present when more records may follow in record order: pass it as cursor= to go deeper than offset 10,000.</param>
public sealed record ExploreRecordsPage(
    [property: JsonPropertyName("total_count")] long TotalCount,
    IReadOnlyList<Dictionary<string, object?>> Results,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

public sealed record ExploreFacetValue(long Count, string State, string Name, string Value);

public sealed record ExploreFacet(string Name, IReadOnlyList<ExploreFacetValue> Facets);

public sealed record ExploreFacets(IReadOnlyList<ExploreLink> Links, IReadOnlyList<ExploreFacet> Facets);

public sealed record ExploreLink(string Href, string Rel);

public sealed record ExploreLinks(IReadOnlyList<ExploreLink> Links);
