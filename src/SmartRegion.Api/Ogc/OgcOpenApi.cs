using System.Text.Json.Nodes;

namespace SmartRegion.Api.Ogc;

/// <summary>The OpenAPI 3.0 definition of the OGC API (its own service-desc, as Part 1's oas30 class asks; clients such as GDAL read the limit's bounds from it).</summary>
internal static class OgcOpenApi
{
    public static JsonObject Document(string baseUrl)
    {
        static JsonObject Param(string name, string description, JsonObject schema, bool required = false, string @in = "query") => new()
        {
            ["name"] = name,
            ["in"] = @in,
            ["description"] = description,
            ["required"] = required,
            ["schema"] = schema,
            ["style"] = "form",
            ["explode"] = false,
        };
        static JsonObject Ok(string description, string type) => new()
        {
            ["200"] = new JsonObject { ["description"] = description, ["content"] = new JsonObject { [type] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } } } },
            ["400"] = new JsonObject { ["description"] = "An unknown or invalid parameter (RFC 9457 problem)." },
            ["404"] = new JsonObject { ["description"] = "No such collection or feature." },
        };
        var collectionId = Param("collectionId", "A dataset id.", new JsonObject { ["type"] = "string" }, true, "path");
        var crs = Param("crs", "The CRS of the geometries returned.", new JsonObject
        {
            ["type"] = "string",
            ["format"] = "uri",
            ["enum"] = new JsonArray(OgcEndpoints.Crs84, OgcEndpoints.Epsg4326, OgcEndpoints.Epsg2154),
            ["default"] = OgcEndpoints.Crs84,
        });
        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject { ["title"] = "SmartRegion OGC API – Features", ["version"] = "1.0.0" },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = baseUrl }),
            ["paths"] = new JsonObject
            {
                ["/"] = Get("Landing page", [], Ok("Links to the API, conformance and collections.", "application/json")),
                ["/conformance"] = Get("Conformance classes", [], Ok("The conformance classes.", "application/json")),
                ["/collections"] = Get("Collections", [], Ok("Every collection the caller may see.", "application/json")),
                ["/collections/{collectionId}"] = Get("A collection", [collectionId.DeepClone()], Ok("The collection.", "application/json")),
                ["/collections/{collectionId}/items"] = Get("Features", [
                    collectionId.DeepClone(),
                    Param("limit", "Features per page.", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = OgcEndpoints.MaxLimit, ["default"] = 10 }),
                    Param("bbox", "Only features intersecting this box: 4 or 6 numbers in bbox-crs's axis order.", new JsonObject
                    {
                        ["type"] = "array", ["minItems"] = 4, ["maxItems"] = 6, ["items"] = new JsonObject { ["type"] = "number" },
                    }),
                    Param("bbox-crs", "The CRS of bbox.", new JsonObject
                    {
                        ["type"] = "string", ["format"] = "uri",
                        ["enum"] = new JsonArray(OgcEndpoints.Crs84, OgcEndpoints.Epsg4326, OgcEndpoints.Epsg2154), ["default"] = OgcEndpoints.Crs84,
                    }),
                    Param("datetime", "An RFC 3339 instant or interval (start/end, '..' open), on the collection's first date field.", new JsonObject { ["type"] = "string" }),
                    crs.DeepClone(),
                ], Ok("A page of features with numberMatched, numberReturned and a next link.", "application/geo+json")),
                ["/collections/{collectionId}/items/{featureId}"] = Get("A feature", [
                    collectionId.DeepClone(),
                    Param("featureId", "The feature's id.", new JsonObject { ["type"] = "string" }, true, "path"),
                    crs.DeepClone(),
                ], Ok("The feature.", "application/geo+json")),
            },
        };
    }

    private static JsonObject Get(string summary, JsonNode[] parameters, JsonObject responses) => new()
    {
        ["get"] = new JsonObject
        {
            ["summary"] = summary,
            ["parameters"] = new JsonArray([.. parameters]),
            ["responses"] = responses,
        },
    };
}
