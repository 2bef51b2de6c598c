using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using SmartRegion.Api.Catalog;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Explore;
using SmartRegion.Data.Explore.Odsql;

namespace SmartRegion.Api.Explore;

/// <summary>The explore API's catalogue: datasets queried with ODSQL over their metadata, facets, one dataset, exports of the catalogue.</summary>
internal static class ExploreCatalogEndpoints
{
    private static readonly string[] CatalogExportFormats = ["json", "csv", "dcat"];

    public static RouteGroupBuilder MapCatalogExploreEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/catalog/datasets", (Func<HttpContext, Task<IResult>>)ListAsync)
            .WithName("ExploreCatalogDatasets")
            .WithSummary("Datasets the caller may see, queried with ODSQL over their metadata")
            .WithDescription("""
                where / order_by over dataset_id, title, description, publisher, publisher_id, license, keyword, theme,
                visibility, modified, created, records_count, features; a bare "text" is a full-text search (French and English
                stemming); refine / exclude (field:value); limit 0–100 (default 10), offset. Example:
                /api/explore/v2.1/catalog/datasets?where="solaire" and theme="ENER"&order_by=modified desc
                """)
            .Produces<ExploreDatasetsPage>(StatusCodes.Status200OK)
            .Produces<ExploreError>(StatusCodes.Status400BadRequest);

        api.MapGet("/catalog/facets", (Func<HttpContext, Task<IResult>>)FacetsAsync)
            .WithName("ExploreCatalogFacets")
            .WithSummary("Facets of the catalogue")
            .WithDescription("Counts by publisher, license, keyword, theme, features and visibility among the datasets the caller may see.")
            .Produces<ExploreFacets>(StatusCodes.Status200OK);

        api.MapGet("/catalog/datasets/{dataset_id}", DatasetAsync)
            .WithName("ExploreDataset")
            .WithSummary("One dataset's metadata and fields (only the fields the caller's grant allows)")
            .Produces<ExploreDatasetInfo>(StatusCodes.Status200OK)
            .Produces<ExploreError>(StatusCodes.Status404NotFound);

