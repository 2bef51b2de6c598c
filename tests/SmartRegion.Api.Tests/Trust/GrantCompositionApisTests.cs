using System.Net;
using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Api.Tests.Tiles;
using SmartRegion.Parquet;
using SmartRegion.Testing;
using static SmartRegion.Api.Tests.Explore.ExploreKit;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 1 through the developers' APIs: a grantee holding two grants with different fields on different rows reads,
/// through the explore API (select, where, full text, refine, group_by, order_by, aggregates, facets, record by id,
/// exports), OGC API Features (items, property filters, bbox, extent) and the vector tiles (features, attributes,
/// TileJSON bounds), each grant's fields on that grant's rows only — in what is shown and in what a filter may test.
/// </summary>
public sealed class GrantCompositionApisTests(TestDatabase db) : CatalogTest(db)
{
    private const string Explore = "/api/explore/v2.1/catalog/datasets";

    /// <summary>
    /// The schools of <see cref="ExploreKit"/>, restricted, with two grants to one partner: names and points of the
    /// Saint-Denis schools (ids 1, 2, 7, 8), communes and potentials of the Pantin ones (5, 6). Aubervilliers (3, 4) in neither.
    /// </summary>
    private async Task<(string Id, HttpClient Grantee)> TwoGrantsAsync()
    {
        var published = await PublishAsync(Kit, "restricted");
        var partner = await Kit.OrgAsync("partner", "university");
        await Kit.Datasets.CreateGrantAsync(published.DatasetId, partner.Id, "bâtiments", DateTimeOffset.UtcNow.AddDays(5), ["id", "nom", "geom"],
            new Dictionary<string, string> { ["commune"] = "Saint-Denis" }, null, Ct);
        await Kit.Datasets.CreateGrantAsync(published.DatasetId, partner.Id, "potentiels", DateTimeOffset.UtcNow.AddDays(5), ["id", "commune", "potentiel_kwh"],
            new Dictionary<string, string> { ["commune"] = "Pantin" }, null, Ct);
        var (_, key) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        return (published.Id, Kit.Client(key));
    }

    private static string Row(JsonElement r, params string[] names) =>
        string.Join('|', names.Select(n => r.TryGetProperty(n, out var v) ? v.ValueKind == JsonValueKind.Null ? "" : v.ToString() : "-"));

    private static async Task<long> TotalAsync(HttpClient client, string url)
    {
        var (status, body, text) = await GetJsonAsync(client, url);
        Assert.True(status == 200, text);
        return body.GetProperty("total_count").GetInt64();
    }

