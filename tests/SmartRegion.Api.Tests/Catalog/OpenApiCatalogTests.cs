using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

public sealed class OpenApiCatalogTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task OpenApiDocument_DescribesCatalogueWithExamples()
    {
        using var client = Kit.Client();
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, "/openapi/v1.json");
        Assert.Equal(200, status);
        var doc = JsonDocument.Parse(body).RootElement;
        var paths = doc.GetProperty("paths");
        foreach (var path in new[]
        {
            "/api/v1/datasets", "/api/v1/datasets/{id}", "/api/v1/datasets/{id}/versions", "/api/v1/datasets/{id}/versions/{number}/publish",
            "/api/v1/datasets/{id}/rollback", "/api/v1/datasets/{id}/records", "/api/v1/datasets/{id}/grants", "/api/v1/datasets/{id}/access-log",
            "/api/v1/keys", "/api/v1/jobs/{jobId}", "/api/v1/auth/login", "/catalog.ttl", "/api/v1/datasets/{id}/dcat.jsonld",
        })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }
        var create = paths.GetProperty("/api/v1/datasets").GetProperty("post");
        Assert.True(create.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out var example), create.ToString());
        Assert.Equal("etalab-2.0", example.GetProperty("licence").GetString());
        Assert.True(doc.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Apikey", out _));
    }
}