        api.MapGet("/catalog/exports/{format}", ExportAsync)
            .WithName("ExploreCatalogExport")
            .WithSummary("The catalogue itself as json, csv or dcat")
            .WithDescription("csv is delimited by ; with a BOM; dcat is DCAT-AP 3 as Turtle.");

        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext ctx)
    {
        var (request, bad) = ExploreRequest.Of(ctx, "select", "where", "order_by", "limit", "offset", "refine", "exclude", "group_by");
        if (bad is not null)
        {
            return bad;
        }
        if (request!["group_by"] is not null || (request["select"] is { } s && s.Trim() != "*"))
        {
            return ExploreErrors.Parameter(request["group_by"] is null ? "select" : "group_by", "the catalogue returns whole dataset objects: select and group_by apply to records.");
        }
        if (request.Integer("limit", 0, ExploreEndpoints.MaxRecordsLimit, 10, out var limit) is { } badLimit)
        {
            return badLimit;
        }
        if (request.Integer("offset", 0, ExploreEndpoints.MaxOffsetPlusLimit, 0, out var offset) is { } badOffset)
        {
            return badOffset;
        }
        if (offset + limit > ExploreEndpoints.MaxOffsetPlusLimit)
        {
            return ExploreErrors.Parameter("offset", $"offset + limit must be at most {ExploreEndpoints.MaxOffsetPlusLimit.ToString(CultureInfo.InvariantCulture)}.");
        }
        var (where, order, template, invalid) = Compile(request, withOrder: true);
        if (invalid is not null)
        {
            return invalid;
        }
        using (template)
        {
            var (total, items) = await ctx.RequestServices.GetRequiredService<ExploreCatalog>()
                .SearchAsync(ctx.Caller(), template!, where!, order!, (int)limit, offset, ctx.RequestAborted);
            var baseUrl = DcatEndpoints.BaseUrl(ctx);
            return Results.Json(new ExploreDatasetsPage(total, [.. items.Select(d => Info(d, baseUrl))]), ExploreJson.Options);
        }
    }

    private static (string? Where, List<string>? Order, NpgsqlCommand? Template, IResult? Error) Compile(ExploreRequest request, bool withOrder)
    {
        var template = new NpgsqlCommand();
        try
        {
            var compiler = new OdsqlCompiler(ExploreCatalog.Schema, template.Parameters);
            var where = (request["where"] is { } w ? compiler.CompileWhere(w) : "true") + " AND "
                + ExploreCatalog.RefineSql(ExploreCatalog.Schema, compiler, request.All("refine"), request.All("exclude"));
            var order = withOrder && request["order_by"] is { } o ? compiler.CompileOrderBy(o) : [];
            return (where, order, template, null);
        }
        catch (OdsqlException e)
        {
            template.Dispose();
            return (null, null, null, ExploreErrors.Odsql(e.Message));
        }
    }

    private static async Task<IResult> FacetsAsync(HttpContext ctx)
    {
        var (request, bad) = ExploreRequest.Of(ctx, "facet", "where", "refine", "exclude");
        if (bad is not null)
        {
            return bad;
        }
        var names = request!.All("facet").ToList();
        if (names.FirstOrDefault(n => !ExploreCatalog.FacetNames.Contains(n)) is { } unknown)
        {
            return ExploreErrors.Parameter("facet", $"'{ExploreErrors.Shorten(unknown)}' is not a catalogue facet ({string.Join(", ", ExploreCatalog.FacetNames)}).");
        }
        var (where, _, template, invalid) = Compile(request, withOrder: false);
        if (invalid is not null)
        {
            return invalid;
        }
        using (template)
        {
            var counts = await ctx.RequestServices.GetRequiredService<ExploreCatalog>().FacetsAsync(
                ctx.Caller(), template!, where!, names.Count == 0 ? ExploreCatalog.FacetNames : names, ctx.RequestAborted);
            return Results.Json(new ExploreFacets([], [.. counts.Select(f => new ExploreFacet(f.Key,
                [.. f.Value.Select(v => new ExploreFacetValue(v.Count, "displayed", v.Value, v.Value))]))]), ExploreJson.Options);
        }
    }

    private static async Task<IResult> DatasetAsync(string dataset_id, HttpContext ctx)
    {
        var (_, bad) = ExploreRequest.Of(ctx, "select");
        if (bad is not null)
        {
            return bad;
        }
        var gate = await DatasetGate.OpenAsync(ctx, dataset_id, AccessLevel.Read, "read");
        if (gate.Denied is not null)
        {
            return gate.Access.CanSee ? ExploreErrors.Result(403, "Forbidden", "The API key lacks the 'read' scope.") : ExploreErrors.DatasetNotFound(dataset_id);
        }
        var versions = ctx.RequestServices.GetRequiredService<VersionStore>();
        var v = gate.Dataset!.CurrentVersionId is { } current ? await versions.GetAsync(current, ctx.RequestAborted) : null;
        var fields = v is null ? [] : RecordsQuery.Fields(v).Where(f => gate.Access.Fields is null || gate.Access.Fields.Contains(f.Name)).ToList();
        var info = Info(new ExploreDataset(gate.Dataset, fields, gate.Access.RowFilters is null ? v?.RowCount : null), DcatEndpoints.BaseUrl(ctx));
        return Results.Json(info, ExploreJson.Options);
    }

    private static ExploreDatasetInfo Info(ExploreDataset d, string baseUrl)
    {
        var m = d.Dataset.Metadata;
        return new ExploreDatasetInfo(
            DatasetId: d.Dataset.Slug,
            DatasetUid: $"da_{d.Dataset.Id.ToString(CultureInfo.InvariantCulture)}",
            HasRecords: d.Dataset.CurrentVersionId is not null,
            DataVisible: true,
            Features: d.Dataset.HasGeometry ? ["geo", "analyze"] : ["analyze"],
            Metas: new Dictionary<string, ExploreDefaultMetas>
            {
                ["default"] = new(m.Title, SafeMarkdown.ToHtml(m.DescriptionMd), m.Themes, m.Keywords, m.LicenceId, d.Dataset.LicenceUri, "fr",
                    d.Dataset.OwnerOrgName, d.Dataset.ModifiedIso, d.RecordsCount, m.Visibility, m.SpatialCommunes),
            },
            Fields: [.. d.Fields.Select(f => new ExploreField(f.Name, f.Name, ExploreRecords.OdsType(f.Type), null, new Dictionary<string, string>()))],
            Links:
            [
                new ExploreLink($"{baseUrl}{ExploreEndpoints.BasePath}/catalog/datasets/{d.Dataset.Slug}", "self"),
                new ExploreLink($"{baseUrl}{ExploreEndpoints.BasePath}/catalog/datasets/{d.Dataset.Slug}/records", "records"),
                new ExploreLink($"{baseUrl}{ExploreEndpoints.BasePath}/catalog/datasets/{d.Dataset.Slug}/exports", "exports"),
                new ExploreLink($"{baseUrl}/ogc/collections/{d.Dataset.Slug}", "ogc-collection"),
            ]);
    }

    private static async Task<IResult> ExportAsync(string format, HttpContext ctx)
    {
        if (!CatalogExportFormats.Contains(format, StringComparer.Ordinal))
        {
            return ExploreErrors.Result(400, "InvalidRESTParameterError", $"Unknown catalogue export format '{ExploreErrors.Shorten(format)}': use one of {string.Join(", ", CatalogExportFormats)}.");
        }
        var (request, bad) = ExploreRequest.Of(ctx, "where", "order_by", "refine", "exclude", "delimiter", "with_bom");
        if (bad is not null)
        {
            return bad;
        }
        var (where, order, template, invalid) = Compile(request!, withOrder: true);
        if (invalid is not null)
        {
            return invalid;
        }
        var catalog = ctx.RequestServices.GetRequiredService<ExploreCatalog>();
        var all = new List<ExploreDataset>();
        using (template)
        {
            // The catalogue is a few thousand datasets: read in pages of 1,000 rather than one unbounded statement.
            for (long offset = 0; ; offset += 1000)
            {
                var (_, page) = await catalog.SearchAsync(ctx.Caller(), template!, where!, order!, 1000, offset, ctx.RequestAborted);
                all.AddRange(page);
                if (page.Count < 1000)
                {
                    break;
                }
            }
        }
        var baseUrl = DcatEndpoints.BaseUrl(ctx);
        ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"catalog.{(format == "dcat" ? "ttl" : format)}\"";
        switch (format)
        {
            case "json":
                return Results.Json(all.Select(d => Info(d, baseUrl)).ToList(), ExploreJson.Options);
            case "dcat":
                var graph = new RdfGraph();
                foreach (var d in all)
                {
                    DcatEndpoints.AddDataset(graph, d.Dataset, baseUrl);
                }
                return Results.Text(graph.ToTurtle(), "text/turtle; charset=utf-8");
            default:
                var delimiter = request!["delimiter"] is { Length: 1 } dl && !char.IsLetterOrDigit(dl[0]) && dl[0] is not ('"' or '\r' or '\n') ? dl[0] : ';';
                if (request.Boolean("with_bom", true, out var withBom) is { } badBom)
                {
                    return badBom;
                }
                var sb = new StringBuilder();
                string[] header = ["dataset_id", "title", "publisher", "license", "theme", "keyword", "modified", "records_count", "features", "description"];
                sb.Append(string.Join(delimiter, header)).Append("\r\n");
                foreach (var d in all)
                {
                    var m = d.Dataset.Metadata;
                    string[] cells = [d.Dataset.Slug, m.Title, d.Dataset.OwnerOrgName, m.LicenceId, string.Join(',', m.Themes), string.Join(',', m.Keywords),
                        d.Dataset.ModifiedIso, d.RecordsCount?.ToString(CultureInfo.InvariantCulture) ?? "", d.Dataset.HasGeometry ? "geo,analyze" : "analyze", m.DescriptionMd];
                    sb.Append(string.Join(delimiter, cells.Select((c, i) => i == 7 ? c : CsvText.Cell(c, delimiter)))).Append("\r\n");
                }
                var bytes = new UTF8Encoding(withBom).GetPreamble().Concat(Encoding.UTF8.GetBytes(sb.ToString())).ToArray();
                return Results.Bytes(bytes, "text/csv; charset=utf-8");
        }
    }
}

