using System.Text;
using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

public sealed class GrantTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task Grant_FieldSubsetAndRowFilter_GranteeSeesOnlyThose_RevokeStopsAtOnce()
    {
        var owner = await Kit.OrgAsync("owner");
        var partner = await Kit.OrgAsync("partner", "university");
        var (_, adminKey) = await Kit.UserWithKeyAsync(owner, "admin");
        var (_, partnerKey) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        using var admin = Kit.Client(adminKey);
        var id = (await Kit.CreateDatasetAsync(admin, owner.Slug, "restricted")).GetProperty("id").GetString()!;
        var csv = "n,commune,potentiel_kwh,geom\n1,Saint-Denis,1200.5,POINT(2.35 48.93)\n2,Aubervilliers,800,POINT(2.38 48.91)\n3,Saint-Denis,50,POINT(2.36 48.94)\n";
        await Uploads.UploadBytesAndWaitAsync(admin, id, Encoding.UTF8.GetBytes(csv), "p.csv");
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);

        using var grantee = Kit.Client(partnerKey);
        Assert.Equal(404, (await CatalogKit.SendAsync(grantee, HttpMethod.Get, $"/api/v1/datasets/{id}/records")).Status);

        var (created, grantBody) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/grants", new
        {
            organisation = partner.Slug, purpose = "Étude PCAET", expiresAt = DateTimeOffset.UtcNow.AddDays(30),
            fields = new[] { "n", "potentiel_kwh" }, rowFilter = new { commune = "Saint-Denis" },
        });
        Assert.Equal(201, created);
        var grantId = JsonDocument.Parse(grantBody).RootElement.GetProperty("id").GetInt64();

        var (status, body) = await CatalogKit.SendAsync(grantee, HttpMethod.Get, $"/api/v1/datasets/{id}/records");
        Assert.Equal(200, status);
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Equal(2, page.GetProperty("numberMatched").GetInt64());
        var records = page.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal([1L, 3L], records.Select(r => r.GetProperty("n").GetInt64()));
        Assert.All(records, r => Assert.Equal(["n", "potentiel_kwh"], r.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(400, (await CatalogKit.SendAsync(grantee, HttpMethod.Get, $"/api/v1/datasets/{id}/records?fields=commune")).Status);
        var (_, exported) = await CatalogKit.SendAsync(grantee, HttpMethod.Get, $"/api/v1/datasets/{id}/export.csv");
        Assert.Equal("n,potentiel_kwh\n1,1200.5\n3,50\n", exported);
        var (_, version) = await CatalogKit.SendAsync(grantee, HttpMethod.Get, $"/api/v1/datasets/{id}/versions/1");
        var v = JsonDocument.Parse(version).RootElement;
        Assert.Equal(2, v.GetProperty("schema").GetProperty("fields").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, v.GetProperty("rowCount").ValueKind);

        Assert.Equal(204, (await CatalogKit.SendAsync(admin, HttpMethod.Delete, $"/api/v1/datasets/{id}/grants/{grantId}")).Status);
        Assert.Equal(404, (await CatalogKit.SendAsync(grantee, HttpMethod.Get, $"/api/v1/datasets/{id}/records")).Status);
    }
}
