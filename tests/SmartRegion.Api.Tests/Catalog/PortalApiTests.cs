using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>What the partner pages need from the API: vocabularies, organisations and members, metadata ETags,
/// calls per day, export sizes, the region's boundaries.</summary>
public sealed class PortalApiTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task Patch_WithStaleIfMatch_Is412AndKeepsTheFirstEdit_WithFreshETag_Applies()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "private")).GetProperty("id").GetString();
        using var read = await client.GetAsync($"/api/v1/datasets/{id}", Ct);
        var etag = read.Headers.ETag!.ToString();

        Assert.Equal(200, (await PatchAsync(client, id!, etag, "Premier")).Status);
        var (status, body, current) = await PatchAsync(client, id!, etag, "Second");

        Assert.Equal(412, status);
        Assert.Equal("metadata_changed", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.NotEqual(etag, current);
        using var after = await client.GetAsync($"/api/v1/datasets/{id}", Ct);
        Assert.Equal("Premier", (await after.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString());
        Assert.Equal(current, after.Headers.ETag!.ToString());
        Assert.Equal(200, (await PatchAsync(client, id!, current!, "Second")).Status);
        Assert.Equal(412, (await PatchAsync(client, id!, "\"12\"", "Troisième")).Status);
        Assert.Equal(200, (await PatchAsync(client, id!, "*", "Quatrième")).Status);
    }

    [Fact]
    public async Task Patch_ConcurrentWithTheSameETag_ExactlyOneWins()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "private")).GetProperty("id").GetString()!;
        using var read = await client.GetAsync($"/api/v1/datasets/{id}", Ct);
        var etag = read.Headers.ETag!.ToString();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => PatchAsync(client, id, etag, $"Titre {i}")));

        Assert.Equal(1, results.Count(r => r.Status == 200));
        Assert.Equal(5, results.Count(r => r.Status == 412));
    }

    [Fact]
    public async Task Members_AdminManages_LastAdminStays_OthersRefused()
    {
        var org = await Kit.OrgAsync("org");
        var (admin, adminKey) = await Kit.UserWithKeyAsync(org, "admin");
        var (editor, editorKey) = await Kit.UserWithKeyAsync(org, "editor");
        var (outsider, _) = await Kit.UserWithKeyAsync(await Kit.OrgAsync("other"), "viewer");
        using var client = Kit.Client(adminKey);
        var members = $"/api/v1/organisations/{org.Slug}/members";

        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Put, $"{members}/{outsider.Email}", new { role = "viewer" })).Status);
        var list = JsonDocument.Parse((await CatalogKit.SendAsync(client, HttpMethod.Get, members)).Body).RootElement.GetProperty("items");
        Assert.Equal(["admin", "editor", "viewer"], list.EnumerateArray().Select(m => m.GetProperty("role").GetString()!).Order().ToArray());

        var demote = await CatalogKit.SendAsync(client, HttpMethod.Put, $"{members}/{admin.Email}", new { role = "editor" });
        Assert.Equal(409, demote.Status);
        Assert.Equal("last_admin", JsonDocument.Parse(demote.Body).RootElement.GetProperty("code").GetString());
        Assert.Equal(409, (await CatalogKit.SendAsync(client, HttpMethod.Delete, $"{members}/{admin.Email}")).Status);
        var nobody = await CatalogKit.SendAsync(client, HttpMethod.Put, $"{members}/nobody@example.org", new { role = "viewer" });
        Assert.Equal(422, nobody.Status);
        Assert.Equal("account_not_found", JsonDocument.Parse(nobody.Body).RootElement.GetProperty("code").GetString());
        Assert.Equal(422, (await CatalogKit.SendAsync(client, HttpMethod.Put, $"{members}/{outsider.Email}", new { role = "owner" })).Status);
        using var asEditor = Kit.Client(editorKey);
        Assert.Equal(403, (await CatalogKit.SendAsync(asEditor, HttpMethod.Get, members)).Status);
        Assert.Equal(403, (await CatalogKit.SendAsync(asEditor, HttpMethod.Delete, $"{members}/{outsider.Email}")).Status);
        using var anonymous = Kit.Client();
        Assert.Equal(401, (await CatalogKit.SendAsync(anonymous, HttpMethod.Get, members)).Status);

        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Put, $"{members}/{editor.Email}", new { role = "admin" })).Status);
        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Put, $"{members}/{admin.Email}", new { role = "viewer" })).Status);
        Assert.Equal(204, (await CatalogKit.SendAsync(asEditor, HttpMethod.Delete, $"{members}/{outsider.Email}")).Status);
        Assert.Equal(404, (await CatalogKit.SendAsync(asEditor, HttpMethod.Delete, $"{members}/{outsider.Email}")).Status);
    }

    [Fact]
    public async Task Vocabularies_AndOrganisations_AreListed()
    {
        var org = await Kit.OrgAsync("listed");
        using var anonymous = Kit.Client();
        var vocabularies = JsonDocument.Parse((await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/api/v1/vocabularies")).Body).RootElement;
        Assert.Contains("ENER", vocabularies.GetProperty("themes").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("etalab-2.0", vocabularies.GetProperty("licences").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
        var orgs = JsonDocument.Parse((await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/api/v1/organisations")).Body).RootElement.GetProperty("items");
        Assert.Contains(orgs.EnumerateArray(), o => o.GetProperty("id").GetString() == org.Slug && o.GetProperty("name").GetString() == "listed");
    }

    [Fact]
    public async Task Exports_SizesAreTheBytesDownloaded_AccessPerDayCountsCallsByOrganisation()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "admin");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "public")).GetProperty("id").GetString()!;
        var csv = "nom,lat,lon,note\nA,48.9,2.35,1.5\n\"B, C\",48.91,2.36,2\nÉ,48.92,2.37,\n";
        var accepted = await Uploads.UploadBytesAsync(client, id, Encoding.UTF8.GetBytes(csv), "points.csv");
        await Uploads.WaitAsync(client, accepted.Body);
        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);

        using var anonymous = Kit.Client();
        var exports = JsonDocument.Parse((await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}/exports")).Body).RootElement;
        Assert.Equal(["csv", "geojson", "parquet"], exports.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("format").GetString()!).ToArray());
        foreach (var e in exports.GetProperty("items").EnumerateArray())
        {
            var bytes = await anonymous.GetByteArrayAsync(e.GetProperty("url").GetString(), Ct);
            Assert.Equal(bytes.LongLength, e.GetProperty("bytes").GetInt64());
        }

        var daily = JsonDocument.Parse((await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/access-log/daily?days=7")).Body).RootElement;
        Assert.Equal(7, daily.GetProperty("days").GetArrayLength());
        var anonymousSeries = daily.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("organisation").ValueKind == JsonValueKind.Null);
        Assert.Equal(3, anonymousSeries.GetProperty("calls")[6].GetInt32());   // the three downloads, today; the sizes are not calls
        Assert.Equal(400, (await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/access-log/daily?days=0")).Status);
        Assert.Equal(401, (await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}/access-log/daily")).Status);
    }

    [Theory]
    [InlineData("2.3,48.9,2.4")]
    [InlineData("2.4,48.9,2.3,49")]
    [InlineData("a,b,c,d")]
    [InlineData("-200,48,2,49")]
    public async Task Boundaries_BadBox_Is400WithTheReason(string bbox)
    {
        using var anonymous = Kit.Client();
        var (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/boundaries?bbox={bbox}");
        Assert.Equal(400, status);
        Assert.Contains("bbox", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boundaries_InTheBox_AreGeoJsonInWgs84()
    {
        var code = $"9{Random.Shared.Next(1000, 9999)}";
        await Kit.ExecuteAsync($"""
            WITH run AS (INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('boundaries', 'test', 'test', 'succeeded') RETURNING id)
            INSERT INTO region.boundary (level, code, name, geometry, ingest_run_id)
            SELECT 'commune', '{code}', 'Commune test', ST_Multi(ST_Transform(ST_MakeEnvelope(2.30, 48.90, 2.32, 48.92, 4326), 2154)), run.id FROM run
            """);
        using var anonymous = Kit.Client();
        var (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/api/v1/boundaries?bbox=2.29,48.89,2.33,48.93&level=commune");
        Assert.Equal(200, status);
        var feature = JsonDocument.Parse(body).RootElement.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("id").GetString() == code);
        Assert.Equal("Commune test", feature.GetProperty("properties").GetProperty("name").GetString());
        var first = feature.GetProperty("geometry").GetProperty("coordinates")[0][0][0];
        Assert.InRange(first[0].GetDouble(), 2.2999, 2.3201);
        Assert.InRange(first[1].GetDouble(), 48.8999, 48.9201);
        var (_, far) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/api/v1/boundaries?bbox=5,45,5.1,45.1");
        Assert.DoesNotContain(code, far, StringComparison.Ordinal);
        // The whole world holds it (the box has points Lambert-93 cannot project: a 500 before); the far south, nothing.
        var (worldStatus, world) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/api/v1/boundaries?bbox=-180,-90,180,90&level=commune");
        Assert.True(worldStatus == 200, world);
        Assert.Contains(JsonDocument.Parse(world).RootElement.GetProperty("features").EnumerateArray(), f => f.GetProperty("id").GetString() == code);
        var (southStatus, south) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/api/v1/boundaries?bbox=-170,-90,-160,-80&level=commune");
        Assert.True(southStatus == 200, south);
        Assert.Empty(JsonDocument.Parse(south).RootElement.GetProperty("features").EnumerateArray());
    }

    private async Task<(int Status, string Body, string? ETag)> PatchAsync(HttpClient client, string id, string ifMatch, string title)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/datasets/{id}") { Content = JsonContent.Create(new { title }) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var response = await client.SendAsync(request, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Headers.ETag?.ToString());
    }
}
