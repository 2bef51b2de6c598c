using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using SmartRegion.Api.Tiles3d;
using SmartRegion.Data;
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
    private string _connectionString = "";
    private NpgsqlDataSource? _dataSource;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await db.CreateScratchDatabaseAsync(Ct);
        _dataSource = SmartRegionDatabase.CreateDataSource(_connectionString, "tiles3d-api-tests");
        await Migrator.MigrateAsync(_dataSource, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
        await db.DropScratchAsync(_connectionString, CancellationToken.None);
    }

    [Fact]
    public async Task Tileset_BuiltWhenARunCompletes_ServedWithETags_ReplacedByTheNextRun()
    {
        await using var factory = new ApiFactory(_connectionString);
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
        await using var cmd = _dataSource!.CreateCommand("""
            WITH ir AS (INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('buildings', 'test', 'test', 'succeeded') RETURNING id)
            INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, ground_altitude_ngfign69_m, roof_max_altitude_ngfign69_m, ingest_run_id)
            SELECT 'test', 'A', ST_Multi(ST_MakeEnvelope(652000, 6862000, 652010, 6862010, 2154)), 9, 35, 44, id FROM ir RETURNING id
            """);
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private async Task InsertRunAsync(long building, double kwhPerM2)
    {
        await using var cmd = _dataSource!.CreateCommand("""
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