    [Fact]
    public async Task ExploreApi_TwoGrants_EachGrantsFieldsOnlyOnItsRows_InResultsAndFilters()
    {
        var (id, grantee) = await TwoGrantsAsync();
        using var _ = grantee;
        var url = $"{Explore}/{id}";

        var (status, page, text) = await GetJsonAsync(grantee, $"{url}/records?select=id,nom,commune,potentiel_kwh&order_by=id&limit=100");
        Assert.True(status == 200, text);
        Assert.Equal(6, page.GetProperty("total_count").GetInt64());
        Assert.Equal(
            ["1|École Jean Jaurès||", "2|Collège \"Elsa\"||", "5||Pantin|300", "6||Pantin|450.25", "7|-moins||", "8|Stade de France||"],
            page.GetProperty("results").EnumerateArray().Select(r => Row(r, "id", "nom", "commune", "potentiel_kwh")));

        // A filter tests a field only where the caller may read it: a Saint-Denis potential or a Pantin name matches nothing.
        Assert.Equal(2, await TotalAsync(grantee, $"{url}/records?where={Q("potentiel_kwh > 0")}"));
        Assert.Equal(0, await TotalAsync(grantee, $"{url}/records?where={Q("potentiel_kwh >= 975")}"));
        Assert.Equal(0, await TotalAsync(grantee, $"{url}/records?where={Q("nom = \"@mairie\"")}"));
        Assert.Equal(0, await TotalAsync(grantee, $"{url}/records?where={Q("commune = \"Saint-Denis\"")}"));
        Assert.Equal(0, await TotalAsync(grantee, $"{url}/records?where={Q("nom is not null and potentiel_kwh is not null")}"));
        Assert.Equal(0, await TotalAsync(grantee, $"{url}/records?refine=commune:Saint-Denis"));
        Assert.Equal(0, await TotalAsync(grantee, $"{url}/records?where={Q("\"Saint*\"")}"));
        Assert.Equal(2, await TotalAsync(grantee, $"{url}/records?where={Q("\"Pantin\"")}"));
        Assert.Equal(1, await TotalAsync(grantee, $"{url}/records?where={Q("\"Stade\"")}"));
        // The Pantin points are not the grantee's: a distance or a box there finds nothing; around Saint-Denis, its schools.
        Assert.Equal(0, await TotalAsync(grantee, $"{url}/records?where={Q("in_bbox(geom, 48.89, 2.39, 48.90, 2.41)")}"));
        Assert.Equal(3, await TotalAsync(grantee, $"{url}/records?where={Q("within_distance(geom, geom'POINT(2.3550 48.9350)', 400m)")}"));

        var (_, groups, _) = await GetJsonAsync(grantee, $"{url}/records?select=commune,count(*) as n&group_by=commune&order_by=n");
        Assert.Equal(["Pantin|2", "|4"], groups.GetProperty("results").EnumerateArray().Select(r => Row(r, "commune", "n")));
        var (_, sum, _) = await GetJsonAsync(grantee, $"{url}/records?select=sum(potentiel_kwh) as s, max(potentiel_kwh) as m");
        Assert.Equal("750.25|450.25", Row(sum.GetProperty("results")[0], "s", "m"));
        var (_, top, _) = await GetJsonAsync(grantee, $"{url}/records?select=id&order_by=potentiel_kwh desc&limit=1");
        Assert.Equal("6", Row(top.GetProperty("results")[0], "id"));

        var (_, facets, facetText) = await GetJsonAsync(grantee, $"{url}/facets?facet=commune&facet=nom");
        var byName = facets.GetProperty("facets").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!,
            f => f.GetProperty("facets").EnumerateArray().Where(v => v.GetProperty("value").GetString() != "")
                .Select(v => $"{v.GetProperty("value").GetString()}:{v.GetProperty("count").GetInt64()}").Order(StringComparer.Ordinal).ToList());
        Assert.Equal(["Pantin:2"], byName["commune"]);
        Assert.Equal(["-moins:1", "Collège \"Elsa\":1", "Stade de France:1", "École Jean Jaurès:1"], byName["nom"]);
        Assert.DoesNotContain("Saint-Denis", facetText);
        Assert.DoesNotContain("@mairie", facetText);

