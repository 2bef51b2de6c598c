using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

public sealed class CatalogSearchTests(TestDatabase db) : CatalogTest(db)
{
    private async Task<(HttpClient Client, string Org, string Token)> SeedAsync()
    {
        var org = await Kit.OrgAsync("search");
        var (_, key) = await Kit.UserWithKeyAsync(org, "admin");
        var client = Kit.Client(key);
        var token = "zq" + Guid.NewGuid().ToString("N")[..10];
        await Kit.CreateDatasetAsync(client, org.Slug, "public", extra: new
        {
            title = $"Écoles élémentaires {token}", description = "Potentiel solaire des toitures des écoles.", themes = new[] { "EDUC", "ENER" },
            licence = "etalab-2.0", keywords = new[] { "solaire" },
        });
        await Kit.CreateDatasetAsync(client, org.Slug, "public", extra: new
        {
            title = $"Arbres plantés {token}", description = "Trees planted by the city in 2024.", themes = new[] { "ENVI" },
        });
        await Kit.CreateDatasetAsync(client, org.Slug, "private", extra: new
        {
            title = $"Écoles privées {token}", description = "Confidentiel.", themes = new[] { "EDUC" }, keywords = Array.Empty<string>(),
        });
        return (client, org.Slug, token);
    }

    private static async Task<JsonElement> SearchAsync(HttpClient client, string query)
    {
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, "/api/v1/datasets?" + query);
        Assert.Equal(200, status);
        return JsonDocument.Parse(body).RootElement;
    }

    [Theory]
    [InlineData("ecoles", "Écoles élémentaires")]     // accents ignored
    [InlineData("école", "Écoles élémentaires")]      // French stemming: singular finds plural
    [InlineData("arbre", "Arbres plantés")]
    [InlineData("tree", "Arbres plantés")]            // English stemming over the description
    [InlineData("toiture", "Écoles élémentaires")]
    public async Task Search_FrenchEnglishAccentInsensitive_FindsDataset(string word, string expectedTitle)
    {
        var (client, _, token) = await SeedAsync();
        using var anonymous = Kit.Client();
        var result = await SearchAsync(anonymous, $"q={Uri.EscapeDataString(word + " " + token)}");
        Assert.Equal(1, result.GetProperty("total").GetInt64());
        Assert.StartsWith(expectedTitle, result.GetProperty("items")[0].GetProperty("title").GetString());
        client.Dispose();
    }

    [Fact]
    public async Task Facets_CountOnlyVisible_OwnerSeesPrivateToo()
    {
        var (client, org, _) = await SeedAsync();
        using var anonymous = Kit.Client();
        var open = await SearchAsync(anonymous, $"publisher={org}");
        Assert.Equal(2, open.GetProperty("total").GetInt64());
        var themes = open.GetProperty("facets").GetProperty("theme").EnumerateArray().ToDictionary(f => f.GetProperty("value").GetString()!, f => f.GetProperty("count").GetInt64());
        Assert.Equal(1, themes["EDUC"]);
        Assert.Equal(1, themes["ENVI"]);
        Assert.Equal(2, open.GetProperty("facets").GetProperty("publisher")[0].GetProperty("count").GetInt64());

        var owner = await SearchAsync(client, $"publisher={org}&theme=EDUC&sort=title");
        Assert.Equal(2, owner.GetProperty("total").GetInt64());
        Assert.Equal(["Écoles élémentaires", "Écoles privées"], owner.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()![..(i.GetProperty("title").GetString()!.LastIndexOf(' '))]));
        var licences = owner.GetProperty("facets").GetProperty("licence").EnumerateArray().Select(f => f.GetProperty("value").GetString()).Order();
        Assert.Equal(["etalab-2.0", "odbl-1.0"], licences);
        client.Dispose();
    }

    [Fact]
    public async Task Dcat_TurtleAndJsonLd_EscapeHostileText_AndPage()
    {
        var org = await Kit.OrgAsync("dcat");
        var (_, key) = await Kit.UserWithKeyAsync(org, "admin");
        using var client = Kit.Client(key);
        var hostile = "Le \"grand\" <script>alert(1)</script> \\ jeu\n> .";
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "public", extra: new
        {
            title = hostile, updateFrequency = "ANNUAL", landingPage = "https://example.org/a b>c",
            contact = new { name = "Ana", email = "ana@example.org" }, spatial = new { bboxWgs84 = new[] { 2.2, 48.8, 2.5, 49.0 }, communes = new[] { "93066" } },
            temporal = new { start = "2024-01-01", end = "2024-12-31" },
        })).GetProperty("id").GetString()!;

        using var anonymous = Kit.Client();
        var (status, ttl) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}/dcat.ttl");
        Assert.Equal(200, status);
        Assert.Contains("dct:title \"Le \\\"grand\\\" <script>alert(1)</script> \\\\ jeu\\n> .\"@fr", ttl);
        Assert.Contains("dcat:landingPage <https://example.org/a%20b%3Ec>", ttl);
        Assert.Contains("dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/ANNUAL>", ttl);
        Assert.Contains("dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC>", ttl);
        Assert.Contains("\"POLYGON((2.2 48.8, 2.5 48.8, 2.5 49, 2.2 49, 2.2 48.8))\"^^gsp:wktLiteral", ttl);

        var (_, jsonld) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}/dcat.jsonld");
        var graph = JsonDocument.Parse(jsonld).RootElement.GetProperty("@graph");
        var dataset = graph.EnumerateArray().Single(n => n.TryGetProperty("@type", out var t) && t[0].GetString() == "dcat:Dataset");
        Assert.Equal(hostile, dataset.GetProperty("dct:title")[0].GetProperty("@value").GetString());

        // Paging needs a second public dataset; this test owns its rows rather than counting on other tests' datasets.
        await Kit.CreateDatasetAsync(client, org.Slug, "public");
        var (_, page) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/catalog.ttl?pageSize=1");
        Assert.Contains("hydra:next <", page);
        Assert.Contains("a dcat:Catalog", page);
    }
}
