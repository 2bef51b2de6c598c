using System.Text;
using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Parquet;
using SmartRegion.Testing;
using static SmartRegion.Api.Tests.Explore.ExploreKit;

namespace SmartRegion.Api.Tests.Explore;

public sealed class ExploreApiTests(TestDatabase db) : CatalogTest(db)
{
    private const string Base = "/api/explore/v2.1/catalog/datasets";

    private async Task<(HttpClient Client, string Url)> SchoolsAsync()
    {
        var published = await PublishAsync(Kit);
        return (Kit.Client(), $"{Base}/{published.Id}");
    }

    private static List<long> Ids(JsonElement page) => [.. page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64())];

    [Fact]
    public async Task Records_DefaultPage_ReferenceShapeWithIdsAndGeoShapeFeatures()
    {
        var (client, url) = await SchoolsAsync();
        var (status, page, text) = await GetJsonAsync(client, $"{url}/records");
        Assert.Equal(200, status);
        Assert.Equal(8, page.GetProperty("total_count").GetInt64());
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], Ids(page));
        var first = page.GetProperty("results")[0];
        var ids = page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("_id").GetString()).ToList();
        Assert.Equal(8, ids.Distinct().Count());
        Assert.Equal("École Jean Jaurès", first.GetProperty("nom").GetString());
        Assert.Equal(1200.5, first.GetProperty("potentiel_kwh").GetDouble());
        Assert.Equal("2021-03-04", first.GetProperty("mise_en_service").GetString());
        Assert.True(first.GetProperty("actif").GetBoolean());
        var geom = first.GetProperty("geom");
        Assert.Equal("Feature", geom.GetProperty("type").GetString());
        Assert.Equal(2.355, geom.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble(), 6);
        Assert.Equal(48.935, geom.GetProperty("geometry").GetProperty("coordinates")[1].GetDouble(), 6);
        Assert.Equal(JsonValueKind.Null, page.GetProperty("results")[3].GetProperty("potentiel_kwh").ValueKind);
        Assert.DoesNotContain("next_cursor", text, StringComparison.Ordinal);

        var (_, single, _) = await GetJsonAsync(client, $"{url}/records/{ids[6]}");
        Assert.Equal("-moins", single.GetProperty("nom").GetString());
        Assert.Equal(ids[6], single.GetProperty("_id").GetString());
        var (missing, error, _) = await GetJsonAsync(client, $"{url}/records/99");
        Assert.Equal(404, missing);
        Assert.Equal("NoSuchRecord", error.GetProperty("error_code").GetString());
    }

    [Theory]
    [InlineData("potentiel_kwh > 500 and commune = \"Saint-Denis\"", new long[] { 1, 2, 7, 8 })]
    [InlineData("commune in (\"Pantin\", 'Aubervilliers')", new long[] { 3, 4, 5, 6 })]
    [InlineData("not commune in (\"Pantin\", 'Aubervilliers')", new long[] { 1, 2, 7, 8 })]
    [InlineData("potentiel_kwh in [300..975]", new long[] { 2, 5, 6, 7 })]
    [InlineData("potentiel_kwh in ]300..975[", new long[] { 2, 6 })]
    [InlineData("potentiel_kwh is null", new long[] { 4 })]
    [InlineData("potentiel_kwh is not null and potentiel_kwh * 2 >= 2000", new long[] { 1, 8 })]
    [InlineData("nom like \"Coll*\"", new long[] { 2 })]
    [InlineData("nom like \"%\"", new long[] { })]
    [InlineData("\"jaur*\"", new long[] { 1 })]
    [InlineData("\"france\" or \"gymnase\"", new long[] { 4, 8 })]
    [InlineData("search(nom, \"stade\")", new long[] { 8 })]
    [InlineData("mise_en_service >= date'2021-01-01' and actif = true", new long[] { 1, 4, 6, 7 })]
    [InlineData("mise_en_service < \"2020-01-01\"", new long[] { 3, 8 })]
    [InlineData("year(mise_en_service) = 2021", new long[] { 1, 5, 7 })]
    [InlineData("within_distance(geom, geom'POINT(2.3550 48.9350)', 400m)", new long[] { 1, 2, 7 })]
    [InlineData("within_distance(geom, geom'{\"type\":\"Point\",\"coordinates\":[2.3550,48.9350]}', 0.2km)", new long[] { 1 })]
    [InlineData("in_bbox(geom, 48.89, 2.39, 48.90, 2.41)", new long[] { 5, 6 })]
    [InlineData("intersects(geom, geom'POLYGON((2.38 48.91, 2.39 48.91, 2.39 48.92, 2.38 48.92, 2.38 48.91))')", new long[] { 3, 4 })]
    [InlineData("within(geom, geom'POLYGON((2.38 48.91, 2.39 48.91, 2.39 48.92, 2.38 48.92, 2.38 48.91))') and id != 3", new long[] { 4 })]
    [InlineData("disjoint(geom, geom'POLYGON((2.3 48.9, 2.37 48.9, 2.37 48.95, 2.3 48.95, 2.3 48.9))')", new long[] { 3, 4, 5, 6 })]
    [InlineData("`commune` = \"Pantin\" and startswith(nom, \"@\")", new long[] { 6 })]
    public async Task Records_Where_MatchesExactlyTheseRecords(string where, long[] expected)
    {
        var (client, url) = await SchoolsAsync();
        var (status, page, text) = await GetJsonAsync(client, $"{url}/records?limit=100&where={Q(where)}");
        Assert.True(status == 200, text);
        Assert.Equal(expected, Ids(page));
        Assert.Equal(expected.Length, page.GetProperty("total_count").GetInt64());
    }

    [Fact]
    public async Task Records_GroupByWithAggregates_ValuesAndOrder()
    {
        var (client, url) = await SchoolsAsync();
        var (status, page, text) = await GetJsonAsync(client,
            $"{url}/records?select={Q("commune, count(*) AS n, sum(potentiel_kwh) AS total")}&group_by=commune&order_by={Q("n desc, commune")}");
        Assert.True(status == 200, text);
        Assert.Equal(3, page.GetProperty("total_count").GetInt64());
        var rows = page.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("commune").GetString(), r.GetProperty("n").GetInt64(), r.GetProperty("total").GetDouble())).ToList();
        Assert.Equal([("Saint-Denis", 4L, 7975.5), ("Aubervilliers", 2L, 50.0), ("Pantin", 2L, 750.25)], rows);
        Assert.DoesNotContain("_id", text, StringComparison.Ordinal);

        (status, page, text) = await GetJsonAsync(client,
            $"{url}/records?select={Q("count(*) as n, avg(potentiel_kwh) as a, median(potentiel_kwh) as m, max(potentiel_kwh), percentile(potentiel_kwh, 100) as p")}");
        Assert.True(status == 200, text);
        var all = page.GetProperty("results")[0];
        Assert.Equal(8, all.GetProperty("n").GetInt64());
        Assert.Equal(8775.75 / 7, all.GetProperty("a").GetDouble(), 9);
        Assert.Equal(800, all.GetProperty("m").GetDouble());
        Assert.Equal(5000, all.GetProperty("max(potentiel_kwh)").GetDouble());
        Assert.Equal(5000, all.GetProperty("p").GetDouble());

        (status, page, text) = await GetJsonAsync(client, $"{url}/records?select=count(*) as n&group_by={Q("range(potentiel_kwh, 1000) as r")}");
        Assert.True(status == 200, text);
        var ranges = page.GetProperty("results").EnumerateArray()
            .Select(r => (r.GetProperty("r").ValueKind == JsonValueKind.Null ? (double?)null : r.GetProperty("r").GetDouble(), r.GetProperty("n").GetInt64())).ToList();
        Assert.Equal([(0.0, 5L), (1000.0, 1L), (5000.0, 1L), (null, 1L)], ranges);

        (status, page, text) = await GetJsonAsync(client, $"{url}/records?select=count(*) as n&group_by={Q("date_format(mise_en_service, \"yyyy-MM\") as m")}&where={Q("year(mise_en_service) = 2021")}");
        Assert.True(status == 200, text);
        Assert.Equal(["2021-03:2", "2021-07:1"], page.GetProperty("results").EnumerateArray().Select(r => $"{r.GetProperty("m").GetString()}:{r.GetProperty("n").GetInt64()}"));

        (status, page, text) = await GetJsonAsync(client, $"{url}/records?select={Q("nom, potentiel_kwh / 1000 AS mwh")}&where=id=8");
        Assert.True(status == 200, text);
        Assert.Equal(5.0, page.GetProperty("results")[0].GetProperty("mwh").GetDouble());
        Assert.Equal(["nom", "mwh"], page.GetProperty("results")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Records_OffsetAndCursor_PageEveryRecordOnce()
    {
        var (client, url) = await SchoolsAsync();
        var (_, page, _) = await GetJsonAsync(client, $"{url}/records?limit=3&offset=3&order_by=potentiel_kwh desc");
        Assert.Equal([2L, 6, 5], Ids(page));

        var seen = new List<long>();
        var next = $"{url}/records?limit=3";
        for (var i = 0; i < 5 && next is not null; i++)
        {
            var (status, p, text) = await GetJsonAsync(client, next);
            Assert.True(status == 200, text);
            seen.AddRange(Ids(p));
            next = p.TryGetProperty("next_cursor", out var c) ? $"{url}/records?limit=3&cursor={Q(c.GetString()!)}" : null;
        }
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], seen);

        var (deep, error, _) = await GetJsonAsync(client, $"{url}/records?offset=9999&limit=2");
        Assert.Equal(400, deep);
        Assert.Equal("InvalidRESTParameterError", error.GetProperty("error_code").GetString());
        Assert.Contains("cursor", error.GetProperty("message").GetString());
        Assert.Equal(400, (await GetJsonAsync(client, $"{url}/records?cursor=bm9wZQ")).Status);
    }

    [Fact]
    public async Task Facets_CountValuesOfTheMatchingRecords()
    {
        var (client, url) = await SchoolsAsync();
        var (status, body, text) = await GetJsonAsync(client, $"{url}/facets?facet=commune&facet=actif&where={Q("potentiel_kwh > 100")}");
        Assert.True(status == 200, text);
        var facets = body.GetProperty("facets").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!,
            f => f.GetProperty("facets").EnumerateArray().Select(v => $"{v.GetProperty("value").GetString()}:{v.GetProperty("count").GetInt64()}").ToList());
        Assert.Equal(["Saint-Denis:4", "Pantin:2"], facets["commune"]);
        Assert.Equal(["false:3", "true:3"], facets["actif"]);
        var (refined, r, _) = await GetJsonAsync(client, $"{url}/records?refine={Q("commune:Pantin")}&exclude={Q("actif:true")}");
        Assert.Equal(200, refined);
        Assert.Equal([5L], Ids(r));
    }

    [Fact]
    public async Task Exports_AllFormats_StreamEveryRecord_CsvNeutralisesFormulas()
    {
        var (client, url) = await SchoolsAsync();
        var ct = TestContext.Current.CancellationToken;

        var csvBytes = await client.GetByteArrayAsync($"{url}/exports/csv", ct);
        Assert.Equal([0xEF, 0xBB, 0xBF], csvBytes[..3]);
        var lines = Encoding.UTF8.GetString(csvBytes[3..]).Split("\r\n");
        Assert.Equal("id;nom;commune;potentiel_kwh;mise_en_service;actif;geom", lines[0]);
        Assert.Equal("3;\"'=HYPERLINK(\"\"x\"\")\";Aubervilliers;50;2019-01-15;true;\"{\"\"type\"\":\"\"Point\"\",\"\"coordinates\"\":[2.383,48.914]}\"", lines[3]);
        Assert.StartsWith("5;'+33 1 23;Pantin;300;", lines[5]);
        Assert.StartsWith("6;'@mairie;Pantin;450.25;", lines[6]);
        Assert.StartsWith("7;'-moins;", lines[7]);
        Assert.Equal(10, lines.Length);

        var plain = await client.GetStringAsync($"{url}/exports/csv?delimiter=,&with_bom=false&select={Q("id, nom")}&where=id<=2", ct);
        Assert.Equal("id,nom\r\n1,École Jean Jaurès\r\n2,\"Collège \"\"Elsa\"\"\"\r\n", plain);

        using var json = JsonDocument.Parse(await client.GetStringAsync($"{url}/exports/json?order_by=id desc", ct));
        Assert.Equal(8, json.RootElement.GetArrayLength());
        Assert.Equal(8, json.RootElement[0].GetProperty("id").GetInt64());

        var jsonl = (await client.GetStringAsync($"{url}/exports/jsonl?where=commune=\"Pantin\"", ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([5L, 6], jsonl.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()));

        using var geojson = JsonDocument.Parse(await client.GetStringAsync($"{url}/exports/geojson?limit=2", ct));
        Assert.Equal("FeatureCollection", geojson.RootElement.GetProperty("type").GetString());
        var feature = geojson.RootElement.GetProperty("features")[1];
        Assert.Equal("Point", feature.GetProperty("geometry").GetProperty("type").GetString());
        Assert.Equal("Collège \"Elsa\"", feature.GetProperty("properties").GetProperty("nom").GetString());
        Assert.False(feature.GetProperty("properties").TryGetProperty("geom", out _));

        var parquet = await client.GetByteArrayAsync($"{url}/exports/parquet", ct);
        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(parquet), "export.parquet", ct);
        Assert.Equal(8, reader.RowCount);
        Assert.Equal(ParquetType.Double, reader.Schema.Columns[reader.Schema.IndexOf("potentiel_kwh")].Type);
        using var geo = JsonDocument.Parse(reader.Metadata["geo"]!);
        Assert.Equal("geom", geo.RootElement.GetProperty("primary_column").GetString());
        var ids = new List<long>();
        await foreach (var group in reader.ReadAsync(["id"], cancellationToken: ct))
        {
            for (var r = 0; r < group.RowCount; r++)
            {
                ids.Add((long)group["id"].GetValue(r)!);
            }
        }
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], ids);

        var (formats, links, _) = await GetJsonAsync(client, $"{url}/exports");
        Assert.Equal(200, formats);
        Assert.Contains(links.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "parquet");
        Assert.Equal(400, (await GetJsonAsync(client, $"{url}/exports/xlsx")).Status);
    }

    [Fact]
    public async Task Grantee_SeesOnlyGrantedFieldsAndRows_InRecordsFacetsExportsAndCatalogue()
    {
        var published = await PublishAsync(Kit, "restricted");
        var partner = await Kit.OrgAsync("partner", "university");
        var (_, partnerKey) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        await Kit.Datasets.CreateGrantAsync(published.DatasetId, partner.Id, "étude", DateTimeOffset.UtcNow.AddDays(5), ["id", "commune", "potentiel_kwh"],
            new Dictionary<string, string> { ["commune"] = "Saint-Denis" }, null, Ct);
        using var grantee = Kit.Client(partnerKey);
        using var anonymous = Kit.Client();
        var url = $"{Base}/{published.Id}";

        var (status, page, text) = await GetJsonAsync(grantee, $"{url}/records");
        Assert.True(status == 200, text);
        Assert.Equal(4, page.GetProperty("total_count").GetInt64());
        Assert.All(page.GetProperty("results").EnumerateArray(), r => Assert.Equal(["_id", "id", "commune", "potentiel_kwh"], r.EnumerateObject().Select(p => p.Name)));
        var (hidden, error, _) = await GetJsonAsync(grantee, $"{url}/records?where={Q("nom = \"Gymnase\"")}");
        Assert.Equal(400, hidden);
        Assert.Contains("unknown field 'nom'", error.GetProperty("message").GetString());
        Assert.Equal(400, (await GetJsonAsync(grantee, $"{url}/records?select=nom")).Status);
        Assert.Equal(400, (await GetJsonAsync(grantee, $"{url}/records?refine=nom:Gymnase")).Status);
        var (_, count, _) = await GetJsonAsync(grantee, $"{url}/records?select=count(*) as n&where={Q("commune = \"Pantin\"")}");
        Assert.Equal(0, count.GetProperty("results")[0].GetProperty("n").GetInt64());
        using var owner = Kit.Client(published.OwnerKey);
        var (_, pantin, _) = await GetJsonAsync(owner, $"{url}/records?where=id=5");
        var pantinId = pantin.GetProperty("results")[0].GetProperty("_id").GetString();
        Assert.Equal(200, (await GetJsonAsync(owner, $"{url}/records/{pantinId}")).Status);
        Assert.Equal(404, (await GetJsonAsync(grantee, $"{url}/records/{pantinId}")).Status);
        var csv = await grantee.GetStringAsync($"{url}/exports/csv?with_bom=false", Ct);
        Assert.Equal("id;commune;potentiel_kwh\r\n1;Saint-Denis;1200.5\r\n2;Saint-Denis;800\r\n7;Saint-Denis;975\r\n8;Saint-Denis;5000\r\n", csv);
        var (_, dataset, _) = await GetJsonAsync(grantee, $"{url}");
        Assert.Equal(["id", "commune", "potentiel_kwh"], dataset.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, dataset.GetProperty("metas").GetProperty("default").GetProperty("records_count").ValueKind);

        foreach (var path in new[] { "", "/records", "/records/1", "/facets", "/exports/csv", "/exports" })
        {
            var (s, e, _) = await GetJsonAsync(anonymous, url + path);
            Assert.Equal(404, s);
            Assert.Equal("NoSuchDataset", e.GetProperty("error_code").GetString());
        }
        var (_, anonymousList, _) = await GetJsonAsync(anonymous, $"{Base}?where={Q($"dataset_id = \"{published.Id}\"")}");
        Assert.Equal(0, anonymousList.GetProperty("total_count").GetInt64());
        var (_, granteeList, _) = await GetJsonAsync(grantee, $"{Base}?where={Q($"dataset_id = \"{published.Id}\"")}");
        Assert.Equal(1, granteeList.GetProperty("total_count").GetInt64());
        Assert.Equal(3, granteeList.GetProperty("results")[0].GetProperty("fields").GetArrayLength());
    }

    [Fact]
    public async Task Catalog_WhereOrderRefineFacetsAndExports()
    {
        var published = await PublishAsync(Kit);
        using var client = Kit.Client();
        var (status, page, text) = await GetJsonAsync(client, $"{Base}?where={Q($"publisher_id = \"{published.OwnerOrgSlug}\" and theme = \"ENVI\" and \"arbres\"")}&order_by=modified desc");
        Assert.True(status == 200, text);
        Assert.Equal(1, page.GetProperty("total_count").GetInt64());
        var dataset = page.GetProperty("results")[0];
        Assert.Equal(published.Id, dataset.GetProperty("dataset_id").GetString());
        Assert.Equal(8, dataset.GetProperty("metas").GetProperty("default").GetProperty("records_count").GetInt64());
        Assert.Equal(["geo", "analyze"], dataset.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("geo_shape", dataset.GetProperty("fields")[6].GetProperty("type").GetString());
        Assert.Equal("double", dataset.GetProperty("fields")[3].GetProperty("type").GetString());

        var (_, refined, _) = await GetJsonAsync(client, $"{Base}?refine={Q($"publisher_id:{published.OwnerOrgSlug}")}&exclude=license:odbl-1.0");
        Assert.Equal(0, refined.GetProperty("total_count").GetInt64());

        var (_, facets, _) = await GetJsonAsync(client, $"/api/explore/v2.1/catalog/facets?facet=theme&where={Q($"publisher_id = \"{published.OwnerOrgSlug}\"")}");
        Assert.Equal("theme", facets.GetProperty("facets")[0].GetProperty("name").GetString());
        Assert.Equal("ENVI", facets.GetProperty("facets")[0].GetProperty("facets")[0].GetProperty("value").GetString());

        var where = Q($"dataset_id = \"{published.Id}\"");
        var csv = await client.GetStringAsync($"/api/explore/v2.1/catalog/exports/csv?with_bom=false&where={where}", Ct);
        Assert.StartsWith("dataset_id;title;publisher;", csv);
        Assert.Contains($"\r\n{published.Id};Arbres plantés;", csv);
        using var json = JsonDocument.Parse(await client.GetStringAsync($"/api/explore/v2.1/catalog/exports/json?where={where}", Ct));
        Assert.Equal(published.Id, json.RootElement[0].GetProperty("dataset_id").GetString());
        var ttl = await client.GetStringAsync($"/api/explore/v2.1/catalog/exports/dcat?where={where}", Ct);
        Assert.Contains("dcat:Dataset", ttl);
        Assert.Contains(published.Id, ttl);
    }

    [Fact]
    public async Task AccessLog_ExploreCallsAreLoggedInTheBackground()
    {
        var published = await PublishAsync(Kit);
        using var client = Kit.Client();
        Assert.Equal(200, (await GetJsonAsync(client, $"{Base}/{published.Id}/records?limit=3")).Status);
        Assert.Equal(200, (await GetJsonAsync(client, $"/ogc/collections/{published.Id}/items?limit=2")).Status);
        using var owner = Kit.Client(published.OwnerKey);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (_, log, _) = await GetJsonAsync(owner, $"/api/v1/datasets/{published.Id}/access-log");
            var text = log.GetRawText();
            if (text.Contains("explore.records", StringComparison.Ordinal) && text.Contains("ogc.items", StringComparison.Ordinal))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the access log never showed the calls: {text}");
            await Task.Delay(200, Ct);
        }
    }
}
