using System.Net;
using System.Text.Json;
using Npgsql;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Geocoding;

/// <summary>
/// The geocoding API over HTTP. Addresses are written with SQL (the Api.Tests may not reference the Pipelines), in a
/// commune whose name is unique to the test, with the search texts the address loader writes.
/// </summary>
public sealed class GeocodeApiTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Geocode_TypedWithTypoAndNoAccents_RightAddressFirstWithItsPoint()
    {
        var commune = await AddressesAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync($"/api/v1/geocode?q={Uri.EscapeDataString($"12 R. DE LA REPUBLQUE {commune.ToUpperInvariant()}")}&limit=2", Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(12, json.GetProperty("parsed").GetProperty("number").GetInt32());
        var matches = json.GetProperty("matches").EnumerateArray().ToList();
        Assert.Equal(2, matches.Count);
        var best = matches[0];
        Assert.Equal("12 rue de la République", best.GetProperty("label").GetString());
        Assert.Equal(652012, best.GetProperty("xLambert93").GetDouble(), 1e-6);
        Assert.Equal(6862000, best.GetProperty("yLambert93").GetDouble(), 1e-6);
        // Lambert-93 (652012, 6862000) is in Paris's northern suburbs.
        Assert.InRange(best.GetProperty("longitude").GetDouble(), 2.3, 2.4);
        Assert.InRange(best.GetProperty("latitude").GetDouble(), 48.8, 48.9);
        Assert.Equal(commune, best.GetProperty("communeName").GetString());
        Assert.True(best.GetProperty("score").GetDouble() > matches[1].GetProperty("score").GetDouble());
        Assert.Equal("14 rue de la République", matches[1].GetProperty("label").GetString()); // same street, next number
    }

    [Fact]
    public async Task Geocode_NothingLoadedMatches_EmptyList()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/api/v1/geocode?q=" + Uri.EscapeDataString("zzqx wwvy " + Guid.NewGuid().ToString("N")), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("matches").GetArrayLength());
    }

    [Theory]
    [InlineData("", "q", "q is required")]
    [InlineData("q=%20%20", "q", "q is required")]
    [InlineData("q=rue&limit=0", "limit", "limit '0' is not an integer in [1, 20]")]
    [InlineData("q=rue&limit=21", "limit", "limit '21' is not an integer in [1, 20]")]
    [InlineData("q=rue&limit=abc", "limit", "limit 'abc' is not an integer")]
    [InlineData("q=rue&limit=-3", "limit", "limit '-3' is not an integer")]
    public async Task Geocode_BadParameters_400NamingTheParameter(string query, string parameter, string detail)
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/api/v1/geocode?" + query, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Geocode_QueryLongerThanAnAddress_400()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/api/v1/geocode?q=" + new string('a', 201), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("201 characters", await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Three addresses of one street and one of another in a commune named for this test; returns its name.</summary>
    private async Task<string> AddressesAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var commune = $"Villetest{tag}";
        var search = commune.ToLowerInvariant();
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand("""
            WITH ir AS (INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('addresses', @src, 'test', 'succeeded') RETURNING id)
            INSERT INTO region.address (source, source_id, label, number, street, postcode, commune_name, point, search_label, search_street, ingest_run_id)
            SELECT @src, v.sid, v.label, v.number, v.street, '93200', @commune, ST_SetSRID(ST_MakePoint(v.x, 6862000), 2154),
                   lower(v.search) || ' 93200 ' || @search, v.sstreet, ir.id
            FROM ir, (VALUES ('a', '12 rue de la République', 12, 'rue de la République', 652012.0, '12 rue de la republique', 'rue de la republique'),
                             ('b', '14 rue de la République', 14, 'rue de la République', 652014.0, '14 rue de la republique', 'rue de la republique'),
                             ('c', '3 rue de la Paix', 3, 'rue de la Paix', 652100.0, '3 rue de la paix', 'rue de la paix'))
                 AS v(sid, label, number, street, x, search, sstreet)
            """, conn);
        cmd.Parameters.AddWithValue("src", "geocode-" + tag);
        cmd.Parameters.AddWithValue("commune", commune);
        cmd.Parameters.AddWithValue("search", search);
        await cmd.ExecuteNonQueryAsync(Ct);
        return commune;
    }
}
