using System.Text.Json.Nodes;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

/// <summary>
/// <c>tiles build</c> end to end through the real CLI: a small demo district generated, ingested and computed in a database of
/// its own (a tileset draws every building of its database), then built with few buildings per tile so that the quadtree has
/// several levels; every GLB checked by the Khronos validator, the tileset's tree, bounds and transforms, and the features
/// against the stored results.
/// </summary>
[Collection("process-environment")]
public sealed class TilesBuildTests(TestDatabase db) : IAsyncLifetime
{
    private ScratchDatabase? _scratch;
    private string _out = "";

    public async ValueTask InitializeAsync()
    {
        _scratch = await ScratchDatabase.CreateAsync(db, "tiles-tests", Ct);
        _out = Path.Combine(Path.GetTempPath(), "sr-tiles-" + Guid.NewGuid().ToString("N")[..8]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_scratch is not null)
        {
            await _scratch.DisposeAsync();
        }
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, true);
        }
    }

    [Fact]
    public async Task TilesBuild_DemoDistrict_ValidGlbsQuadtreeBoundsAndFeaturesEqualTheResults()
    {
        var (code, _, stderr) = await Cli.RunAsync(_scratch!.ConnectionString, null, "sample", "demo", "--buildings", "40", "--out", _out, "--workers", "1");
        Assert.True(code == 0, stderr);
        (code, _, stderr) = await Cli.RunAsync(_scratch!.ConnectionString, null, "tiles", "build", "--max-per-tile", "6");
        Assert.True(code == 0, stderr);
        Assert.Contains("tiles: tileset", stderr);

        var buildings = await ScalarAsync<long>("SELECT count(*) FROM region.building");
        var (tilesetId, json) = await TilesetAsync();
        var tileset = JsonNode.Parse(json)!.AsObject();
        Assert.Equal("1.1", tileset["asset"]!["version"]!.GetValue<string>());
        Assert.Equal(buildings, tileset["metadata"]!["properties"]!["buildingCount"]!.GetValue<long>());

        // The tree: every content stored, refine ADD, errors shrinking to 0 at the leaves, regions nested, each tile's
        // GLB vertices inside its content region once carried through the chain of transforms to ECEF.
        var tiles = await TilesAsync(tilesetId);
        var seen = new List<string>();
        var files = new List<string>();
        Directory.CreateDirectory(_out);
        void Walk(JsonObject tile, double parentError, double[] parentRegion, double[] parentTransform)
        {
            var error = tile["geometricError"]!.GetValue<double>();
            Assert.True(error <= parentError, $"{error} > parent {parentError}");
            Assert.Equal("ADD", tile["refine"]!.GetValue<string>());
            var region = Doubles(tile["boundingVolume"]!["region"]!);
            Assert.True(Inside(region, parentRegion, 1e-9), "a tile's region lies inside its parent's");
            var transform = tile["transform"] is { } t ? Multiply(parentTransform, Doubles(t)) : parentTransform;
            if (tile["content"] is { } content)
            {
                var uri = content["uri"]!.GetValue<string>();
                Assert.StartsWith($"v{tilesetId}/", uri);
                var key = uri[(uri.IndexOf('/') + 1)..^4];
                seen.Add(key);
                var glb = tiles[key];
                var path = Path.Combine(_out, key + ".glb");
                File.WriteAllBytes(path, glb);
                files.Add(path);
                var contentRegion = Doubles(content["boundingVolume"]!["region"]!);
                Assert.True(Inside(contentRegion, region, 1e-9));
                var positions = new GlbReader(glb).FloatAttribute("POSITION");
                for (var i = 0; i < positions.Length; i += 3)
                {
                    // glTF y-up → 3D Tiles z-up: (x, y, z) → (x, -z, y).
                    var (x, y, z) = Apply(transform, positions[i], -positions[i + 2], positions[i + 1]);
                    var (lon, lat, h) = Geodetic(x, y, z);
                    Assert.True(lon >= contentRegion[0] && lon <= contentRegion[2] && lat >= contentRegion[1] && lat <= contentRegion[3]
                        && h >= contentRegion[4] - 0.01 && h <= contentRegion[5] + 0.01, $"vertex {i / 3} of {key} at ({lon}, {lat}, {h:F2}) outside its region");
                }
            }
            foreach (var child in tile["children"]?.AsArray() ?? [])
            {
                Walk(child!.AsObject(), error, region, transform);
            }
            if (tile["children"] is null)
            {
                Assert.Equal(0, error);
            }
        }
        var root = tileset["root"]!.AsObject();
        Walk(root, tileset["geometricError"]!.GetValue<double>(), Doubles(root["boundingVolume"]!["region"]!),
            [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        Assert.Equal(tiles.Keys.Order(), seen.Order());
        Assert.True(seen.Count >= 5 && seen.Any(k => k.Length >= 3), $"a quadtree of several levels: {string.Join(", ", seen)}");

        // Every building exactly once, and each roof face's properties equal to its stored result.
        var faces = new Dictionary<(uint, ushort), float>();
        var drawn = new HashSet<uint>();
        foreach (var glb in tiles.Values)
        {
            var read = new GlbReader(glb);
            var ids = read.Column<uint>("buildingId");
            var faceNos = read.Column<ushort>("faceNo");
            var kwh = read.Column<float>("annualIrradiationKwhPerM2");
            for (var i = 0; i < ids.Length; i++)
            {
                if (faceNos[i] == 0)
                {
                    Assert.True(drawn.Add(ids[i]), $"building {ids[i]} drawn twice");
                }
                else if (kwh[i] >= 0)
                {
                    faces[(ids[i], faceNos[i])] = kwh[i];
                }
            }
        }
        Assert.Equal(buildings, drawn.Count);
        await using (var cmd = _scratch!.DataSource.CreateCommand("""
            SELECT f.building_id, f.face_no, f.annual_irradiation_kwh_per_m2 FROM solar.face_result f
            JOIN solar.building_latest l ON l.run_id = f.run_id AND l.building_id = f.building_id
            """))
        {
            await using var reader = await cmd.ExecuteReaderAsync(Ct);
            var count = 0;
            while (await reader.ReadAsync(Ct))
            {
                count++;
                Assert.Equal((float)reader.GetDouble(2), faces[((uint)reader.GetInt64(0), (ushort)reader.GetInt32(1))]);
            }
            Assert.Equal(count, faces.Count);
        }

        foreach (var report in await GltfValidator.ValidateAsync(files, Ct))
        {
            Assert.True(report.NumErrors == 0 && report.NumWarnings == 0, $"{report.File}: {string.Join("\n", report.Messages)}");
        }

        // --if-stale: nothing to do while no solar run completed since the served tileset was built.
        (code, _, stderr) = await Cli.RunAsync(_scratch!.ConnectionString, null, "tiles", "build", "--if-stale");
        Assert.True(code == 0, stderr);
        Assert.Contains("up to date", stderr);
        Assert.Equal(tilesetId, (await TilesetAsync()).Id);
    }

    [Fact]
    public async Task TilesBuild_NoBuildings_FailsWithTheReason()
    {
        var (code, _, stderr) = await Cli.RunAsync(_scratch!.ConnectionString, null, "tiles", "build");
        Assert.Equal(1, code);
        Assert.Contains("no buildings to draw", stderr);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM tiles3d.tileset WHERE status = 'ready'"));
        (code, _, stderr) = await Cli.RunAsync(_scratch!.ConnectionString, null, "tiles", "build", "--max-per-tile", "0");
        Assert.Equal(2, code);
        Assert.Contains("max-per-tile", stderr);
    }

    [Fact]
    public async Task TilesBuild_BuildingsWithoutAnyAltitude_StandOnTheMedianGround_AndAreSaidSo()
    {
        // Footprints with heights but no altitude at all (an OSM-like source), never computed: every building is drawn.
        var (code, stdout, stderr) = await Cli.RunAsync(_scratch!.ConnectionString, null, "sample", "district", "--buildings", "12", "--out", _out);
        Assert.True(code == 0, stderr);
        (code, _, stderr) = await Cli.RunAsync(_scratch!.ConnectionString, null, "ingest", "buildings",
            JsonNode.Parse(stdout)!["buildingsPath"]!.GetValue<string>(), "--source", "demo");
        Assert.True(code == 0, stderr);
        await using (var cmd = _scratch!.DataSource.CreateCommand("""
            UPDATE region.building SET ground_altitude_ngfign69_m = NULL, roof_min_altitude_ngfign69_m = NULL, roof_max_altitude_ngfign69_m = NULL,
                                       height_above_ground_m = coalesce(height_above_ground_m, 9)
            """))
        {
            await cmd.ExecuteNonQueryAsync(Ct);
        }
        var buildings = await ScalarAsync<long>("SELECT count(*) FROM region.building");

        (code, _, stderr) = await Cli.RunAsync(_scratch!.ConnectionString, null, "tiles", "build");
        Assert.True(code == 0, stderr);
        Assert.Contains($"{buildings} buildings without a ground altitude stood on the region's median ground (0.0 m)", stderr);
        var (_, json) = await TilesetAsync();
        Assert.Equal(buildings, JsonNode.Parse(json)!["metadata"]!["properties"]!["buildingCount"]!.GetValue<long>());
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var cmd = _scratch!.DataSource.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private async Task<(long Id, string Json)> TilesetAsync()
    {
        await using var cmd = _scratch!.DataSource.CreateCommand("SELECT id, tileset_json FROM tiles3d.tileset WHERE status = 'ready' ORDER BY id DESC LIMIT 1");
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct), "no ready tileset");
        return (reader.GetInt64(0), reader.GetString(1));
    }

    private async Task<Dictionary<string, byte[]>> TilesAsync(long tilesetId)
    {
        var tiles = new Dictionary<string, byte[]>();
        await using var cmd = _scratch!.DataSource.CreateCommand("SELECT key, content FROM tiles3d.tile WHERE tileset_id = @id");
        cmd.Parameters.AddWithValue("id", tilesetId);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            tiles[reader.GetString(0)] = reader.GetFieldValue<byte[]>(1);
        }
        return tiles;
    }

    private static double[] Doubles(JsonNode node) => node.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    private static bool Inside(double[] inner, double[] outer, double slack) =>
        inner[0] >= outer[0] - slack && inner[1] >= outer[1] - slack && inner[2] <= outer[2] + slack && inner[3] <= outer[3] + slack
        && inner[4] >= outer[4] - 1e-6 && inner[5] <= outer[5] + 1e-6;

    /// <summary>Column-major 4×4 product a·b.</summary>
    private static double[] Multiply(double[] a, double[] b)
    {
        var r = new double[16];
        for (var col = 0; col < 4; col++)
        {
            for (var row = 0; row < 4; row++)
            {
                for (var k = 0; k < 4; k++)
                {
                    r[col * 4 + row] += a[k * 4 + row] * b[col * 4 + k];
                }
            }
        }
        return r;
    }

    private static (double X, double Y, double Z) Apply(double[] m, double x, double y, double z) =>
        (m[0] * x + m[4] * y + m[8] * z + m[12], m[1] * x + m[5] * y + m[9] * z + m[13], m[2] * x + m[6] * y + m[10] * z + m[14]);

    /// <summary>WGS84 geodetic (radians, ellipsoidal metres) of an ECEF point, by fixed-point iteration on the latitude.</summary>
    private static (double Lon, double Lat, double H) Geodetic(double x, double y, double z)
    {
        const double a = 6378137.0, e2 = 6.69437999014e-3;
        var p = Math.Sqrt(x * x + y * y);
        var lat = Math.Atan2(z, p * (1 - e2));
        double h = 0;
        for (var i = 0; i < 10; i++)
        {
            var n = a / Math.Sqrt(1 - e2 * Math.Sin(lat) * Math.Sin(lat));
            h = p / Math.Cos(lat) - n;
            lat = Math.Atan2(z, p * (1 - e2 * n / (n + h)));
        }
        return (Math.Atan2(y, x), lat, h);
    }
}
