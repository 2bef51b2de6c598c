using System.Globalization;
using System.Text;
using System.Text.Json;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Parquet;

namespace SmartRegion.Api.Catalog;

/// <summary>Records of a dataset's current version (paged, field selection) and CSV / GeoJSON exports, honouring grants' fields and rows.</summary>
internal static class RecordEndpoints
{
    public static RouteGroupBuilder MapRecordEndpoints(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/datasets").WithTags("Records");

        datasets.MapGet("/{id}/records", async (string id, HttpContext ctx, VersionStore versions, RecordsQuery query,
            string? fields, int? limit, long? offset, int? version) =>
        {
            var open = await OpenAsync(ctx, id, versions, fields, version);
            if (open.Denied is not null)
            {
                return open.Denied;
            }
            var (gate, v, selected) = (open.Gate!, open.Version!, open.Fields!);
            if (limit < 1 || offset < 0)
            {
                return Infrastructure.ParameterProblem.Invalid(limit < 1 ? "limit" : "offset", "limit must be at least 1 (at most 10000 are returned) and offset at least 0.");
            }
            var take = Math.Min(limit ?? 100, 10_000);
            var skip = offset ?? 0;
            var records = new List<Dictionary<string, object?>>();
            await query.ReadAsync(v, selected, gate.Access.Grants, take, skip, GeometryText.GeoJson, values =>
            {
                var record = new Dictionary<string, object?>(selected.Count, StringComparer.Ordinal);
                for (var i = 0; i < selected.Count; i++)
                {
                    record[selected[i].Name] = JsonValue(values[i], selected[i].Type);
                }
                records.Add(record);
                return Task.CompletedTask;
            }, ctx.RequestAborted);
            var matched = await query.CountAsync(v, gate.Access.Grants, ctx.RequestAborted);
            await gate.LogReadAsync(ctx, "records", records.Count);
            var next = skip + records.Count < matched
                ? $"/api/v1/datasets/{id}/records?limit={take}&offset={skip + records.Count}{(fields is null ? "" : "&fields=" + Uri.EscapeDataString(fields))}"
                : null;
            return Results.Ok(new
            {
                version = v.Number,
                numberMatched = matched,
                numberReturned = records.Count,
                fields = selected.Select(f => new { f.Name, f.Type }),
                records,
                next,
            });
        })
        .WithSummary("Records of the current version, paged (limit ≤ 10000, offset), with ?fields=a,b")
        .WithDescription("Geometry values are GeoJSON objects. Example: /api/v1/datasets/ecoles-potentiel-solaire/records?fields=nom_etablissement,potentiel_solaire&limit=10");

        datasets.MapGet("/{id}/export.csv", async (string id, HttpContext ctx, VersionStore versions, RecordsQuery query, string? fields) =>
        {
            var open = await OpenAsync(ctx, id, versions, fields, null);
            if (open.Denied is not null)
            {
                return open.Denied;
            }
            var (gate, v, selected) = (open.Gate!, open.Version!, open.Fields!);
            await using var download = await gate.BeginDownloadAsync(ctx, "export.csv");
            ctx.Response.ContentType = "text/csv; charset=utf-8";
            ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}-v{v.Number}.csv\"";
            await using var writer = new StreamWriter(ctx.Response.Body, new UTF8Encoding(false), 1 << 16);
            await writer.WriteLineAsync(string.Join(',', selected.Select(f => Csv(f.Name))));
            var rows = await query.ReadAsync(v, selected, gate.Access.Grants, null, 0, GeometryText.Wkt, values =>
            {
                download.Rows++;
                return writer.WriteLineAsync(string.Join(',', values.Select((x, i) => Csv(Text(x)))));
            }, ctx.RequestAborted);
            await writer.FlushAsync(ctx.RequestAborted);
            download.Complete(rows);
            return Results.Empty;
        }).WithSummary("The current version as CSV (geometry as WKT), streamed");

