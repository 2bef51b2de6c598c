using SmartRegion.Api.Tests.Catalog;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 10: links in documents come from the configured public base URL, never from the request's Host header
/// (a forged Host would otherwise plant the attacker's domain in cached catalogues), and answers that are not public
/// carry Cache-Control: no-store.
/// </summary>
public sealed class PublicAnswerTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    public static TheoryData<string> Documents() => new()
    {
        "/catalog.jsonld", "/catalog.ttl", "/catalog.ttl?page=1&pageSize=1",
        "/api/v1/datasets/{id}/dcat.jsonld", "/api/v1/datasets/{id}/dcat.ttl",
        "/api/v1/solar/roof-faces?bbox=-180,-90,180,90&limit=1",
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Links_ComeFromPublicBaseUrl_NotFromHostHeader(string path)
    {
        using var client = world.Client(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, path.Replace("{id}", world.Datasets["public"], StringComparison.Ordinal));
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode == 200, body);
        Assert.DoesNotContain("evil.example", body);
        if (!path.Contains("roof-faces", StringComparison.Ordinal))
        {
            Assert.Contains(MatrixWorld.PublicBaseUrl + "/", body);
        }
    }

    [Theory]
    [InlineData("/api/v1/datasets/{id}", "public")]
    [InlineData("/api/v1/datasets/{id}/records", "public")]
    [InlineData("/api/v1/datasets/{id}/export.csv", "public")]
    [InlineData("/api/v1/datasets?pageSize=5", "public")]
    [InlineData("/api/v1/auth/me", "public")]
    [InlineData("/api/v1/keys", "public")]
    [InlineData("/catalog.jsonld", "public")]
    [InlineData("/api/v1/datasets/{id}", "private")]
    [InlineData("/api/v1/datasets/{id}/records", "restricted")]
    public async Task AnswerToCredentialedCaller_IsNoStore(string path, string visibility)
    {
        using var client = world.Client(world.Keys["admin"]);
        using var response = await client.GetAsync(path.Replace("{id}", world.Datasets[visibility], StringComparison.Ordinal), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path}: Cache-Control {response.Headers.CacheControl}");
    }

    [Fact]
    public async Task SignIn_Answers_AreNoStore()
    {
        using var client = world.Client(null);
        using var login = await client.PostAsync("/api/v1/auth/login",
            System.Net.Http.Json.JsonContent.Create(new { email = "nobody@example.org", password = "x" }), TestContext.Current.CancellationToken);
        Assert.True(login.Headers.CacheControl?.NoStore == true, $"login: Cache-Control {login.Headers.CacheControl}");
    }

    [Fact]
    public async Task AnonymousAnswer_OnPublicData_MayBeCached()
    {
        using var client = world.Client(null);
        using var response = await client.GetAsync($"/api/v1/datasets/{world.Datasets["public"]}", TestContext.Current.CancellationToken);
        Assert.NotEqual(true, response.Headers.CacheControl?.NoStore);
    }
}
