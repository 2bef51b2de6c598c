using System.Buffers.Binary;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Tests;

// OGC 12-128r18 §2.1.3: "GP", version, flags (bit 0 byte order, bits 1-3 envelope, bit 4 empty, bit 5 extended), srs_id, envelope, WKB.
public sealed class GeoPackageBlobTests
{
    private static readonly byte[] PointWkb = new WKBWriter().Write(new Point(652000.5, 6862000.25));

    private static byte[] Blob(byte flags, int srsId, int envelopeDoubles, byte[] wkb)
    {
        var blob = new byte[8 + envelopeDoubles * 8 + wkb.Length];
        blob[0] = (byte)'G';
        blob[1] = (byte)'P';
        blob[3] = flags;
        if ((flags & 1) == 1)
        {
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(4), srsId);
        }
        else
        {
            BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4), srsId);
        }
        wkb.CopyTo(blob, 8 + envelopeDoubles * 8);
        return blob;
    }

    [Theory]
    [InlineData(0b0000_0001, 0)]  // no envelope, little-endian header
    [InlineData(0b0000_0000, 0)]  // big-endian header
    [InlineData(0b0000_0011, 4)]  // xy envelope
    [InlineData(0b0000_0101, 6)]  // xyz
    [InlineData(0b0000_0111, 6)]  // xym
    [InlineData(0b0000_1001, 8)]  // xyzm
    public void Header_EachEnvelopeAndByteOrder_WkbFoundAndSrsRead(byte flags, int envelopeDoubles)
    {
        var blob = Blob(flags, 2154, envelopeDoubles, PointWkb);
        Assert.Equal(PointWkb, GeoPackageBlob.Wkb(blob, "geom").ToArray());
        var g = GeoPackageBlob.ToGeometry(blob, "geom", new WKBReader());
        Assert.Equal((652000.5, 6862000.25, 2154), (g!.Coordinate.X, g.Coordinate.Y, g.SRID));
    }

    [Fact]
    public void Header_EmptyFlag_NoWkbAndNoGeometry()
    {
        var blob = Blob(0b0001_0001, 4326, 0, []);
        Assert.True(GeoPackageBlob.Wkb(blob, "geom").IsEmpty);
        Assert.Null(GeoPackageBlob.ToGeometry(blob, "geom", new WKBReader()));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'X', (byte)'P', 0, 1, 0, 0, 0, 0, 1 }, "is not a GeoPackage geometry blob (no 'GP' magic; 9 bytes)")]
    [InlineData(new byte[] { (byte)'G', (byte)'P', 0, 0b0010_0001, 0, 0, 0, 0, 1, 1, 0, 0, 0 }, "uses an extended GeoPackage geometry type, which this reader does not support")]
    [InlineData(new byte[] { (byte)'G', (byte)'P', 0, 0b0000_1011, 0, 0, 0, 0, 1, 1, 0, 0, 0 }, "has an invalid envelope code 5")]
    [InlineData(new byte[] { (byte)'G', (byte)'P', 0, 0b0000_0011, 0, 0, 0, 0, 1, 1, 0, 0, 0 }, "is truncated (shorter than its header)")]
    public void Header_BadBlob_NamesTheColumnAndTheProblem(byte[] blob, string reason)
    {
        var e = Assert.Throws<FeatureFieldException>(() => GeoPackageBlob.Wkb(blob, "geom").ToArray());
        Assert.Equal(("geom", reason), (e.Field, e.Message));
    }

    [Fact]
    public void ToGeometry_CutWkb_IsAnUnreadableWkbProblem()
    {
        var blob = Blob(1, 2154, 0, PointWkb[..12]);
        var e = Assert.Throws<FeatureFieldException>(() => GeoPackageBlob.ToGeometry(blob, "geom", new WKBReader()));
        Assert.StartsWith("holds unreadable WKB", e.Message);
    }

    // Decode reads a Polygon or MultiPolygon blob straight into flat coordinates: the same geometry and EWKB as NetTopologySuite's
    // WKBReader gives, on every row of every layer of a real GeoPackage (BD TOPO MultiPolygon Z, 2D polygons, points).
    [Fact]
    public void Decode_RealGeoPackage_SameGeometryAsWkbReaderOnEveryRow()
    {
        var path = SmartRegion.Testing.SharedData.Require("buildings/saint-denis_potentiel-solaire_reference.gpkg");
        var wkb = new WKBReader();
        var factory = new GeometryFactory();
        var polygons = new PolygonCoordinates();
        int flat = 0, other = 0;
        using var layers = new GeoPackageReader(path, null, new GeoPackageLayers(FirstWhenSeveral: true));
        foreach (var layer in layers.Layers)
        {
            using var reader = new GeoPackageReader(path, layer);
            foreach (var f in reader.Read(factory, CancellationToken.None, decodeGeometry: false))
            {
                var encoded = Assert.IsType<GeoPackageGeometry>(f.EncodedGeometry);
                var expected = GeoPackageBlob.ToGeometry(encoded.Blob, encoded.Column, wkb)!;
                var decoded = GeoPackageBlob.Decode(f, wkb, polygons);
                Assert.Null(decoded.EncodedGeometry);
                if (decoded.Polygons is { } p)
                {
                    Assert.Same(polygons, p);
                    var g = p.ToGeometry(factory);
                    Assert.True(expected.EqualsExact(g), $"{layer} feature {f.Index}");
                    Assert.Equal(expected.Coordinates.Select(c => c.Z), g.Coordinates.Select(c => c.Z));
                    expected.SRID = 2154;
                    Assert.Equal(new WKBWriter(ByteOrder.LittleEndian, true, emitZ: true).Write(expected), new SmartRegion.Geo.Wkb.EwkbBuffer(withZ: true).Write(p, 2154).ToArray());
                    flat++;
                }
                else
                {
                    Assert.True(expected.EqualsExact(decoded.Geometry!));
                    other++;
                }
            }
        }
        Assert.True(flat > 1500 && other > 150, $"{flat} read flat, {other} by WKBReader");
    }

    // A MultiPolygon of one polygon of one ring, as raw WKB (ISO Z code): any ring, even one NetTopologySuite would refuse.
    private static byte[] PolygonWkb(bool little, bool withZ, params double[][] ring)
    {
        var d = withZ ? 3 : 2;
        var wkb = new byte[9 + 9 + 4 + ring.Length * d * 8];
        var at = 0;
        void UInt(uint v)
        {
            if (little) BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(at), v); else BinaryPrimitives.WriteUInt32BigEndian(wkb.AsSpan(at), v);
            at += 4;
        }
        wkb[at++] = little ? (byte)1 : (byte)0;
        UInt(withZ ? 1006u : 6u);
        UInt(1);
        wkb[at++] = little ? (byte)1 : (byte)0;
        UInt(withZ ? 1003u : 3u);
        UInt(1);
        UInt((uint)ring.Length);
        foreach (var c in ring)
        {
            for (var i = 0; i < d; i++, at += 8)
            {
                if (little) BinaryPrimitives.WriteDoubleLittleEndian(wkb.AsSpan(at), c[i]); else BinaryPrimitives.WriteDoubleBigEndian(wkb.AsSpan(at), c[i]);
            }
        }
        return wkb;
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Decode_EitherByteOrderWithOrWithoutZ_ReadFlat(bool little, bool withZ)
    {
        var wkb = PolygonWkb(little, withZ, [0, 0, 1], [10, 0, 2], [10, 10, 3], [0, 0, 1]);
        var feature = new SourceFeature(0, null, "a", null, "{}", []) { EncodedGeometry = new GeoPackageGeometry(Blob(1, 2154, 0, wkb), "geom") };
        var decoded = GeoPackageBlob.Decode(feature, new WKBReader(), new PolygonCoordinates());
        var p = Assert.IsType<PolygonCoordinates>(decoded.Polygons);
        Assert.Equal((PolygonalKind.MultiPolygon, 4, withZ), (p.Kind, p.PositionCount, p.HasZ()));
        Assert.Equal(10, p.Ordinates[PolygonCoordinates.Stride * 2 + 1]);
    }

    // A ring the flat reader declines (3 points, not closed, bytes cut) is left to WKBReader: the feature gets what it gave before
    // the flat path — its geometry (it closes or pads some rings itself) or its message naming the column.
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(-1)]
    public void Decode_RingTheFlatReaderDeclines_WhatWkbReaderGives(int points)
    {
        var wkb = points switch
        {
            3 => PolygonWkb(true, false, [0, 0], [10, 0], [0, 0]),
            4 => PolygonWkb(true, false, [0, 0], [10, 0], [10, 10], [5, 0]),
            _ => PolygonWkb(true, false, [0, 0], [10, 0], [10, 10], [0, 0])[..50],
        };
        var blob = Blob(1, 2154, 0, wkb);
        var feature = new SourceFeature(4, null, "a", null, "{}", []) { EncodedGeometry = new GeoPackageGeometry(blob, "geom") };
        var decoded = GeoPackageBlob.Decode(feature, new WKBReader(), new PolygonCoordinates());
        Assert.Null(decoded.Polygons);
        try
        {
            var expected = GeoPackageBlob.ToGeometry(blob, "geom", new WKBReader())!;
            Assert.True(expected.EqualsExact(decoded.Geometry!));
            Assert.Null(decoded.Error);
        }
        catch (FeatureFieldException e)
        {
            Assert.Equal(("geom", e.Message), (decoded.ErrorField, decoded.Error));
            Assert.StartsWith("holds unreadable WKB", decoded.Error);
        }
    }
}
