using System.Globalization;
using System.Text;
using System.Text.Json;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Api.Infrastructure;
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

        foreach (var format in ExportWriters.Formats)
        {
            var export = ExportWriters.Get(format);
            datasets.MapGet($"/{{id}}/export.{format}", async (string id, HttpContext ctx, VersionStore versions, RecordsQuery query,
                string? fields) =>
            {
                var open = await OpenAsync(ctx, id, versions, fields, null);
                if (open.Denied is not null)
                {
                    return open.Denied;
                }
                var (gate, v, selected) = (open.Gate!, open.Version!, open.Fields!);
                await using var download = await gate.BeginDownloadAsync(ctx, $"export.{format}");
                ctx.Response.ContentType = export.ContentType;
                ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}-v{v.Number}.{format}\"";
                var rows = await export.WriteAsync(ctx.Response.Body, id, v, selected, gate.Access.Grants, query, () => download.Rows++, ctx.RequestAborted);
                download.Complete(rows);
                return Results.Empty;
            })
            .WithSummary(export.Summary)
            .WithDescription(export.Description + "Grants' fields and rows apply. ?fields=a,b selects columns.");
        }

        datasets.MapGet("/{id}/exports", async (string id, HttpContext ctx, VersionStore versions, RecordsQuery query, ExportSizes sizes) =>
        {
            var open = await OpenAsync(ctx, id, versions, null, null);
            if (open.Denied is not null)
            {
                return open.Denied;
            }
            var (gate, v, selected) = (open.Gate!, open.Version!, open.Fields!);
            var list = new List<object>();
            foreach (var format in ExportWriters.Formats)
            {
                var bytes = await sizes.GetAsync(id, v, selected, gate.Access.Grants, format, query, ctx.RequestAborted);
                list.Add(new { format, url = $"/api/v1/datasets/{id}/export.{format}", mediaType = ExportWriters.Get(format).ContentType, bytes });
            }
            return Results.Ok(new { version = v.Number, items = list });
        })
        .WithSummary("The current version's exports, with their exact sizes in bytes")
        .WithDescription("As the caller would download them. A version never changes, so each size is computed once (by writing the export) and remembered.");

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

    internal static object? JsonValue(object? value, string type) => value switch
    {
        null => null,
        string g when type == "geometry" => JsonDocument.Parse(g).RootElement,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        _ => value,
    };
}
