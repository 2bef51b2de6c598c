using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Catalogue;

/// <summary>
/// The dataset page's API links, followed in the browser as a developer does: each one answers for this very dataset
/// (the explore API's records, description and exports, OGC API Features, the vector tiles' TileJSON and a tile, DCAT-AP,
/// the docs), and a dataset without a geometry offers neither OGC API Features nor tiles.
/// </summary>
public sealed class DatasetApiLinksTests(WebSite site)
{
    private const string Id = "solar-potential-buildings";

    [Fact]
    public async Task GeoDataset_EveryApiLink_AnswersForThisDataset()
    {
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        var rows = await RowCountAsync(Id);
        await browser.GotoAsync($"/catalogue/{Id}#telechargements");
        var links = page.Locator("#api-links");
        await Expect(links.Locator("a")).ToHaveCountAsync(13);
        await browser.ScreenshotAsync("1-api-links");
        await browser.AssertAccessibleAsync();

        var explore = $"/api/explore/v2.1/catalog/datasets/{Id}";
        using (var records = await FollowAsync(browser, "Enregistrements (10 premiers)", $"{explore}/records?limit=10"))
        {
            Assert.Equal(rows, records.RootElement.GetProperty("total_count").GetInt64());
            Assert.Equal(10, records.RootElement.GetProperty("results").GetArrayLength());
        }
        using (var description = await FollowAsync(browser, "Description du jeu de données", explore))
        {
            Assert.Equal(Id, description.RootElement.GetProperty("dataset_id").GetString());
        }
        using (var collection = await FollowAsync(browser, "Collection", $"/ogc/collections/{Id}"))
        {
            Assert.Equal(Id, collection.RootElement.GetProperty("id").GetString());
        }
        double lon, lat;
        using (var items = await FollowAsync(browser, "Entités (10 premières, GeoJSON)", $"/ogc/collections/{Id}/items?limit=10"))
        {
            Assert.Equal("FeatureCollection", items.RootElement.GetProperty("type").GetString());
            Assert.Equal(10, items.RootElement.GetProperty("numberReturned").GetInt32());
            Assert.Equal(rows, items.RootElement.GetProperty("numberMatched").GetInt64());
            (lon, lat) = FirstPosition(items.RootElement.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates"));
        }
        string tile;
        using (var tilejson = await FollowAsync(browser, "Document TileJSON", $"/tiles/{Id}/tilejson.json"))
        {
            var template = tilejson.RootElement.GetProperty("tiles")[0].GetString()!;
            Assert.EndsWith($"/tiles/{Id}/{{z}}/{{x}}/{{y}}.mvt", template, StringComparison.Ordinal);
            // The page writes the address it was served from; the TileJSON the platform's public address (PublicBaseUrl).
            await Expect(page.Locator("[data-api=tiles] code")).ToHaveTextAsync($"{site.BaseAddress.ToString().TrimEnd('/')}/tiles/{Id}/{{z}}/{{x}}/{{y}}.mvt");
            var (x, y) = TileAt(lon, lat, 16); // the tile of the first OGC feature: it holds that building
            tile = $"/tiles/{Id}/{{z}}/{{x}}/{{y}}.mvt".Replace("{z}", "16", StringComparison.Ordinal).Replace("{x}", x.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{y}", y.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        var mvt = await browser.Context.APIRequest.GetAsync(tile);
        Assert.Equal(200, mvt.Status);
        Assert.Equal("application/vnd.mapbox-vector-tile", mvt.Headers["content-type"]);
        Assert.NotEmpty(await mvt.BodyAsync());
        using (var dcat = await FollowAsync(browser, "DCAT-AP (JSON-LD)", $"/api/v1/datasets/{Id}/dcat.jsonld"))
        {
            Assert.Contains($"\"{Id}\"", dcat.RootElement.GetRawText(), StringComparison.Ordinal);
        }
        using (var openapi = await FollowAsync(browser, "Document OpenAPI 3.0", "/openapi/v1.json"))
        {
            Assert.True(openapi.RootElement.GetProperty("paths").TryGetProperty("/api/explore/v2.1/catalog/datasets/{dataset_id}/records", out _));
        }
        await page.GetByRole(AriaRole.Link, new() { Name = "Référence interactive de l’API" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/docs$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Documentation de l’API", Level = 1 })).ToBeVisibleAsync();
        await page.GoBackAsync();

        // The exports, as the browser would download them (its cookies, its address): every record, each format.
        var csv = await DownloadAsync(browser, "Export CSV", $"{explore}/exports/csv", "text/csv");
        Assert.Equal(rows + 1, System.Text.Encoding.UTF8.GetString(csv).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        using (var json = JsonDocument.Parse(await DownloadAsync(browser, "Export JSON", $"{explore}/exports/json", "application/json")))
        {
            Assert.Equal(rows, json.RootElement.GetArrayLength());
        }
        using (var geojson = JsonDocument.Parse(await DownloadAsync(browser, "Export GeoJSON", $"{explore}/exports/geojson", "application/geo+json")))
        {
            Assert.Equal(rows, geojson.RootElement.GetProperty("features").GetArrayLength());
        }
        var parquet = await DownloadAsync(browser, "Export Parquet", $"{explore}/exports/parquet", "application/vnd.apache.parquet");
        Assert.Equal("PAR1"u8.ToArray(), parquet[..4]);
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task DatasetWithoutGeometry_NoOgcNorTiles_InEnglish()
    {
        var partners = new Partners(site);
        var org = await partners.OrganisationAsync("Bike Club");
        var id = await partners.PublishCsvAsync(org, Partners.Token("counts-"), "Bike counts", "station,day,bikes\nA,2026-01-01,12\nB,2026-01-01,30\n");
        await using var browser = await BrowserPage.OpenAsync(site, locale: "en-GB");
        await browser.GotoAsync($"/catalogue/{id}?lang=en#telechargements");
        await Expect(browser.Page.Locator("#api-links [data-api]")).ToHaveCountAsync(3);
        await Expect(browser.Page.Locator("[data-api=ogc], [data-api=tiles], #api-explore-export-geojson")).ToHaveCountAsync(0);
        await Expect(browser.Page.Locator("a[data-format='parquet']")).ToHaveTextAsync(new Regex("^Parquet – "));
        using (var records = await FollowAsync(browser, "Records (first 10)", $"/api/explore/v2.1/catalog/datasets/{id}/records?limit=10"))
        {
            Assert.Equal(2, records.RootElement.GetProperty("total_count").GetInt64());
        }
        await browser.ScreenshotAsync("1-api-links-no-geometry");
        await browser.AssertAccessibleAsync();
        await browser.AssertHealthyAsync();
    }

    /// <summary>Clicks the link named <paramref name="name"/> (its href must be <paramref name="path"/>), reads the JSON the browser received, and comes back.</summary>
    private static async Task<JsonDocument> FollowAsync(BrowserPage browser, string name, string path)
    {
        var page = browser.Page;
        var link = page.Locator("#api-links").GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
        await Expect(link).ToHaveAttributeAsync("href", path);
        var response = await page.RunAndWaitForResponseAsync(() => link.ClickAsync(), r => r.Request.IsNavigationRequest);
        Assert.True(response.Status == 200, $"{path}: {response.Status}");
        var document = JsonDocument.Parse(await response.BodyAsync());
        await page.GoBackAsync(new() { WaitUntil = WaitUntilState.NetworkIdle });
        await Expect(page.Locator("#api-links")).ToBeVisibleAsync();
        return document;
    }

    private static async Task<byte[]> DownloadAsync(BrowserPage browser, string name, string path, string mediaType)
    {
        var link = browser.Page.Locator("#api-links").GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
        await Expect(link).ToHaveAttributeAsync("href", path);
        var response = await browser.Context.APIRequest.GetAsync(path);
        Assert.True(response.Status == 200, $"{path}: {response.Status}");
        Assert.StartsWith(mediaType, response.Headers["content-type"], StringComparison.Ordinal);
        return await response.BodyAsync();
    }

    private async Task<long> RowCountAsync(string id)
    {
        using var http = new HttpClient { BaseAddress = site.BaseAddress };
        using var d = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/datasets/{id}", TestContext.Current.CancellationToken));
        return d.RootElement.GetProperty("rowCount").GetInt64();
    }

    private static (double Lon, double Lat) FirstPosition(JsonElement coordinates) =>
        coordinates[0].ValueKind == JsonValueKind.Number ? (coordinates[0].GetDouble(), coordinates[1].GetDouble()) : FirstPosition(coordinates[0]);

    private static (int X, int Y) TileAt(double lon, double lat, int z)
    {
        var n = 1 << z;
        var x = (int)Math.Floor((lon + 180) / 360 * n);
        var r = lat * Math.PI / 180;
        var y = (int)Math.Floor((1 - Math.Log(Math.Tan(r) + 1 / Math.Cos(r)) / Math.PI) / 2 * n);
        return (x, y);
    }
}
