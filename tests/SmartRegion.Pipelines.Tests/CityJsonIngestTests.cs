using SmartRegion.Pipelines.Ingest;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

public sealed class CityJsonIngestTests(TestDatabase db)
{
    [Fact]
    public async Task IngestCityJson_3dBagBuildingParts_RoofSurfacesAndNapHeights()
    {
        var path = SharedData.Require("lod2/3dbag_b2.city.json");
        var source = UniqueSource("bag");
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        Assert.Equal(("cityjson", "EPSG:7415", 2), (r.Format, r.SourceCrs, r.Accepted));
        // b3_h_dak_70p 7.8 − b3_h_maaiveld −0.277; the LoD2.2 Solid of its BuildingPart has 5 RoofSurface faces.
        Assert.Equal("8.077|NAP|pitched|5", await ScalarAsync<string>(db, """
            SELECT concat_ws('|', round(b.height_above_ground_m::numeric, 3), b.altitude_datum, b.roof_shape, (SELECT count(*) FROM region.roof_surface r WHERE r.building_id = b.id))
            FROM region.building b WHERE source = @s AND source_id = 'NL.IMBAG.Pand.0503100000028341'
            """, ("s", source)));
        // Every face: tilt in range, true area ≥ its plan area, lod2 origin.
        Assert.True(await ScalarAsync<bool>(db, """
            SELECT bool_and(r.tilt_deg BETWEEN 0 AND 90 AND r.area_m2 >= ST_Area(r.polygon) - 1e-6 AND r.origin = 'lod2')
            FROM region.roof_surface r JOIN region.building b ON b.id = r.building_id WHERE b.source = @s
            """, ("s", source)));
    }

    [Fact]
    public async Task IngestCityJsonSeq_PantheonRoofer_FootprintInParisWithNgfAltitudes()
    {
        var path = SharedData.Require("lod2/paris_pantheon_roofer_lod22.city.jsonl");
        var source = UniqueSource("pan");
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        Assert.Equal(("cityjsonseq", "EPSG:2154", 1), (r.Format, r.SourceCrs, r.Accepted));
        var row = await ScalarAsync<string>(db, """
            SELECT concat_ws('|', source_id, altitude_datum, round(roof_max_altitude_ngfign69_m::numeric, 2), round(ST_X(ST_Centroid(footprint)))::int / 1000,
                   round(ST_Y(ST_Centroid(footprint)))::int / 1000, (SELECT count(*) > 10 FROM region.roof_surface rs WHERE rs.building_id = b.id))
            FROM region.building b WHERE source = @s
            """, ("s", source));
        // The Panthéon: 48.846 N 2.346 E ≈ (652 000, 6 860 900) in Lambert-93; rf_h_roof_max 145.03 m NGF-IGN69.
        Assert.Equal("bdnb-bc-S6M2-YMDC-34Z2|NGF-IGN69|145.03|652|6860|t", row);
    }

    [Fact]
    public async Task IngestCityJson_ZurichMultiSurface_Keeps644RoofSurfaces()
    {
        var path = SharedData.Require("lod2/zurich_subset_lod2.city.json");
        var source = UniqueSource("zh");
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        Assert.Equal(49, r.Accepted);
        Assert.Equal(644L, await ScalarAsync<long>(db, "SELECT count(*) FROM region.roof_surface r JOIN region.building b ON b.id = r.building_id WHERE b.source = @s", ("s", source)));
    }

    [Fact]
    public async Task IngestCityJson_NoReferenceSystem_AsksForSrs()
    {
        var path = SharedData.Require("lod2/denhaag_DH_01_subs.city.json");
        var e = await Assert.ThrowsAsync<SmartRegion.Geo.Readers.SourceFormatException>(() => BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("dh")), null, Ct));
        Assert.Contains("no metadata.referenceSystem: pass --srs", e.Message);
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("dh")) with { Epsg = 7415 }, null, Ct);
        Assert.Equal(4, r.Accepted);
    }

    [Fact]
    public async Task IngestCityJson_VertexIndexOutOfRange_RejectsObjectNamingPath()
    {
        var json = """
            {"type":"CityJSON","version":"2.0","transform":{"scale":[0.001,0.001,0.001],"translate":[652000,6862000,30]},
             "metadata":{"referenceSystem":"https://www.opengis.net/def/crs/EPSG/0/2154"},
             "CityObjects":{
               "good":{"type":"Building","attributes":{},"geometry":[{"type":"MultiSurface","lod":"2","boundaries":[[[0,1,2,3]]],"semantics":{"surfaces":[{"type":"RoofSurface"}],"values":[0]}}]},
               "bad":{"type":"Building","geometry":[{"type":"MultiSurface","lod":"2","boundaries":[[[0,1,99]]]}]}},
             "vertices":[[0,0,0],[10000,0,0],[10000,10000,5000],[0,10000,5000]]}
            """;
        var path = TempFile("v.city.json", json);
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("vx")), null, Ct);
        Assert.Equal(1, r.Accepted);
        var p = Assert.Single(r.Rejections);
        Assert.Equal(("bad", "CityObjects.bad.geometry[0].boundaries[0][0]"), (p.SourceId, p.Field));
        Assert.Equal("vertex index 99 is out of range (the file has 4 vertices)", p.Reason);
    }
}
