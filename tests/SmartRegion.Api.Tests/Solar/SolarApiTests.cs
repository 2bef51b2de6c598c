using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Solar;

/// <summary>
/// The solar API over HTTP: closest building by point, by id, roof faces by box with paging. The results are written
/// with SQL (the Api.Tests may not reference the Pipelines): two 10 m buildings 20 m apart, the first with three faces,
/// each test at its own place so that no test sees another's rows.
/// </summary>
public sealed class SolarApiTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Closest_PointInsideFootprint_ThatBuildingsReportWithUnitsInNames()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        var (lat, lon) = await Wgs84Async(site.X + 5, site.Y + 5);
        using var response = await client.GetAsync(Url("/api/v1/solar/buildings/closest?lat={0}&lon={1}", lat, lon), Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(site.BuildingA, json.GetProperty("building").GetProperty("id").GetInt64());
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.Equal("BATIMENT0000000000000001", json.GetProperty("building").GetProperty("sourceIds").GetProperty("cleabs").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("address").ValueKind);
        Assert.Equal(300, json.GetProperty("roofAreaM2").GetDouble(), 1e-9);
        Assert.Equal(240, json.GetProperty("usableAreaM2").GetDouble(), 1e-9);
        Assert.Equal(1100, json.GetProperty("meanIrradiationKwhPerM2").GetDouble(), 1e-9);
        Assert.Equal(36, json.GetProperty("panelCount").GetInt32());
        Assert.Equal(15.3, json.GetProperty("installableKwp").GetDouble(), 1e-9);
        Assert.Equal(15000, json.GetProperty("annualKwhAc").GetDouble(), 1e-9);
        Assert.Equal(12, json.GetProperty("monthlyKwhAc").GetArrayLength());
        Assert.Equal(750, json.GetProperty("co2AvoidedKgPerYear").GetDouble(), 1e-9);
        Assert.Equal(site.RunId, json.GetProperty("provenance").GetProperty("runId").GetInt64());
        var faces = json.GetProperty("roofFaces").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], faces.Select(f => f.GetProperty("faceNo").GetInt32()));
        var face = faces[0];
        foreach (var name in new[] { "tiltDeg", "azimuthDeg", "areaM2", "usableAreaM2", "annualIrradiationKwhPerM2", "shadingLossFraction", "installableKwp", "annualKwhAc" })
        {
            Assert.Equal(JsonValueKind.Number, face.GetProperty(name).ValueKind);
        }
        Assert.Equal(30, face.GetProperty("tiltDeg").GetDouble(), 1e-9);
        Assert.Equal(180, face.GetProperty("azimuthDeg").GetDouble(), 1e-9);
        Assert.Equal(0.05, face.GetProperty("shadingLossFraction").GetDouble(), 1e-9);
        Assert.Equal(11, face.GetProperty("quantilesKwhPerM2").GetArrayLength());
        Assert.Equal("Polygon", face.GetProperty("polygonWgs84").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Closest_PointWithin50mOfAFootprint_NearestBuilding()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        // 30 m south of A's south edge, 36 m from B's nearest corner: A.
        var (lat, lon) = await Wgs84Async(site.X + 5, site.Y - 30);
        using var response = await client.GetAsync(Url("/api/v1/solar/buildings/closest?lat={0}&lon={1}", lat, lon), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(site.BuildingA, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("building").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Closest_PointBeyond50m_404Problem()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        var (lat, lon) = await Wgs84Async(site.X + 5, site.Y - 60);
        using var response = await client.GetAsync(Url("/api/v1/solar/buildings/closest?lat={0}&lon={1}", lat, lon), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("not_found", problem.GetProperty("code").GetString());
        Assert.Contains("50 m", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("lat=91&lon=2", "lat")]
    [InlineData("lat=48.9&lon=east", "lon")]
    [InlineData("lon=2", "lat")]
    public async Task Closest_BadCoordinate_400NamingTheParameter(string query, string parameter)
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/v1/solar/buildings/closest?" + query, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(parameter, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task ById_KnownBadAndUnknown_200_400_404()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using (var ok = await client.GetAsync($"/api/v1/solar/buildings/{site.BuildingB}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var json = JsonDocument.Parse(await ok.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal(site.BuildingB, json.GetProperty("building").GetProperty("id").GetInt64());
            Assert.Equal("skipped", json.GetProperty("status").GetString());
            Assert.Equal("no height, roof altitude or storey count", json.GetProperty("reason").GetString());
        }
        using (var bad = await client.GetAsync("/api/v1/solar/buildings/12x", Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal("id", problem.GetProperty("parameter").GetString());
        }
        using (var missing = await client.GetAsync("/api/v1/solar/buildings/999999999", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
    }

    [Fact]
    public async Task RoofFaces_BoxPagedByTwo_AllFacesOnceAsGeoJson()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var (minLat, minLon) = await Wgs84Async(site.X - 5, site.Y - 5);
        var (maxLat, maxLon) = await Wgs84Async(site.X + 45, site.Y + 15);

        var url = Url("/api/v1/solar/roof-faces?bbox={0},{1},{2},{3}&limit=2", minLon, minLat, maxLon, maxLat);
        var seen = new List<string>();
        var pages = 0;
        while (url is not null)
        {
            using var response = await client.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal("FeatureCollection", page.GetProperty("type").GetString());
            var features = page.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(features.Count, page.GetProperty("numberReturned").GetInt32());
            Assert.All(features, f =>
            {
                Assert.Equal("Polygon", f.GetProperty("geometry").GetProperty("type").GetString());
                var p = f.GetProperty("properties");
                Assert.Equal(site.BuildingA, p.GetProperty("buildingId").GetInt64());
                Assert.Equal(1100, p.GetProperty("annualIrradiationKwhPerM2").GetDouble(), 1e-9);
                Assert.Equal(100, p.GetProperty("areaM2").GetDouble(), 1e-9);
            });
            seen.AddRange(features.Select(f => f.GetProperty("id").GetString()!));
            pages++;
            url = page.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("rel").GetString() == "next")
                .Select(l => l.GetProperty("href").GetString()).FirstOrDefault();
        }
        Assert.Equal(2, pages);
        Assert.Equal([$"{site.BuildingA}-1", $"{site.BuildingA}-2", $"{site.BuildingA}-3"], seen);
    }

    [Fact]
    public async Task RoofFaces_WholeWorldBox_ServesFacesAndAFarBoxIsEmpty()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        // A world box reaches past where Lambert-93 can be projected: it is cut to that area, not a database error.
        var seen = new List<string>();
        string? url = "/api/v1/solar/roof-faces?bbox=-180,-90,180,90&limit=1000";
        while (url is not null)
        {
            using var response = await client.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            seen.AddRange(page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!));
            url = page.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("rel").GetString() == "next")
                .Select(l => l.GetProperty("href").GetString()).FirstOrDefault();
        }
        Assert.Contains($"{site.BuildingA}-1", seen);

        using var far = await client.GetAsync("/api/v1/solar/roof-faces?bbox=140,-40,150,-30", Ct);
        Assert.Equal(HttpStatusCode.OK, far.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await far.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("numberReturned").GetInt32());
    }

    [Theory]
    [InlineData("bbox=1,2,3", "bbox")]
    [InlineData("bbox=3,2,1,4", "bbox")]
    [InlineData("bbox=1,2,3,4&limit=0", "limit")]
    [InlineData("bbox=1,2,3,4&cursor=abc", "cursor")]
    public async Task RoofFaces_BadParameter_400NamingIt(string query, string parameter)
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/v1/solar/roof-faces?" + query, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(parameter, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Batch_IdsAndBox_ReportsInIdOrderStreamed_MissingNamed_BoxPaged()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using var byIds = await client.GetAsync($"/api/v1/solar/buildings?ids={site.BuildingB},{site.BuildingA},999999999,{site.BuildingA}", Ct);
        Assert.Equal(HttpStatusCode.OK, byIds.StatusCode);
        var batch = JsonDocument.Parse(await byIds.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal([site.BuildingA, site.BuildingB], batch.GetProperty("reports").EnumerateArray().Select(r => r.GetProperty("building").GetProperty("id").GetInt64()));
        Assert.Equal([999999999L], batch.GetProperty("missing").EnumerateArray().Select(m => m.GetInt64()));
        Assert.Equal(JsonValueKind.Null, batch.GetProperty("next").ValueKind);
        using var single = await client.GetAsync($"/api/v1/solar/buildings/{site.BuildingA}", Ct);
        Assert.Equal(await single.Content.ReadAsStringAsync(Ct), batch.GetProperty("reports")[0].GetRawText());

        var (minLat, minLon) = await Wgs84Async(site.X - 5, site.Y - 5);
        var (maxLat, maxLon) = await Wgs84Async(site.X + 45, site.Y + 15);
        var url = Url("/api/v1/solar/buildings?bbox={0},{1},{2},{3}&limit=1", minLon, minLat, maxLon, maxLat);
        var seen = new List<long>();
        while (url is not null)
        {
            var page = JsonDocument.Parse(await client.GetStringAsync(url, Ct)).RootElement;
            seen.AddRange(page.GetProperty("reports").EnumerateArray().Select(r => r.GetProperty("building").GetProperty("id").GetInt64()));
            url = page.GetProperty("next").ValueKind == JsonValueKind.String ? new Uri(page.GetProperty("next").GetString()!).PathAndQuery : null;
        }
        Assert.Equal([site.BuildingA, site.BuildingB], seen);
    }

    [Theory]
    [InlineData("ids=1,abc", "ids")]
    [InlineData("ids=-1", "ids")]
    [InlineData("", "ids")]
    [InlineData("ids=1&bbox=1,2,3,4", "bbox")]
    [InlineData("ids=1&limit=5", "limit")]
    [InlineData("bbox=1,2,3", "bbox")]
    [InlineData("bbox=3,2,1,4", "bbox")]
    [InlineData("bbox=1,2,3,4&limit=501", "limit")]
    [InlineData("bbox=1,2,3,4&cursor=x", "cursor")]
    [InlineData("bbox=1,2,3,4&foo=1", "foo")]
    public async Task Batch_BadParameters_Are400NamingThem(string query, string parameter)
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/api/v1/solar/buildings?" + query, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(parameter, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Batch_MoreThan1000Ids_Is400()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/api/v1/solar/buildings?ids=" + string.Join(',', Enumerable.Range(1, 1001)), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(body.Contains("At most 1000 ids", StringComparison.Ordinal), body);
    }

    private static string Url(string format, params double[] values) =>
        string.Format(CultureInfo.InvariantCulture, format, values.Cast<object>().ToArray());

    private sealed record Site(double X, double Y, long RunId, long BuildingA, long BuildingB);

    private static int sites;

    /// <summary>A complete run with building A (ok, three 100 m² faces) and B (skipped), at a place of its own.</summary>
    private async Task<Site> SiteAsync()
    {
        var n = Interlocked.Increment(ref sites);
        double x = 651_000 + 1000 * n, y = 6_860_000 + 1000 * (Environment.ProcessId % 50);
        var source = $"solar-api-{Guid.NewGuid():N}"[..24];
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand("""
            WITH ir AS (INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('buildings', @src, 'test', 'succeeded') RETURNING id),
            a AS (INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, attributes, ingest_run_id)
                  SELECT @src, 'A', ST_Multi(ST_MakeEnvelope(@x, @y, @x + 10, @y + 10, 2154)), 9, '{"cleabs": "BATIMENT0000000000000001"}', id FROM ir RETURNING id),
            b AS (INSERT INTO region.building (source, source_id, footprint, ingest_run_id)
                  SELECT @src, 'B', ST_Multi(ST_MakeEnvelope(@x + 30, @y, @x + 40, @y + 10, 2154)), id FROM ir RETURNING id),
            r AS (INSERT INTO solar.run (status, model_version, parameters, area, tile_size_m, building_count, finished_at)
                  VALUES ('complete', 'test', '{"albedo": 0.2}', '{"all": true}', 250, 2, now()) RETURNING id)
            SELECT r.id, a.id, b.id FROM r, a, b
            """, conn);
        cmd.Parameters.AddWithValue("src", source);
        cmd.Parameters.AddWithValue("x", x);
        cmd.Parameters.AddWithValue("y", y);
        long run, idA, idB;
        await using (var reader = await cmd.ExecuteReaderAsync(Ct))
        {
            await reader.ReadAsync(Ct);
            (run, idA, idB) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        await using var insert = new NpgsqlCommand("""
            INSERT INTO solar.building_result (run_id, building_id, status, reason, roof_origin, centre, roof_area_m2, usable_area_m2,
                mean_irradiation_kwh_per_m2, panel_count, installable_kwp, annual_kwh_ac, monthly_kwh_ac, co2_avoided_kg_per_year, station_distance_km)
            VALUES (@run, @a, 'ok', NULL, 'inferred', ST_SetSRID(ST_MakePoint(@x + 5, @y + 5), 2154), 300, 240, 1100, 36, 15.3, 15000,
                    array_fill(1250::real, ARRAY[12]), 750, 3),
                   (@run, @b, 'skipped', 'no height, roof altitude or storey count', NULL, ST_SetSRID(ST_MakePoint(@x + 35, @y + 5), 2154),
                    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3);
            INSERT INTO solar.face_result (run_id, building_id, face_no, polygon, origin, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
                annual_irradiation_kwh_per_m2, quantiles_kwh_per_m2, shading_loss_fraction, suitability_class, panel_count, installable_kwp,
                annual_kwh_ac, monthly_kwh_ac)
            SELECT @run, @a, k, ST_Force3D(ST_MakeEnvelope(@x, @y + (k - 1) * 10 / 3.0, @x + 10, @y + k * 10 / 3.0, 2154), 50), 'inferred',
                   30, 180, 100, 80, 1100, array_fill(1100::real, ARRAY[11]), 0.05, 4, 12, 5.1, 5000, array_fill(416.67::real, ARRAY[12])
            FROM generate_series(1, 3) k;
            """, conn);
        insert.Parameters.AddWithValue("run", run);
        insert.Parameters.AddWithValue("a", idA);
        insert.Parameters.AddWithValue("b", idB);
        insert.Parameters.AddWithValue("x", x);
        insert.Parameters.AddWithValue("y", y);
        await insert.ExecuteNonQueryAsync(Ct);
        return new Site(x, y, run, idA, idB);
    }

    private async Task<(double Lat, double Lon)> Wgs84Async(double x, double y)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT ST_Y(g), ST_X(g) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(@x, @y), 2154), 4326) AS g) t", conn);
        cmd.Parameters.AddWithValue("x", x);
        cmd.Parameters.AddWithValue("y", y);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetDouble(0), reader.GetDouble(1));
    }
}