        // One record by id: a Pantin school shows its commune and potential, not its name nor its point.
        var (_, pantin, _) = await GetJsonAsync(grantee, $"{url}/records?where=id=6");
        var recordId = pantin.GetProperty("results")[0].GetProperty("_id").GetString();
        var (_, record, _) = await GetJsonAsync(grantee, $"{url}/records/{recordId}");
        Assert.Equal("6||Pantin|450.25|", Row(record, "id", "nom", "commune", "potentiel_kwh", "geom"));
    }

    [Fact]
    public async Task ExploreExports_TwoGrants_EachGrantsFieldsOnlyOnItsRows()
    {
        var (id, grantee) = await TwoGrantsAsync();
        using var _ = grantee;
        var url = $"{Explore}/{id}/exports";

        var csv = await grantee.GetStringAsync($"{url}/csv?with_bom=false&select=id,nom,commune,potentiel_kwh&order_by=id", Ct);
        Assert.Equal("id;nom;commune;potentiel_kwh\r\n1;École Jean Jaurès;;\r\n2;\"Collège \"\"Elsa\"\"\";;\r\n5;;Pantin;300\r\n6;;Pantin;450.25\r\n7;'-moins;;\r\n8;Stade de France;;\r\n", csv);

        var geojson = JsonDocument.Parse(await grantee.GetStringAsync($"{url}/geojson?order_by=id", Ct)).RootElement;
        var features = geojson.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal([1L, 2, 5, 6, 7, 8], features.Select(f => f.GetProperty("properties").GetProperty("id").GetInt64()));
        Assert.Equal([true, true, false, false, true, true], features.Select(f => f.GetProperty("geometry").ValueKind == JsonValueKind.Object));
        Assert.Equal(["", "", "Pantin", "Pantin", "", ""], features.Select(f => Row(f.GetProperty("properties"), "commune")));

        var parquet = await grantee.GetByteArrayAsync($"{url}/parquet?order_by=id", Ct);
        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(parquet), "export.parquet", Ct);
        var potentials = new List<double?>();
        var names = new List<string?>();
        await foreach (var group in reader.ReadAsync(["potentiel_kwh", "nom"], cancellationToken: Ct))
        {
            for (var r = 0; r < group.RowCount; r++)
            {
                potentials.Add((double?)group["potentiel_kwh"].GetValue(r));
                names.Add((string?)group["nom"].GetValue(r));
            }
        }
        Assert.Equal([null, null, 300, 450.25, null, null], potentials);
        Assert.Equal(["École Jean Jaurès", "Collège \"Elsa\"", null, null, "-moins", "Stade de France"], names);
    }

    [Fact]
    public async Task OgcItems_TwoGrants_EachGrantsFieldsOnlyOnItsRows()
    {
        var (id, grantee) = await TwoGrantsAsync();
        using var _ = grantee;
        var items = $"/ogc/collections/{id}/items";

        var (status, page, text) = await GetJsonAsync(grantee, $"{items}?limit=100");
        Assert.True(status == 200, text);
        Assert.Equal(6, page.GetProperty("numberMatched").GetInt64());
        var features = page.GetProperty("features").EnumerateArray()
            .OrderBy(f => f.GetProperty("properties").GetProperty("id").GetInt64()).ToList();
        Assert.Equal(["1|École Jean Jaurès||", "2|Collège \"Elsa\"||", "5||Pantin|300", "6||Pantin|450.25", "7|-moins||", "8|Stade de France||"],
            features.Select(f => Row(f.GetProperty("properties"), "id", "nom", "commune", "potentiel_kwh")));
        Assert.Equal([true, true, false, false, true, true], features.Select(f => f.GetProperty("geometry").ValueKind == JsonValueKind.Object));

        Assert.Equal(0, (await GetJsonAsync(grantee, $"{items}?commune=Saint-Denis")).Body.GetProperty("numberMatched").GetInt64());
        Assert.Equal(2, (await GetJsonAsync(grantee, $"{items}?commune=Pantin")).Body.GetProperty("numberMatched").GetInt64());
        Assert.Equal(0, (await GetJsonAsync(grantee, $"{items}?nom=%40mairie")).Body.GetProperty("numberMatched").GetInt64());
        Assert.Equal(0, (await GetJsonAsync(grantee, $"{items}?bbox=2.39,48.89,2.41,48.90")).Body.GetProperty("numberMatched").GetInt64());
        Assert.Equal(4, (await GetJsonAsync(grantee, $"{items}?bbox=2.35,48.92,2.37,48.94")).Body.GetProperty("numberMatched").GetInt64());

        // The collection's extent is the dataset's only for a caller who sees every point: here, the CRS's area of use.
        var (_, collection, _) = await GetJsonAsync(grantee, $"/ogc/collections/{id}");
        var bbox = collection.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0].EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.True(bbox[2] - bbox[0] > 1, $"extent {string.Join(',', bbox)} narrows to the dataset's points");
    }

    [Fact]
    public async Task VectorTiles_TwoGrants_EachGrantsFieldsOnlyOnItsRows()
    {
        var (id, grantee) = await TwoGrantsAsync();
        using var _ = grantee;
        using var response = await grantee.GetAsync($"/tiles/{id}/0/0/0.mvt", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var layer = Assert.Single(MvtLayer.Decode(await response.Content.ReadAsByteArrayAsync(Ct)));
        // Only the Saint-Denis points are the grantee's to draw, with their names; no commune, no potential on them.
        Assert.Equal(["1|École Jean Jaurès", "2|Collège \"Elsa\"", "7|-moins", "8|Stade de France"],
            layer.Features.OrderBy(f => Convert.ToInt64(f["id"])).Select(f => $"{f["id"]}|{f["nom"]}"));
        Assert.All(layer.Features, f => Assert.Equal(["id", "nom"], f.Keys.Order(StringComparer.Ordinal)));

        var (_, tilejson, _) = await GetJsonAsync(grantee, $"/tiles/{id}/tilejson.json");
        Assert.Equal([-180.0, -85.0511, 180, 85.0511], tilejson.GetProperty("bounds").EnumerateArray().Select(v => v.GetDouble()));
    }
}