        datasets.MapGet("/{id}/export.geojson", async (string id, HttpContext ctx, VersionStore versions, RecordsQuery query, string? fields) =>
        {
            var open = await OpenAsync(ctx, id, versions, fields, null);
            if (open.Denied is not null)
            {
                return open.Denied;
            }
            var (gate, v, selected) = (open.Gate!, open.Version!, open.Fields!);
            var geometry = selected.FindIndex(f => f.Type == "geometry");
            await using var download = await gate.BeginDownloadAsync(ctx, "export.geojson");
            ctx.Response.ContentType = "application/geo+json";
            ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}-v{v.Number}.geojson\"";
            await using var json = new Utf8JsonWriter(ctx.Response.Body);
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteStartArray("features");
            var rows = await query.ReadAsync(v, selected, gate.Access.Grants, null, 0, GeometryText.GeoJson, async values =>
            {
                download.Rows++;
                json.WriteStartObject();
                json.WriteString("type", "Feature");
                json.WritePropertyName("geometry");
                if (geometry >= 0 && values[geometry] is string g)
                {
                    json.WriteRawValue(g, skipInputValidation: true);
                }
                else
                {
                    json.WriteNullValue();
                }
                json.WriteStartObject("properties");
                for (var i = 0; i < selected.Count; i++)
                {
                    if (i != geometry)
                    {
                        json.WritePropertyName(selected[i].Name);
                        WriteValue(json, JsonValue(values[i], selected[i].Type));
                    }
                }
                json.WriteEndObject();
                json.WriteEndObject();
                if (json.BytesPending > 1 << 16)
                {
                    await json.FlushAsync(ctx.RequestAborted);
                }
            }, ctx.RequestAborted);
            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(ctx.RequestAborted);
            download.Complete(rows);
            return Results.Empty;
        }).WithSummary("The current version as a GeoJSON FeatureCollection (first geometry column), streamed");

        datasets.MapGet("/{id}/export.parquet", async (string id, HttpContext ctx, VersionStore versions, RecordsQuery query, string? fields) =>
        {
            var open = await OpenAsync(ctx, id, versions, fields, null);
            if (open.Denied is not null)
            {
                return open.Denied;
            }
            var (gate, v, selected) = (open.Gate!, open.Version!, open.Fields!);
            var schema = new ParquetSchema(selected.Select(f => new ParquetColumn(f.Name, ParquetTypeOf(f.Type))));
            var geometry = selected.Find(f => f.Type == "geometry");
            var options = new ParquetWriterOptions
            {
                // One row group is what the export holds in memory, whatever the dataset's size.
                RowGroupRows = 50_000,
                RowGroupBytes = 32L << 20,
                MaxThreads = 1,
                Geo = geometry is null ? null : new GeoParquetOptions { GeometryColumn = geometry.Name, Crs = GeoCrs.Crs84, BboxCovering = true },
                Metadata = new Dictionary<string, string> { ["smartregion:dataset"] = id, ["smartregion:version"] = v.Number.ToString(CultureInfo.InvariantCulture) },
            };
            await using var download = await gate.BeginDownloadAsync(ctx, "export.parquet");
            ctx.Response.ContentType = "application/vnd.apache.parquet";
            ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}-v{v.Number}.parquet\"";
            await using var writer = new ParquetWriter(ctx.Response.Body, schema, options, leaveOpen: true);
            var rows = await query.ReadAsync(v, selected, gate.Access.Grants, null, 0, GeometryText.Wkb,
                values =>
                {
                    download.Rows++;
                    return writer.WriteRowAsync([.. values.Select((x, i) => ParquetValue(x, selected[i].Type))], ctx.RequestAborted);
                }, ctx.RequestAborted);
            await writer.CompleteAsync(ctx.RequestAborted);
            download.Complete(rows);
            return Results.Empty;
        })
        .WithSummary("The current version as GeoParquet 1.1 (first geometry column as WKB in OGC:CRS84, bbox covering), streamed one row group at a time")
        .WithDescription("Types: integer → INT64, number → DOUBLE, boolean, date, datetime → TIMESTAMP (UTC), text → STRING, geometry → WKB. Grants' fields and rows apply as for the other exports.");

        return api;
    }

    private sealed record Opened(DatasetGate? Gate, VersionRecord? Version, List<FieldSchema>? Fields, IResult? Denied);

    /// <summary>The gate, the version to read (current, or a given one for members) and the fields the caller asked for and may see.</summary>
    private static async Task<Opened> OpenAsync(HttpContext ctx, string id, VersionStore versions, string? fields, int? number)
    {
        var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Read, "read");
        if (gate.Denied is not null)
        {
            return new Opened(null, null, null, gate.Denied);
        }
        var member = gate.Access.Level >= AccessLevel.Member;
        VersionRecord? v = number is not null && member
            ? await versions.GetAsync(gate.Dataset!.Id, number.Value, ctx.RequestAborted)
            : gate.Dataset!.CurrentVersionId is { } current ? await versions.GetAsync(current, ctx.RequestAborted) : null;
        if (v?.RecordsTable is null || v.Status is "failed" or "queued" or "processing")
        {
            return new Opened(null, null, null, CatalogProblems.Problem(404, "no_published_version",
                number is null ? $"Dataset '{id}' has no published version yet." : $"Version {number} has no records."));
        }
        var visible = RecordsQuery.Fields(v).Where(f => gate.Access.Fields is null || gate.Access.Fields.Contains(f.Name)).ToList();
        if (fields is null)
        {
            return new Opened(gate, v, visible, null);
        }
        var wanted = fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            return new Opened(null, null, null, Infrastructure.ParameterProblem.Invalid("fields", "fields must name at least one field (leave it out for every field)."));
        }
        var unknown = wanted.Where(w => visible.All(f => f.Name != w)).ToList();
        return unknown.Count > 0
            ? new Opened(null, null, null, CatalogProblems.BadRequest("unknown_field", $"Unknown field(s): {string.Join(", ", unknown)}."))
            : new Opened(gate, v, [.. wanted.Select(w => visible.First(f => f.Name == w))], null);
    }

    private static ParquetType ParquetTypeOf(string catalogType) => catalogType switch
    {
        "integer" => ParquetType.Int64,
        "number" => ParquetType.Double,
        "boolean" => ParquetType.Boolean,
        "date" => ParquetType.Date,
        "datetime" => ParquetType.Timestamp,
        "geometry" => ParquetType.Binary,
        _ => ParquetType.String,
    };

    private static object? ParquetValue(object? value, string catalogType) => value switch
    {
        DateTime d when catalogType == "date" => DateOnly.FromDateTime(d),
        DateTime d => d.ToUniversalTime(),
        _ => value,
    };

    private static object? JsonValue(object? value, string type) => value switch
    {
        null => null,
        string g when type == "geometry" => JsonDocument.Parse(g).RootElement,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Writes a record value without JsonSerializer (which flushes synchronously to the response).</summary>
    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case long l: json.WriteNumberValue(l); break;
            case double d: json.WriteNumberValue(d); break;
            case bool b: json.WriteBooleanValue(b); break;
            case JsonElement e: e.WriteTo(json); break;
            default: json.WriteStringValue(value.ToString()); break;
        }
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula.</summary>
    internal static string Csv(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@' && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            s = "'" + s;
        }
        return s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }
}
