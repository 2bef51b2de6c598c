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
}
