using System.Globalization;
using System.Text.Json;
using SmartRegion.Pipelines.Ingest;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

/// <summary>
/// CityGML LOD2 end to end: <c>ingest buildings FILE.gml</c> then <c>compute solar</c>, the roof faces checked against the
/// model's own RoofSurface coordinates (projected by PostGIS, the plane computed here).
/// </summary>
[Collection("process-environment")] // compute solar reads every building of its box
public sealed class CityGmlIngestTests(TestDatabase db)
{
    private const string LyonGable = "lod2/LYON_1ER_BATI_2015_small_house.gml";

    [Fact]
    public async Task IngestAndCompute_LyonGableHouse_RoofFacesAreTheModelsRoofSurfaces()
    {
        var path = SharedData.Require(LyonGable);
        var source = UniqueSource("gml-lyon");
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source) with { Epsg = 3946 }, null, Ct);
        Assert.Equal(("citygml", "EPSG:3946", 1, 0), (r.Format, r.SourceCrs, r.Accepted, r.Rejected));
        // Heights from the model: ground 197.40 m NGF-IGN69, ridge 207.78 m (measuredHeight 10.384).
        Assert.Equal("BU_69381AB133|NGF-IGN69|10.384|197.40|207.78", await ScalarAsync<string>(db, """
            SELECT concat_ws('|', source_id, altitude_datum, round(height_above_ground_m::numeric, 3), round(ground_altitude_ngfign69_m::numeric, 2),
                   round(roof_max_altitude_ngfign69_m::numeric, 2))
            FROM region.building WHERE source = @s
            """, ("s", source)));

        // What the model says: each RoofSurface's vertices projected to Lambert-93 by PostGIS, its plane computed here.
        var expected = new List<(double TiltDeg, double AzimuthDeg, double AreaM2)>();
        foreach (var ring in CityGmlModel.Rings(path, "RoofSurface"))
        {
            var points = string.Join(",", ring.Select(p => string.Create(CultureInfo.InvariantCulture, $"ST_MakePoint({p[0]}, {p[1]}, {p[2]})")));
            var projected = await ScalarAsync<string>(db, $"""
                SELECT string_agg(concat_ws(' ', ST_X(g), ST_Y(g), ST_Z(g)), ';' ORDER BY n)
                FROM unnest(ARRAY[{points}]) WITH ORDINALITY AS t(p, n), LATERAL ST_Transform(ST_SetSRID(p, 3946), 2154) AS g
                """);
            expected.Add(CityGmlModel.PlaneOf(projected.Split(';').Select(v => v.Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToArray()));
        }
        Assert.Equal(2, expected.Count);
        expected = [.. expected.OrderBy(e => e.AzimuthDeg)];

        // Stored as ingested: two lod2 faces.
        var stored = await FacesAsync("""
            SELECT r.tilt_deg, r.azimuth_deg, r.area_m2 FROM region.roof_surface r JOIN region.building b ON b.id = r.building_id
            WHERE b.source = @s AND r.origin = 'lod2' ORDER BY r.azimuth_deg
            """, ("s", source));
        AssertSame(expected, stored);

        // Computed: a weather year for Lyon, then compute solar over the house; the faces are the model's, not inferred.
        var folder = Path.Combine(Path.GetTempPath(), "sr-citygml-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var weather = Path.Combine(folder, "lyon-weather.csv");
        DemoWeather.Write(weather, 45.7640, 4.8357, 170);
        await WeatherIngest.RunAsync(db.DataSource, new WeatherIngestOptions(weather, WeatherFormat.Auto, "citygml-tests-lyon", null, null), Ct);
        var bbox = await ScalarAsync<string>(db, """
            SELECT concat_ws(',', round(ST_XMin(e)::numeric, 5), round(ST_YMin(e)::numeric, 5), round(ST_XMax(e)::numeric, 5), round(ST_YMax(e)::numeric, 5))
            FROM (SELECT ST_Transform(ST_SetSRID(ST_Expand(ST_Extent(footprint), 5), 2154), 4326) AS e FROM region.building WHERE source = @s) t
            """, ("s", source));
        var (code, stdout, stderr) = await Cli.RunAsync(db, null, "compute", "solar", "--bbox", bbox, "--workers", "1", "--new");
        Assert.True(code == 0, stderr);
        var runId = JsonDocument.Parse(stdout).RootElement.GetProperty("runId").GetInt64();
        Assert.Equal("ok|lod2", await ScalarAsync<string>(db, """
            SELECT r.status || '|' || r.roof_origin FROM solar.building_result r JOIN region.building b ON b.id = r.building_id
            WHERE r.run_id = @r AND b.source = @s
            """, ("r", runId), ("s", source)));
        var computed = await FacesAsync("""
            SELECT f.tilt_deg, f.azimuth_deg, f.area_m2 FROM solar.face_result f JOIN region.building b ON b.id = f.building_id
            WHERE f.run_id = @r AND b.source = @s ORDER BY f.azimuth_deg
            """, ("r", runId), ("s", source));
        AssertSame(expected, computed);
        // The south-south-west face gets more sun than the north-north-east one.
        Assert.True(await ScalarAsync<bool>(db, """
            SELECT max(annual_irradiation_kwh_per_m2) FILTER (WHERE azimuth_deg > 90) > 1.2 * max(annual_irradiation_kwh_per_m2) FILTER (WHERE azimuth_deg < 90)
            FROM solar.face_result f JOIN region.building b ON b.id = f.building_id WHERE f.run_id = @r AND b.source = @s
            """, ("r", runId), ("s", source)));
    }

    [Fact]
    public async Task Ingest_LyonWithoutSrs_AsksForSrs()
    {
        var path = SharedData.Require(LyonGable);
        Assert.Equal("citygml", FeatureSources.Detect(path));
        var e = await Assert.ThrowsAsync<SmartRegion.Geo.Readers.SourceFormatException>(() => BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("gml-nosrs")), null, Ct));
        Assert.Equal("LYON_1ER_BATI_2015_small_house.gml: the CityGML names no CRS (no srsName before its first building's end): pass --srs EPSG:N", e.Message);
    }

    [Fact]
    public async Task Ingest_Lod1OnlyBuildingAndBadRing_RejectedWithTheirLinesOthersLoaded()
    {
        string Box(string id, double x, string lod) => string.Create(CultureInfo.InvariantCulture, $"""
              <cityObjectMember><bldg:Building gml:id="{id}"><bldg:{lod}><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>
                <gml:posList>{x} 6862000 40 {x + 10} 6862000 40 {x + 10} 6862010 46 {x} 6862010 46 {x} 6862000 40</gml:posList>
              </gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:{lod}></bldg:Building></cityObjectMember>
            """);
        var xml = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <CityModel xmlns="http://www.opengis.net/citygml/2.0" xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:gml="http://www.opengis.net/gml">
              <gml:boundedBy><gml:Envelope srsName="EPSG:2154" srsDimension="3"><gml:lowerCorner>652000 6862000 40</gml:lowerCorner><gml:upperCorner>652100 6862010 46</gml:upperCorner></gml:Envelope></gml:boundedBy>
            {Box("GOOD", 652000, "lod2MultiSurface")}
            {Box("LOD1", 652030, "lod1MultiSurface")}
              <cityObjectMember><bldg:Building gml:id="TWOPOINTS"><bldg:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>
                <gml:posList>652060 6862000 40 652070 6862000 40</gml:posList>
              </gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface></bldg:Building></cityObjectMember>
            </CityModel>
            """;
        var path = TempFile("bad.gml", xml);
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("gml-bad")), null, Ct);
        Assert.Equal(("EPSG:2154", 1, 2), (r.SourceCrs, r.Accepted, r.Rejected));
        Assert.Equal(
            [("LOD1", 7L, "lod2", "line 7: has no LOD2 geometry (only lod1MultiSurface); a building is read from its lod2Solid, lod2MultiSurface or boundedBy surfaces' lod2MultiSurface"),
             ("TWOPOINTS", 10L, "lod2 geometry polygon/exterior", "line 11: the ring has 2 positions: a ring needs at least 4 (3 corners, then the first again)")],
            r.Rejections.Select(p => (p.SourceId, p.Line ?? 0, p.Field, p.Reason)));
    }

    private static void AssertSame(List<(double TiltDeg, double AzimuthDeg, double AreaM2)> expected, List<(double TiltDeg, double AzimuthDeg, double AreaM2)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            // ProjNET (the ingest) and PROJ (PostGIS, the expectation) agree within millimetres.
            Assert.Equal(expected[i].TiltDeg, actual[i].TiltDeg, 0.01);
            Assert.Equal(expected[i].AzimuthDeg, actual[i].AzimuthDeg, 0.01);
            Assert.Equal(expected[i].AreaM2, actual[i].AreaM2, 0.01);
        }
    }

    private async Task<List<(double, double, double)>> FacesAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        var list = new List<(double, double, double)>();
        while (await reader.ReadAsync(Ct))
        {
            list.Add((reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2)));
        }
        return list;
    }
}
