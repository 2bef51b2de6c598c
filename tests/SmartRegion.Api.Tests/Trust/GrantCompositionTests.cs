using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 1: however many grants a caller holds on a dataset, it sees the union over the grants of the rows each
/// allows with the fields that same grant allows — never one grant's fields on another grant's rows.
/// </summary>
public sealed class GrantCompositionTests(TestDatabase db) : CatalogTest(db)
{
    // Row 1 and 3 are Saint-Denis, row 2 Aubervilliers; 'secret' is in no grant.
    private const string Csv = "n,commune,potentiel_kwh,secret\n1,Saint-Denis,1200.5,s1\n2,Aubervilliers,800,s2\n3,Saint-Denis,50,s3\n";

    private async Task<(HttpClient Admin, string Dataset)> RestrictedDatasetAsync(Data.Catalog.Organisation owner)
    {
        var (_, adminKey) = await Kit.UserWithKeyAsync(owner, "admin");
        var admin = Kit.Client(adminKey);
        var id = (await Kit.CreateDatasetAsync(admin, owner.Slug, "restricted")).GetProperty("id").GetString()!;
        await Uploads.UploadBytesAndWaitAsync(admin, id, Encoding.UTF8.GetBytes(Csv), "p.csv");
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);
        return (admin, id);
    }

    private static async Task GrantAsync(HttpClient admin, string id, string org, string[] fields, string commune)
    {
        var (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/grants", new
        {
            organisation = org, purpose = "étude", expiresAt = DateTimeOffset.UtcNow.AddDays(30), fields, rowFilter = new { commune },
        });
        Assert.True(status == 201, body);
    }

    /// <summary>What the caller reads: the records (as n → field → value) and the CSV export.</summary>
    private static async Task AssertSeesUnionPerGrantAsync(HttpClient client, string id)
    {
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/records");
        Assert.True(status == 200, body);
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["n", "commune", "potentiel_kwh"], page.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        var rows = page.GetProperty("records").EnumerateArray().Select(r => r.GetRawText()).ToList();
        Assert.Equal(
        [
            """{"n":1,"commune":"Saint-Denis","potentiel_kwh":null}""",
            """{"n":2,"commune":null,"potentiel_kwh":800}""",
            """{"n":3,"commune":"Saint-Denis","potentiel_kwh":null}""",
        ], rows);
        var (_, csv) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/export.csv");
        Assert.Equal("n,commune,potentiel_kwh\n1,Saint-Denis,\n2,,800\n3,Saint-Denis,\n", csv);
        var (_, geojson) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/export.geojson");
        Assert.DoesNotContain("1200.5", geojson);
        Assert.DoesNotContain("s1", geojson);
        // Asking for one field returns it only where a grant allows it.
        var (_, one) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/records?fields=potentiel_kwh");
        Assert.Equal([null, 800L, null], JsonDocument.Parse(one).RootElement.GetProperty("records").EnumerateArray()
            .Select(r => r.GetProperty("potentiel_kwh").ValueKind == JsonValueKind.Null ? (long?)null : r.GetProperty("potentiel_kwh").GetInt64()));
    }

    [Fact]
    public async Task TwoGrantsToOneOrganisation_EachGrantsFieldsOnlyOnItsRows()
    {
        var owner = await Kit.OrgAsync("owner");
        var partner = await Kit.OrgAsync("partner", "university");
        var (admin, id) = await RestrictedDatasetAsync(owner);
        await GrantAsync(admin, id, partner.Slug, ["n", "commune"], "Saint-Denis");
        await GrantAsync(admin, id, partner.Slug, ["n", "potentiel_kwh"], "Aubervilliers");
        var (_, key) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        using var grantee = Kit.Client(key);
        await AssertSeesUnionPerGrantAsync(grantee, id);
    }

    [Fact]
    public async Task GrantsThroughTwoOrganisations_EachGrantsFieldsOnlyOnItsRows()
    {
        var owner = await Kit.OrgAsync("owner");
        var first = await Kit.OrgAsync("first", "university");
        var second = await Kit.OrgAsync("second", "public_agency");
        var (admin, id) = await RestrictedDatasetAsync(owner);
        await GrantAsync(admin, id, first.Slug, ["n", "commune"], "Saint-Denis");
        await GrantAsync(admin, id, second.Slug, ["n", "potentiel_kwh"], "Aubervilliers");
        // A person who belongs to both organisations, signed in with a session (a key acts for one organisation only).
        var (user, _) = await Kit.UserWithKeyAsync(first, "viewer", password: "a long enough password");
        await Kit.Accounts.SetMembershipAsync(user.Id, second.Id, "viewer", Ct);
        using var client = Factory.CreateClient(new() { HandleCookies = true });
        using (var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "a long enough password" }, Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
        }
        await AssertSeesUnionPerGrantAsync(client, id);
    }

    [Theory]
    [InlineData("""{"fields":[]}""", "fields")]
    [InlineData("""{"rowFilter":{}}""", "rowFilter")]
    [InlineData("""{"fields":[""]}""", "fields")]
    public async Task EmptyFieldListOrRowFilter_IsRefused_NeverEverything(string extra, string field)
    {
        var owner = await Kit.OrgAsync("owner");
        var partner = await Kit.OrgAsync("partner", "university");
        var (admin, id) = await RestrictedDatasetAsync(owner);
        var body = JsonSerializer.SerializeToNode(new { organisation = partner.Slug, purpose = "p", expiresAt = DateTimeOffset.UtcNow.AddDays(1) })!.AsObject();
        foreach (var p in JsonDocument.Parse(extra).RootElement.EnumerateObject())
        {
            body[p.Name] = System.Text.Json.Nodes.JsonNode.Parse(p.Value.GetRawText());
        }
        var (status, text) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/grants", body);
        Assert.True(status == 422, text);
        Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("field").GetString());
        var (_, key) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        using var grantee = Kit.Client(key);
        Assert.Equal(404, (await CatalogKit.SendAsync(grantee, HttpMethod.Get, $"/api/v1/datasets/{id}/records")).Status);
    }
}
