using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 5: every read of a restricted dataset is logged — every reading endpoint, a download the client cancels
/// halfway, and with the caller's organisation even for members of several organisations and for platform admins.
/// </summary>
public sealed class AccessLogTests(TestDatabase db) : CatalogTest(db)
{
    public static TheoryData<string> Reads() => new()
    {
        "", "/versions", "/versions/1", "/records?limit=1", "/export.csv", "/export.geojson", "/export.parquet", "/dcat.ttl", "/dcat.jsonld",
    };

    private async Task<(HttpClient Admin, string Id, Data.Catalog.Organisation Owner)> RestrictedAsync(string csv, params Data.Catalog.Organisation[] grantees)
    {
        var owner = await Kit.OrgAsync("owner");
        var (_, key) = await Kit.UserWithKeyAsync(owner, "admin");
        var admin = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(admin, owner.Slug, "restricted")).GetProperty("id").GetString()!;
        await Uploads.UploadBytesAndWaitAsync(admin, id, Encoding.UTF8.GetBytes(csv), "d.csv");
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);
        foreach (var g in grantees)
        {
            Assert.Equal(201, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/grants",
                new { organisation = g.Slug, purpose = "p", expiresAt = DateTimeOffset.UtcNow.AddDays(1) })).Status);
        }
        return (admin, id, owner);
    }

    private static async Task<List<JsonElement>> LogAsync(HttpClient admin, string id)
    {
        var (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Get, $"/api/v1/datasets/{id}/access-log?limit=1000");
        Assert.Equal(200, status);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task EveryReadOfARestrictedDataset_IsLogged_WithTheGranteesOrganisation(string read)
    {
        var partner = await Kit.OrgAsync("partner", "university");
        var (admin, id, _) = await RestrictedAsync("n,commune\n1,Saint-Denis\n", partner);
        var (_, key) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        using var grantee = Kit.Client(key);
        Assert.Equal(200, (await CatalogKit.SendAsync(grantee, HttpMethod.Get, $"/api/v1/datasets/{id}{read}")).Status);
        var entries = (await LogAsync(admin, id)).Where(e => e.GetProperty("organisation").GetString() == partner.Slug).ToList();
        Assert.Single(entries);
        Assert.Equal("complete", entries[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task MemberOfSeveralOrganisations_IsLoggedWithTheOneThatGaveAccess_AndAllOfThem()
    {
        var first = await Kit.OrgAsync("first");
        var second = await Kit.OrgAsync("second", "university");
        var (admin, id, _) = await RestrictedAsync("n\n1\n", second);
        var (user, _) = await Kit.UserWithKeyAsync(first, "viewer", password: "a long enough password");
        await Kit.Accounts.SetMembershipAsync(user.Id, second.Id, "viewer", Ct);
        using var client = Factory.CreateClient(new() { HandleCookies = true });
        using (var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "a long enough password" }, Ct))
        {
            login.EnsureSuccessStatusCode();
        }
        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/records")).Status);
        var entry = Assert.Single(await LogAsync(admin, id), e => e.GetProperty("user").GetString() == user.Email);
        Assert.Equal(second.Slug, entry.GetProperty("organisation").GetString());
        Assert.Equal([first.Slug, second.Slug], entry.GetProperty("organisations").EnumerateArray().Select(o => o.GetString()).Order());
    }

    [Fact]
    public async Task PlatformAdmin_IsLoggedAsSuch_WithTheirOrganisations()
    {
        var (admin, id, _) = await RestrictedAsync("n\n1\n");
        var platform = await Kit.OrgAsync("platform", "platform");
        var (operatorUser, key) = await Kit.UserWithKeyAsync(platform, "admin", platformAdmin: true);
        using var op = Kit.Client(key);
        Assert.Equal(200, (await CatalogKit.SendAsync(op, HttpMethod.Get, $"/api/v1/datasets/{id}/export.csv")).Status);
        var entry = Assert.Single(await LogAsync(admin, id), e => e.GetProperty("user").GetString() == operatorUser.Email);
        Assert.True(entry.GetProperty("platformAdmin").GetBoolean());
        Assert.Equal(platform.Slug, entry.GetProperty("organisation").GetString());
    }

    [Theory]
    [InlineData("export.csv")]
    [InlineData("export.geojson")]
    [InlineData("export.parquet")]
    public async Task DownloadCancelledHalfway_IsLogged(string export)
    {
        var partner = await Kit.OrgAsync("partner", "university");
        var csv = new StringBuilder("n,texte\n");
        for (var i = 0; i < 60_000; i++)
        {
            csv.Append(i).Append(",ligne numéro ").Append(i).Append(" avec un peu de texte pour remplir\n");
        }
        var (admin, id, _) = await RestrictedAsync(csv.ToString(), partner);
        var (_, key) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        using (var grantee = Kit.Client(key))
        {
            using var response = await grantee.GetAsync($"/api/v1/datasets/{id}/{export}", HttpCompletionOption.ResponseHeadersRead, Ct);
            await using var body = await response.Content.ReadAsStreamAsync(Ct);
            await body.ReadExactlyAsync(new byte[1000], Ct);
            // Leaving now: disposing the response aborts the request.
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement? entry = null;
        while (DateTime.UtcNow < deadline)
        {
            entry = (await LogAsync(admin, id)).FirstOrDefault(e => e.GetProperty("organisation").GetString() == partner.Slug && e.GetProperty("endpoint").GetString() == export);
            if (entry is { } e && e.GetProperty("outcome").GetString() != "started")
            {
                break;
            }
            await Task.Delay(200, Ct);
        }
        Assert.NotNull(entry);
        Assert.Equal("cancelled", entry.Value.GetProperty("outcome").GetString());
    }
}
