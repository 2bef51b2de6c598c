using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SmartRegion.Api.Explore;

/// <summary>
/// The query parameters of the explore API, OGC items and tiles in the OpenAPI document, with examples: the handlers
/// read them from the query string themselves (an unknown one is a 400), so the document declares them here.
/// </summary>
internal static class ExploreOpenApi
{
    private sealed record Param(string Name, string Description, string? Example = null, bool Integer = false, bool Repeated = false);

    private static readonly Param Select = new("select", "ODSQL select: fields, expressions, AS, aggregates.", "commune_name, sum(annual_kwh_ac) AS kwh");
    private static readonly Param Where = new("where", "ODSQL where clause.", "suitability_class >= 4 and within_distance(footprint, geom'POINT(2.3601 48.9245)', 500m)");
    private static readonly Param GroupBy = new("group_by", "ODSQL group_by: fields, range(x, step), year/month/day(), date_format().", "commune_name");
    private static readonly Param OrderBy = new("order_by", "ODSQL order_by: expressions or aliases, asc/desc.", "kwh desc");
    private static readonly Param Limit = new("limit", "Records a page: 0 to 100 (default 10); exports: -1 (default) for all.", "20", Integer: true);
    private static readonly Param Offset = new("offset", "Records to skip: offset + limit ≤ 10,000 (page deeper with cursor).", "0", Integer: true);
    private static readonly Param Refine = new("refine", "field:value (repeatable): only records where the field has this value.", "commune_name:Saint-Denis", Repeated: true);
    private static readonly Param Exclude = new("exclude", "field:value (repeatable): no record where the field has this value.", "status:skipped", Repeated: true);
    private static readonly Param Cursor = new("cursor", "The next_cursor of the previous page (record order; no offset, order_by or group_by).");
    private static readonly Param Facet = new("facet", "A field to count the values of (repeatable).", "commune_name", Repeated: true);

    private static readonly Dictionary<string, Param[]> ByOperation = new(StringComparer.Ordinal)
    {
        ["ExploreRecords"] = [Select, Where, GroupBy, OrderBy, Limit, Offset, Refine, Exclude, Cursor],
        ["ExploreRecord"] = [Select],
        ["ExploreFacets"] = [Facet, Where, Refine, Exclude],
        ["ExploreExport"] = [Select, Where, GroupBy, OrderBy, Limit, Offset, Refine, Exclude,
            new("delimiter", "CSV: the delimiter (default ;).", ","), new("with_bom", "CSV: start with a UTF-8 BOM (default true).", "false")],
        ["ExploreCatalogDatasets"] = [Where with { Example = "\"solaire\" and theme = \"ENER\"" }, OrderBy with { Example = "modified desc" }, Limit, Offset,
            Refine with { Example = "publisher_id:platform" }, Exclude with { Example = "license:odbl-1.0" }],
        ["ExploreCatalogFacets"] = [Facet with { Example = "theme" }, Where with { Example = "\"solaire\"" }, Refine, Exclude],
        ["ExploreCatalogExport"] = [Where with { Example = "\"solaire\"" }, OrderBy with { Example = "title" }, Refine, Exclude,
            new("delimiter", "CSV: the delimiter (default ;).", ","), new("with_bom", "CSV: start with a UTF-8 BOM (default true).", "false")],
        ["OgcItems"] = [new("limit", "Features a page, 1 to 10,000 (default 10).", "100", Integer: true),
            new("bbox", "Only features meeting the box: 4 or 6 numbers in bbox-crs's axis order.", "2.35,48.93,2.37,48.94"),
            new("bbox-crs", "The CRS of bbox (CRS84 default; EPSG:4326 is latitude first; EPSG:2154).", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
            new("crs", "The CRS of the geometries returned.", "http://www.opengis.net/def/crs/EPSG/0/2154"),
            new("datetime", "RFC 3339 instant or interval on the first date field.", "2024-01-01/.."),
            new("cursor", "From a next link."), new("offset", "Features to skip.", Integer: true)],
        ["OgcItem"] = [new("crs", "The CRS of the geometry returned.", "http://www.opengis.net/def/crs/EPSG/0/4326")],
    };

    public static IServiceCollection AddExploreOpenApi(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>("v1", o => o.AddOperationTransformer((operation, context, _) =>
        {
            if (operation.OperationId is { } id && ByOperation.TryGetValue(id, out var parameters))
            {
                operation.Parameters ??= [];
                foreach (var p in parameters)
                {
                    if (operation.Parameters.Any(x => x.Name == p.Name))
                    {
                        continue;
                    }
                    var schema = new OpenApiSchema { Type = p.Integer ? JsonSchemaType.Integer : JsonSchemaType.String };
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = p.Name,
                        In = ParameterLocation.Query,
                        Description = p.Description,
                        Required = false,
                        Schema = p.Repeated ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = schema } : schema,
                        Example = p.Example is null ? null : p.Integer && long.TryParse(p.Example, out var n) ? JsonValue.Create(n) : JsonValue.Create(p.Example),
                    });
                }
            }
            return Task.CompletedTask;
        }));
}
