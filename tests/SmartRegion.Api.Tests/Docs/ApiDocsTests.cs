using System.Net;
using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Docs;

public sealed class ApiDocsTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task Docs_PageAndViewerServedLocally_NoExternalScript()
    {
        using var client = Kit.Client();
        using var page = await client.GetAsync("/docs/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        // The page's module draws the chrome, then loads the viewer from the platform itself (never a CDN).
        Assert.Contains("<script type=\"module\" src=\"/js/docs/docs.js\"></script>", html);
        Assert.DoesNotContain("http", html.Replace("http-equiv", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        using var viewer = await client.GetAsync("/scalar/scalar.js", Ct);
        Assert.Equal(HttpStatusCode.OK, viewer.StatusCode);
        Assert.True((await viewer.Content.ReadAsByteArrayAsync(Ct)).Length > 100_000);
        using var module = await client.GetAsync("/js/docs/docs.js", Ct);
        var moduleText = await module.Content.ReadAsStringAsync(Ct);
        Assert.Contains("/openapi/v1.json", moduleText);
        Assert.Contains("script.src = '/scalar/scalar.js';", moduleText);
    }

    [Fact]
    public async Task OpenApi_TypedSchemasAndExploreParametersWithExamples()
    {
        using var client = Kit.Client();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", Ct));
        var root = doc.RootElement;
        Assert.StartsWith("3.0", root.GetProperty("openapi").GetString());
        // "Try it" calls go to the platform's public address, whatever Host the document was asked with.
        Assert.Equal(ApiFactory.PublicBaseUrl, Assert.Single(root.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString());
        var schemas = root.GetProperty("components").GetProperty("schemas");
        var report = schemas.GetProperty("SolarBuildingReport").GetProperty("properties");
        foreach (var name in new[] { "building", "roofFaces", "panels", "finance", "configurations", "uncertainty", "provenance", "annualKwhAc", "monthlyKwhAc" })
        {
            Assert.True(report.TryGetProperty(name, out _), $"SolarBuildingReport lacks {name}");
        }
        Assert.True(schemas.GetProperty("SolarRoofFace").GetProperty("properties").TryGetProperty("tiltDeg", out _));
        var records = root.GetProperty("paths").GetProperty("/api/explore/v2.1/catalog/datasets/{dataset_id}/records").GetProperty("get");
        var parameters = records.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        foreach (var name in new[] { "select", "where", "group_by", "order_by", "limit", "offset", "refine", "exclude", "cursor" })
        {
            Assert.True(parameters.ContainsKey(name), $"records lacks the {name} parameter");
        }
        Assert.Contains("within_distance", parameters["where"].GetProperty("example").GetString());
        var ok = records.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.EndsWith("ExploreRecordsPage", ok.GetProperty("$ref").GetString());
        var solar = root.GetProperty("paths").GetProperty("/api/v1/solar/buildings/{id}").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.EndsWith("SolarBuildingReport", solar.GetProperty("$ref").GetString());
    }
}
