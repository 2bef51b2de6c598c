using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;
using SmartRegion.Geo.Wkb;
using SmartRegion.Testing;

namespace SmartRegion.Geo.Tests;

// The building ingest reads a GeoJSON footprint into flat coordinates and writes its EWKB from them: every byte must be what
// NetTopologySuite's reader and WKBWriter made of the same feature, and every bad input must fail with the same field and message.
public sealed class PolygonCoordinatesTests
{
    private static readonly GeometryFactory Factory = new();
    private static readonly WKTReader Wkt = new();

    public static TheoryData<string> RealFiles => new()
    {
        "buildings/lyon-1er_bdtopo_batiment_3946.geojson", // 3D rings, holes, 22-digit coordinates
        "buildings/saint-denis_bdtopo_batiment.geojson",   // CRS84
    };

    private static IEnumerable<byte[]> Features(string file)
    {
        using var stream = new GeoJsonFeatureStream(File.OpenRead(SharedData.Require(file)), Path.GetFileName(file));
        while (stream.Next() is { } bytes)
        {
            yield return bytes;
        }
    }

    private static byte[] Ewkb(Geometry g, bool withZ) => new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: withZ).Write(g);

    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Read_RealBdTopo_SameGeometryAndEwkbAsNetTopologySuite(string file)
    {
        var flat = new PolygonCoordinates();
        var ewkb3d = new EwkbBuffer(withZ: true);
        var ewkb2d = new EwkbBuffer(withZ: false);
        int features = 0, holes = 0, withZ = 0;
        var index = 0;
        foreach (var bytes in Features(file))
        {
            var nts = GeoJsonFeatureParser.Parse(bytes, index, null, Factory);
            var fast = GeoJsonFeatureParser.Parse(bytes, index++, null, Factory, flat);
            Assert.Null(fast.Geometry);
            Assert.Same(flat, fast.Polygons);
            var expected = nts.Geometry!;
            expected.SRID = 2154;
            var built = flat.ToGeometry(Factory);
            Assert.True(expected.EqualsExact(built), $"{file} feature {index - 1}");
            Assert.Equal(expected.Coordinates.Select(c => c.Z), built.Coordinates.Select(c => c.Z));
            Assert.Equal(Ewkb(expected, withZ: true), ewkb3d.Write(flat, 2154).ToArray());
            Assert.Equal(Ewkb(expected, withZ: false), new EwkbBuffer(withZ: false).Write(flat, 2154).ToArray());
            var footprint = Footprint2d(expected);
            Assert.Equal(Ewkb(footprint, withZ: false), ewkb2d.WriteMultiPolygon(flat, 2154).ToArray());
            Assert.Equal(Ewkb(footprint, withZ: false), Ewkb(flat.ToFootprint2d(new GeometryFactory(new PrecisionModel(), 2154)), withZ: false));
            features++;
            holes += flat.RingCount - flat.PolygonCount;
            withZ += flat.HasZ() ? 1 : 0;
        }
        Assert.True(features > 400 && holes > 10 && withZ == features, $"{features} features, {holes} holes, {withZ} with Z");
    }

    // What the mapper wrote before it read flat coordinates: every polygon's rings in x, y, as one MultiPolygon.
    private static MultiPolygon Footprint2d(Geometry g)
    {
        var f = new GeometryFactory(new PrecisionModel(), g.SRID);
        LinearRing Ring(LineString r) => f.CreateLinearRing(r.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray());
        var polygons = Enumerable.Range(0, g.NumGeometries).SelectMany(i => g.GetGeometryN(i) is MultiPolygon m ? m.Geometries.Cast<Polygon>() : [(Polygon)g.GetGeometryN(i)])
            .Select(p => p.IsEmpty ? f.CreatePolygon() : f.CreatePolygon(Ring(p.ExteriorRing), p.InteriorRings.Select(Ring).ToArray()));
        return f.CreateMultiPolygon(polygons.ToArray());
    }

    [Theory]
    [InlineData("""{"type":"MultiPolygon","coordinates":[[[[0,0,1],[10,0,2],[10,10,3],[0,0,1]],[[2,1],[8,1],[8,7],[2,1]]],[[[20,20],[30,20],[30,30],[20,20]]],[]]}""")]
    [InlineData("""{"type":"Polygon","coordinates":[[[652000.5,6862000.25],[652010,6862000],[652010,6862010],[652000.5,6862000.25]]]}""")]
    [InlineData("""{"coordinates":[[[0,0,5],[10,0,5],[10,10,6],[0,0,5]]],"type":"Polygon"}""")]
    [InlineData("""{"type":"Polygon","coordinates":[]}""")]
    [InlineData("""{"type":"MultiPolygon","coordinates":[]}""")]
    public void Read_MultiPartsHolesMixedDimensionsAndEmpty_SameAsNetTopologySuite(string geometry)
    {
        var json = Encoding.UTF8.GetBytes(geometry);
        var expected = GeoJsonGeometry.Read(json, Factory)!;
        expected.SRID = 2154;
        var reader = new System.Text.Json.Utf8JsonReader(json);
        reader.Read();
        var flat = new PolygonCoordinates();
        Assert.Null(GeoJsonGeometry.Read(json, ref reader, Factory, flat));
        Assert.Equal(expected.GeometryType, flat.ToGeometry(Factory).GeometryType);
        Assert.True(expected.EqualsExact(flat.ToGeometry(Factory)));
        Assert.Equal(Ewkb(expected, withZ: true), new EwkbBuffer(withZ: true).Write(flat, 2154).ToArray());
        Assert.Equal(Ewkb(expected, withZ: false), new EwkbBuffer(withZ: false).Write(flat, 2154).ToArray());
        Assert.Equal(Ewkb(Footprint2d(expected), withZ: false), new EwkbBuffer(withZ: false).WriteMultiPolygon(flat, 2154).ToArray());
    }

    [Theory]
    [InlineData("POLYGON Z ((0 0 1, 1 0 2, 1 1 3, 0 0 1), (0.2 0.1 1, 0.8 0.1 1, 0.8 0.7 1, 0.2 0.1 1))")]
    [InlineData("MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 2 2)), ((20 20, 30 20, 30 30, 20 20)))")]
    [InlineData("GEOMETRYCOLLECTION Z (POLYGON Z ((0 0 1, 1 0 2, 1 1 3, 0 0 1)), MULTIPOLYGON Z (((5 5 1, 6 5 1, 6 6 1, 5 5 1)), ((7 7 1, 8 7 1, 8 8 1, 7 7 1))))")]
    public void TryLoad_PolygonalGeometry_WritesNetTopologySuitesEwkb(string wkt)
    {
        var g = Wkt.Read(wkt);
        g.SRID = 2154;
        var flat = new PolygonCoordinates();
        Assert.True(flat.TryLoad(g));
        Assert.Equal(Ewkb(g, withZ: true), new EwkbBuffer(withZ: true).Write(flat, 2154).ToArray());
        Assert.Equal(Ewkb(Footprint2d(g), withZ: false), new EwkbBuffer(withZ: false).WriteMultiPolygon(flat, 2154).ToArray());
    }

    [Theory]
    [InlineData("POINT (1 2)")]
    [InlineData("LINESTRING (0 0, 1 1)")]
    [InlineData("GEOMETRYCOLLECTION (POLYGON ((0 0, 1 0, 1 1, 0 0)), POINT (5 5))")]
    public void TryLoad_NotPolygonal_IsFalse(string wkt)
    {
        var flat = new PolygonCoordinates();
        Assert.False(flat.TryLoad(Wkt.Read(wkt)));
        Assert.Equal(PolygonalKind.None, flat.Kind);
    }

    // Each bad footprint, as a Polygon and inside a MultiPolygon: the flat reader names the same field with the same message as
    // the NetTopologySuite one (the ring, the position, the value).
    [Theory]
    [InlineData("""[[[0,0],[1,0],[1,1]]]""", "[0]", "has 3 positions, at least 4 needed")]
    [InlineData("""[[[0,0,1],[1,0,1],[1,1,1],[0,1,1]]]""", "[0]", "ring is not closed (first and last positions differ)")]
    [InlineData("""[[[0,0],[9,0],[9,9],[0,0]],[[1,1],[2,1],[2,2],[1,2]]]""", "[1]", "ring is not closed")]
    [InlineData("""[[[0,0],[1,"NaN"],[1,1],[0,0]]]""", "[0][1]", "holds \"NaN\", not a number")]
    [InlineData("""[[[0,0],[1,1e999],[1,1],[0,0]]]""", "[0][1]", "not a finite number (NaN or Infinity)")]
    [InlineData("""[[[0,0],[1],[1,1],[0,0]]]""", "[0][1]", "is not a position [x, y] or [x, y, z]")]
    [InlineData("""[[[0,0],[1,0],[1,1],"x"]]""", "[0][3]", "is not a position")]
    [InlineData("""[{"a":1}]""", "[0]", "is not an array of positions")]
    [InlineData("""[[[0,0],[1,0],[1,1]],[[0,0],[1,"x"]]]""", "[0]", "has 3 positions")]
    public void Read_BadRing_SameFieldAndMessageAsNetTopologySuite(string polygon, string at, string reason)
    {
        foreach (var (type, coordinates, field) in new[]
        {
            ("Polygon", polygon, "geometry.coordinates" + at),
            ("MultiPolygon", "[[[[0,0],[1,0],[1,1],[0,0]]]," + polygon + "]", "geometry.coordinates[1]" + at),
        })
        {
            var json = Encoding.UTF8.GetBytes("""{"type":"Feature","properties":{},"geometry":{"type":""" + $"\"{type}\",\"coordinates\":{coordinates}" + "}}");
            var slow = Assert.Throws<FeatureFieldException>(() => GeoJsonFeatureParser.Parse(json, 3, null, Factory));
            var fast = Assert.Throws<FeatureFieldException>(() => GeoJsonFeatureParser.Parse(json, 3, null, Factory, new PolygonCoordinates()));
            Assert.Equal(field, fast.Field);
            Assert.Contains(reason, fast.Message);
            Assert.Equal((slow.Field, slow.Message), (fast.Field, fast.Message));
        }
    }

    [Fact]
    public void Read_PolygonNotAnArray_NamesThePolygon()
    {
        var json = Encoding.UTF8.GetBytes("""{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],7]}}""");
        var e = Assert.Throws<FeatureFieldException>(() => GeoJsonFeatureParser.Parse(json, 0, null, Factory, new PolygonCoordinates()));
        Assert.Equal(("geometry.coordinates[1]", "is not an array"), (e.Field, e.Message));
    }

    // The mapper's record from flat coordinates: NetTopologySuite's EWKB of the footprint and of the 3D geometry, transformed to
    // Lambert-93 as CrsTransform.Apply transforms the geometry (Lyon's EPSG:3946, Saint-Denis's CRS84).
    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Map_RealBdTopo_RecordEwkbIsNetTopologySuitesOfTheTransformedGeometry(string file)
    {
        var epsg = file.Contains("3946", StringComparison.Ordinal) ? 3946 : KnownCrs.Wgs84;
        var mapper = new BuildingMapper(epsg, strict: false, idField: null);
        var transform = CrsTransform.Create(epsg);
        var flat = new PolygonCoordinates();
        var index = 0;
        var mapped = 0;
        foreach (var bytes in Features(file))
        {
            var expected = GeoJsonFeatureParser.Parse(bytes, index, null, Factory).Geometry!;
            var result = mapper.Map(GeoJsonFeatureParser.Parse(bytes, index++, null, Factory, flat));
            if (result.Record is not { } record)
            {
                continue;
            }
            transform.Apply(expected);
            Assert.Equal(Ewkb(expected, withZ: true), record.Geometry3dEwkb!.Value.ToArray());
            if (record.Repair is null)
            {
                Assert.Equal(Ewkb(Footprint2d(expected), withZ: false), record.FootprintEwkb.ToArray());
                mapped++;
            }
        }
        Assert.True(mapped > 400, $"{mapped} mapped");
    }

    // The same feature handed to the mapper as a NetTopologySuite geometry (GeoPackage, CSV, CityJSON readers) and as flat
    // coordinates (GeoJSON) gives the same record, warnings and rejection.
    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Map_FlatOrGeometry_SameRecord(string file)
    {
        var epsg = file.Contains("3946", StringComparison.Ordinal) ? 3946 : KnownCrs.Wgs84;
        var a = new BuildingMapper(epsg, strict: false, idField: null);
        var b = new BuildingMapper(epsg, strict: false, idField: null);
        var flat = new PolygonCoordinates();
        var index = 0;
        foreach (var bytes in Features(file))
        {
            var x = a.Map(GeoJsonFeatureParser.Parse(bytes, index, null, Factory));
            var y = b.Map(GeoJsonFeatureParser.Parse(bytes, index++, null, Factory, flat));
            Assert.Equal(x.Rejection, y.Rejection);
            Assert.Equal(x.Warnings, y.Warnings);
            if (x.Record is { } r)
            {
                var s = y.Record!;
                Assert.Equal((r.SourceId, r.AltitudeDatum, r.HeightAboveGroundM, r.Repair), (s.SourceId, s.AltitudeDatum, s.HeightAboveGroundM, s.Repair));
                Assert.Equal(r.FootprintEwkb.ToArray(), s.FootprintEwkb.ToArray());
                Assert.Equal(r.Geometry3dEwkb?.ToArray(), s.Geometry3dEwkb?.ToArray());
            }
        }
    }

    [Theory]
    [InlineData("""{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}""", null, null)]
    [InlineData("""{"type":"Polygon","coordinates":[]}""", "geometry", "is empty")]
    [InlineData("""{"type":"MultiPolygon","coordinates":[[]]}""", "geometry", "is empty")]
    [InlineData("""{"type":"Polygon","coordinates":[[[0,0],[1e7,0],[1,1],[0,0]]]}""", "geometry.coordinates", "vertex 1 (10000000, 0) is far outside the area of EPSG:4326")]
    [InlineData("""{"type":"Polygon","coordinates":[[[2.3,48.9],[2.4,48.9],[2.3,48.9],[2.4,48.9],[2.3,48.9]]]}""", "geometry", "nothing polygonal is left after repair")]
    [InlineData("""{"type":"LineString","coordinates":[[2.3,48.9],[2.4,48.9]]}""", "geometry.type", "is LineString: a building footprint must be a Polygon or MultiPolygon")]
    public void Map_FlatBadFootprint_RejectedAsBefore(string geometry, string? field, string? reason)
    {
        var feature = Encoding.UTF8.GetBytes("""{"type":"Feature","id":"b1","properties":{},"geometry":""" + geometry + "}");
        var mapper = new BuildingMapper(KnownCrs.Wgs84, strict: false, idField: null);
        var viaGeometry = mapper.Map(GeoJsonFeatureParser.Parse(feature, 0, null, Factory));
        var viaFlat = mapper.Map(GeoJsonFeatureParser.Parse(feature, 0, null, Factory, new PolygonCoordinates()));
        Assert.Equal(viaGeometry.Rejection, viaFlat.Rejection);
        if (field is null)
        {
            Assert.NotNull(viaFlat.Record);
            return;
        }
        Assert.Equal(field, viaFlat.Rejection!.Field);
        Assert.Contains(reason!, viaFlat.Rejection.Reason);
    }
}
