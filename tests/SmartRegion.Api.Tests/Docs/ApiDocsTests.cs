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

    /// <summary>
    /// A summary is an operation's one-line title (Scalar's sidebar entry and heading, a generated client's doc comment):
    /// at most 80 characters, the rest of what there is to say in its description. Every operation has one.
    /// </summary>
    [Fact]
    public async Task OpenApi_EveryOperation_HasASummaryOfOneShortLine()
    {
        using var client = Kit.Client();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", Ct));
        var operations = doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(op => op.Name is "get" or "put" or "post" or "delete" or "patch" or "head")
                .Select(op => (Name: $"{op.Name.ToUpperInvariant()} {path.Name}",
                    Summary: op.Value.TryGetProperty("summary", out var s) ? s.GetString() ?? "" : "")))
            .ToList();
        Assert.True(operations.Count > 50, $"only {operations.Count} operations in the document");
        var missing = operations.Where(o => o.Summary.Trim().Length == 0).Select(o => o.Name).ToList();
        Assert.True(missing.Count == 0, "operations without a summary:\n" + string.Join("\n", missing));
        var tooLong = operations.Where(o => o.Summary.Length > 80).Select(o => $"{o.Summary.Length}: {o.Name}: {o.Summary}").ToList();
        Assert.True(tooLong.Count == 0, "summaries over 80 characters:\n" + string.Join("\n", tooLong));
    }
}
