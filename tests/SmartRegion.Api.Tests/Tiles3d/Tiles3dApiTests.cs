using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartRegion.Api.Tiles3d;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Tiles3d;

/// <summary>
/// The 3D Tiles endpoints and their rebuild when a solar run completes, in a database of their own (a tileset draws every
/// building of its database): not built yet → 503; built → tileset.json and GLBs with ETags; a newer complete run → a new
/// tileset under new paths, the previous one still served, the one before deleted.
/// </summary>
public sealed class Tiles3dApiTests(TestDatabase db) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private ScratchDatabase? _scratch;

    public async ValueTask InitializeAsync()
    {
        _scratch = await ScratchDatabase.CreateAsync(db, "tiles3d-api-tests", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_scratch is not null)
        {
            await _scratch.DisposeAsync();
        }
    }

    [Fact]
    public async Task Tileset_BuiltWhenARunCompletes_ServedWithETags_ReplacedByTheNextRun()
    {
        await using var factory = new ApiFactory(_scratch!.ConnectionString);
        using var client = factory.CreateClient();
        var refresher = factory.Services.GetServices<IHostedService>().OfType<Tiles3dRefresher>().Single();

        using (var none = await client.GetAsync("/api/v1/3dtiles/buildings/tileset.json", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
            Assert.Contains("tiles_not_built", await none.Content.ReadAsStringAsync(Ct));
        }
        Assert.False(await refresher.RefreshOnceAsync(Ct));   // no complete run yet

        var building = await InsertBuildingAsync();
        await InsertRunAsync(building, 1234);
        Assert.True(await refresher.RefreshOnceAsync(Ct));
        Assert.False(await refresher.RefreshOnceAsync(Ct));  // up to date

        var (first, firstETag, firstUri) = await TilesetAsync(client);
        using (var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/3dtiles/buildings/tileset.json"))
        {
            again.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(firstETag));
            using var notModified = await client.SendAsync(again, Ct);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        using (var glb = await client.GetAsync("/api/v1/3dtiles/buildings/" + firstUri, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, glb.StatusCode);
            Assert.Equal("model/gltf-binary", glb.Content.Headers.ContentType?.MediaType);
            Assert.Contains("immutable", glb.Headers.CacheControl!.ToString());
            var read = new GlbReader(await glb.Content.ReadAsByteArrayAsync(Ct));
            Assert.Equal([(uint)building, (uint)building], read.Column<uint>("buildingId"));
            Assert.Equal(1234f, read.Column<float>("annualIrradiationKwhPerM2")[0]);
            using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/3dtiles/buildings/" + firstUri);
            again.Headers.IfNoneMatch.Add(glb.Headers.ETag!);
            using var notModified = await client.SendAsync(again, Ct);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        foreach (var bad in new[] { "v999/r.glb", "vx/r.glb", $"v{first}/r9.glb", $"v{first}/..%2Ftileset.json" })
        {
            using var missing = await client.GetAsync("/api/v1/3dtiles/buildings/" + bad, Ct);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // A second complete run: a new tileset with the new result; the first still served (a viewer may be streaming it).
        await InsertRunAsync(building, 1500);
        Assert.True(await refresher.RefreshOnceAsync(Ct));
        var (second, secondETag, secondUri) = await TilesetAsync(client);
        Assert.NotEqual(first, second);
        Assert.NotEqual(firstETag, secondETag);
        using (var glb = await client.GetAsync("/api/v1/3dtiles/buildings/" + secondUri, Ct))
        {
            Assert.Equal(1500f, new GlbReader(await glb.Content.ReadAsByteArrayAsync(Ct)).Column<float>("annualIrradiationKwhPerM2")[0]);
        }
        using (var previous = await client.GetAsync("/api/v1/3dtiles/buildings/" + firstUri, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, previous.StatusCode);
        }
        // A third: the first is gone.
        await InsertRunAsync(building, 1600);
        Assert.True(await refresher.RefreshOnceAsync(Ct));
        using (var gone = await client.GetAsync("/api/v1/3dtiles/buildings/" + firstUri, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
    }

    [Fact]
    public async Task RoofSamples_EachSampleWithItsCellCutToTheFace_BadBoxesRefusedWithTheParameter()
    {
        await using var factory = new ApiFactory(_scratch!.ConnectionString);
        using var client = factory.CreateClient();
        var building = await InsertBuildingAsync();
        await InsertRunAsync(building, 1234);
        // The face is the square 652000–652010 × 6862000–6862010 at 44 m; a 2 m grid from the cell centred on (652001, 6862001),
        // rising 0.5 m per step east: a cell inside, one cut by the face's east edge, one wholly outside it.
        await using (var cmd = _scratch!.DataSource.CreateCommand("""
            UPDATE solar.face_result SET sample_grid = ARRAY[652001, 6862001, 44, 2, 0, 0.5, 0, 2, 0]::float8[],
                   sample_ij = ARRAY[0, 0, 4.5, 0, 6, 0]::real[], sample_kwh_per_m2 = ARRAY[1100, 1200.04, 900]::real[]
            WHERE building_id = @b
            """))
        {
            cmd.Parameters.AddWithValue("b", building);
            await cmd.ExecuteNonQueryAsync(Ct);
        }
        var (lon, lat) = SmartRegion.Geo.Crs.Lambert93.ToGeographicDeg(652005, 6862005);
        string Box(double half) => string.Join(',', new[] { lon - half, lat - half, lon + half, lat + half }.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

        var json = JsonNode.Parse(await client.GetStringAsync($"/api/v1/solar/roof-samples?bbox={Box(0.001)}", Ct))!;
        Assert.Equal(3, json["samples"]!.GetValue<int>());
        Assert.False(json["truncated"]!.GetValue<bool>());
        var face = json["faces"]!.AsArray().Single()!;
        Assert.Equal(building, face["buildingId"]!.GetValue<long>());
        Assert.Equal([1100, 1200, 900], face["kwhPerM2"]!.AsArray().Select(k => k!.GetValue<double>()));
        var cells = face["cells"]!.AsArray().Select(c => c!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();
        Assert.Equal(12, cells[0].Length);                  // a whole 2 m square: 4 corners (lon, lat, altitude)
        Assert.Equal([43.75, 43.75, 44.25, 44.25], cells[0].Where((_, i) => i % 3 == 2).Order());   // on the grid's rising plane
        Assert.True(cells[1].Length >= 12 && cells[1].Length % 3 == 0, $"cut cell: {cells[1].Length} numbers");   // cut to the face: 652009–652010
        var cutLons = cells[1].Where((_, i) => i % 3 == 0).ToArray();
        Assert.InRange(cutLons.Max() - cutLons.Min(), 0.9 / 73_000, 1.1 / 73_000);   // 1 m of longitude at 48.8° ≈ 1/73,000°
        Assert.Empty(cells[2]);                             // outside the face

        // A box with no roof: no faces. Then bad boxes and limits: 400 naming the parameter.
        var empty = JsonNode.Parse(await client.GetStringAsync($"/api/v1/solar/roof-samples?bbox=2.0,48.0,2.001,48.001", Ct))!;
        Assert.Empty(empty["faces"]!.AsArray());
        foreach (var (query, parameter) in new[]
        {
            ("", "bbox"), ("bbox=1,2,3", "bbox"), ("bbox=a,b,c,d", "bbox"), ("bbox=2.1,48,2.0,48.01", "bbox"), ("bbox=NaN,48,2,48.01", "bbox"),
            ("bbox=2,48,2.2,48.01", "bbox"), ("bbox=200,48,201,48.01", "bbox"), ($"bbox={Box(0.001)}&limit=0", "limit"),
            ($"bbox={Box(0.001)}&limit=20001", "limit"),
        })
        {
            using var bad = await client.GetAsync($"/api/v1/solar/roof-samples?{query}", Ct);
            Assert.True(bad.StatusCode == HttpStatusCode.BadRequest, $"{query}: {bad.StatusCode}");
            var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!;
            Assert.Equal(parameter, problem["parameter"]?.GetValue<string>());
        }
        // limit=1 keeps whole faces only: this face has 3 samples, so none fits and the answer says it is truncated.
        var cut = JsonNode.Parse(await client.GetStringAsync($"/api/v1/solar/roof-samples?bbox={Box(0.001)}&limit=1", Ct))!;
        Assert.True(cut["truncated"]!.GetValue<bool>());
        Assert.Empty(cut["faces"]!.AsArray());
    }

    private static async Task<(long Version, string ETag, string RootUri)> TilesetAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/3dtiles/buildings/tileset.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        return (long.Parse(json["asset"]!["tilesetVersion"]!.GetValue<string>()), response.Headers.ETag!.Tag,
            json["root"]!["content"]!["uri"]!.GetValue<string>());
    }

    private async Task<long> InsertBuildingAsync()
    {
        await using var cmd = _scratch!.DataSource.CreateCommand("""
            WITH ir AS (INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('buildings', 'test', 'test', 'succeeded') RETURNING id)
            INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, ground_altitude_ngfign69_m, roof_max_altitude_ngfign69_m, ingest_run_id)
            SELECT 'test', 'A', ST_Multi(ST_MakeEnvelope(652000, 6862000, 652010, 6862010, 2154)), 9, 35, 44, id FROM ir RETURNING id
            """);
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private async Task InsertRunAsync(long building, double kwhPerM2)
    {
        await using var cmd = _scratch!.DataSource.CreateCommand("""
            WITH r AS (INSERT INTO solar.run (status, model_version, parameters, area, tile_size_m, building_count, finished_at)
                       VALUES ('complete', 'test', '{}', '{"all": true}', 500, 1, now()) RETURNING id),
            b AS (INSERT INTO solar.building_result (run_id, building_id, status, roof_origin, centre, roof_area_m2)
                  SELECT r.id, @b, 'ok', 'inferred', ST_SetSRID(ST_MakePoint(652005, 6862005), 2154), 100 FROM r RETURNING run_id)
            INSERT INTO solar.face_result (run_id, building_id, face_no, polygon, origin, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
                annual_irradiation_kwh_per_m2, quantiles_kwh_per_m2, shading_loss_fraction, suitability_class, panel_count, installable_kwp,
                annual_kwh_ac, monthly_kwh_ac)
            SELECT b.run_id, @b, 1, ST_Force3D(ST_MakeEnvelope(652000, 6862000, 652010, 6862010, 2154), 44), 'inferred', 0, 180, 100, 80,
                   @kwh, array_fill(@kwh::real, ARRAY[11]), 0, 4, 12, 5.1, 5000, array_fill(400::real, ARRAY[12])
            FROM b
            """);
        cmd.Parameters.AddWithValue("b", building);
        cmd.Parameters.AddWithValue("kwh", kwhPerM2);
        await cmd.ExecuteNonQueryAsync(Ct);
    }
}