/// <summary>A page of datasets.</summary>
public sealed record ExploreDatasetsPage([property: JsonPropertyName("total_count")] long TotalCount, IReadOnlyList<ExploreDatasetInfo> Results);

/// <summary>A dataset as Opendatasoft describes it.</summary>
public sealed record ExploreDatasetInfo(
    [property: JsonPropertyName("dataset_id")] string DatasetId,
    [property: JsonPropertyName("dataset_uid")] string DatasetUid,
    [property: JsonPropertyName("has_records")] bool HasRecords,
    [property: JsonPropertyName("data_visible")] bool DataVisible,
    IReadOnlyList<string> Features,
    IReadOnlyDictionary<string, ExploreDefaultMetas> Metas, IReadOnlyList<ExploreField> Fields, IReadOnlyList<ExploreLink> Links);

/// <summary>The default metadata template (description as sanitised HTML, as the reference).</summary>
public sealed record ExploreDefaultMetas(
    string Title, string Description, IReadOnlyList<string> Theme, IReadOnlyList<string> Keyword, string License,
    [property: JsonPropertyName("license_url")] string LicenseUrl, string Language, string Publisher, string Modified,
    [property: JsonPropertyName("records_count")] long? RecordsCount, string Visibility, IReadOnlyList<string> Territory);

/// <summary>A field: name, label, type (text, int, double, boolean, date, datetime, geo_shape).</summary>
public sealed record ExploreField(string Name, string Label, string Type, string? Description, IReadOnlyDictionary<string, string> Annotations);
