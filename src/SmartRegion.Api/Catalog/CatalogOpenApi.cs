using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SmartRegion.Api.Catalog;

/// <summary>The catalogue's part of the OpenAPI document: the API-key security scheme and request examples.</summary>
internal static class CatalogOpenApi
{
    private static readonly Dictionary<(string Method, string Path), string> Examples = new()
    {
        [("POST", "api/v1/datasets")] = """
            {"id":"ecoles-potentiel-solaire","publisher":"data-for-good","title":"Potentiel solaire des écoles de Seine-Saint-Denis",
             "description":"Calculé par **Data For Good** à partir de la BD TOPO.","contact":{"name":"Équipe données","email":"data@example.org"},
             "licence":"etalab-2.0","keywords":["solaire","écoles"],"themes":["ENER","EDUC"],
             "spatial":{"bboxWgs84":[2.28,48.81,2.61,49.01],"communes":["93066"]},"temporal":{"start":"2024-01-01","end":"2024-12-31"},
             "updateFrequency":"ANNUAL","landingPage":"https://dataforgood.fr/","visibility":"restricted"}
            """,
        [("PATCH", "api/v1/datasets/{id}")] = """{"title":"Potentiel solaire des écoles (2025)","keywords":["solaire","écoles","toitures"]}""",
        [("POST", "api/v1/datasets/{id}/grants")] = """
            {"organisation":"institut-paris-region","purpose":"Étude PCAET 2026","expiresAt":"2027-06-30T00:00:00Z",
             "fields":["nom_etablissement","potentiel_solaire"],"rowFilter":{"code_commune":"93066"}}
            """,
        [("POST", "api/v1/datasets/{id}/rollback")] = """{"version":1}""",
        [("POST", "api/v1/keys")] = """{"name":"etl-nightly","organisation":"data-for-good","scopes":["read","publish"],"expiresAt":"2027-01-01T00:00:00Z"}""",
        [("POST", "api/v1/auth/login")] = """{"email":"ana@example.org","password":"correct horse battery staple"}""",
    };

    public static IServiceCollection AddCatalogOpenApi(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>("v1", o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Components ??= new OpenApiComponents();
                doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                doc.Components.SecuritySchemes["Apikey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "Authorization",
                    Description = "'Authorization: Apikey <key>' (or 'Bearer <key>'). Keys in the URL are refused. People use the session cookie from /api/v1/auth/login plus the X-CSRF-Token header.",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                // Routes mapped with "" inside a group end with a slash here.
                var key = (context.Description.HttpMethod ?? "", (context.Description.RelativePath ?? "").TrimEnd('/'));
                if (Examples.TryGetValue(key, out var example) && operation.RequestBody?.Content is { } content
                    && content.TryGetValue("application/json", out var json))
                {
                    json.Example = JsonNode.Parse(example);
                }
                return Task.CompletedTask;
            });
        });
}
