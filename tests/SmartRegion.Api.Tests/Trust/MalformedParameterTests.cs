using System.Text;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 12: every malformed parameter is a 4xx, on every endpoint, for every caller — never a 5xx, and never a
/// body with internal text (property 10). The fuzz test sweeps the OpenAPI document; these are the named cases.
/// </summary>
public sealed class MalformedParameterTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    public static TheoryData<string, string, string?> Cases() => new()
    {
        // A NUL byte reached PostgreSQL, which refused the text: the answer was 503 "database unavailable".
        { "GET", "/api/v1/datasets?q=%00", null },
        { "GET", "/api/v1/datasets?q=arbres%00x&theme=%00", null },
        { "GET", "/api/v1/datasets?publisher=a%00b", null },
        // (A NUL in the path itself is refused by Kestrel before routing; TestServer's decoder throws instead, so the
        // fuzz benchmark, which runs on Kestrel, covers that case.)
        { "GET", "/api/v1/datasets/%01", null },
        { "GET", "/api/v1/geocode?q=rue%00", null },
        { "GET", "/api/v1/datasets/{id}/records?fields=n%00", null },
        // An empty field list answered 500.
        { "GET", "/api/v1/datasets/{id}/export.csv?fields=", null },
        { "GET", "/api/v1/datasets/{id}/export.geojson?fields=", null },
        { "GET", "/api/v1/datasets/{id}/export.parquet?fields=", null },
        { "GET", "/api/v1/datasets/{id}/records?fields=,", null },
        // Numbers that do not bind, or overflow.
        { "GET", "/api/v1/datasets?page=abc", null },
        { "GET", "/api/v1/datasets?pageSize=99999999999", null },
        { "GET", "/api/v1/datasets/{id}/records?limit=1e3", null },
        { "GET", "/api/v1/datasets/{id}/records?offset=-9223372036854775808", null },
        { "GET", "/api/v1/datasets/{id}/records?version=x", null },
        { "GET", "/api/v1/datasets/{id}/access-log?before=x", null },
        { "GET", "/catalog.jsonld?page=NaN", null },
        // Bodies with a NUL, with the wrong shape, or that are not JSON.
        { "POST", "/api/v1/datasets", """{"id":"nul-title","publisher":"{org}","title":"a\u0000b","licence":"etalab-2.0"}""" },
        { "PATCH", "/api/v1/datasets/{id}", """{"description":"x\u0000"}""" },
        { "PATCH", "/api/v1/datasets/{id}", """{"keywords":["\u0000"]}""" },
        { "PATCH", "/api/v1/datasets/{id}", """{"title":{"a":1}}""" },
        { "PATCH", "/api/v1/datasets/{id}", "not json" },
        { "PATCH", "/api/v1/datasets/{id}", "[1,2]" },
        { "POST", "/api/v1/datasets/{id}/grants", """{"organisation":"\u0000","purpose":"p","expiresAt":"2030-01-01T00:00:00Z"}""" },
        { "POST", "/api/v1/datasets/{id}/grants", """{"organisation":"{org}","purpose":"p\u0000","expiresAt":"2030-01-01T00:00:00Z"}""" },
        { "POST", "/api/v1/datasets/{id}/grants", """{"organisation":"x","purpose":"p","expiresAt":"not a date"}""" },
        { "POST", "/api/v1/datasets/{id}/grants", """{"organisation":"x","purpose":"p","expiresAt":"2030-01-01T00:00:00Z","rowFilter":{"n\u0000":"1"}}""" },
        { "POST", "/api/v1/datasets/{id}/rollback", """{"version":"one"}""" },
        { "POST", "/api/v1/datasets/{id}/versions/from-server-file", """{"path":123}""" },
        { "POST", "/api/v1/keys", """{"name":"\u0000","organisation":"{org}","scopes":["read"]}""" },
        { "POST", "/api/v1/keys", """{"name":"k","organisation":"{org}","scopes":["read"],"expiresAt":"2030-13-45"}""" },
        { "POST", "/api/v1/auth/login", """{"email":"a\u0000@b.c","password":"x"}""" },
        { "POST", "/api/v1/auth/login", """{"email":5}""" },
        { "GET", "/api/v1/solar/buildings/closest?lat=%00&lon=2", null },
        { "GET", "/api/v1/solar/roof-faces?bbox=1,2,3,4&cursor=%00", null },
        { "GET", "/api/v1/solar/buildings/99999999999999999999", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MalformedRequest_Answers4xx_WithoutInternalText(string method, string url, string? body)
    {
        var id = world.Datasets["private"];
        url = url.Replace("{id}", id, StringComparison.Ordinal);
        using var client = world.Client(world.Keys["admin"]);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body.Replace("{org}", world.OwnerSlug, StringComparison.Ordinal), Encoding.UTF8, "application/json");
        }
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{method} {url}: {status} {text}");
        Assert.Null(InternalText.Find(text));
    }
}
