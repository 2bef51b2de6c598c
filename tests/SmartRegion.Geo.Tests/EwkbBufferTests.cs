using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SmartRegion.Geo.Wkb;

namespace SmartRegion.Geo.Tests;

// The loader's reused EWKB buffer must produce exactly NetTopologySuite's bytes (what PostGIS has always been sent).
public sealed class EwkbBufferTests
{
    private static readonly WKTReader Wkt = new();

    [Theory]
    [InlineData("MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 2 2)), ((20 20, 30 20, 30 30, 20 20)))", false)]
    [InlineData("POLYGON ((652000.5 6862000.25, 652010 6862000, 652010 6862010, 652000.5 6862000.25))", false)]
    [InlineData("MULTIPOLYGON Z (((0 0 5, 10 0 5, 10 10 6, 0 0 5)))", true)]
    [InlineData("POLYGON Z ((0 0 1, 1 0 2, 1 1 3, 0 0 1), (0.2 0.2 1, 0.4 0.2 1, 0.4 0.4 1, 0.2 0.2 1))", true)]
    [InlineData("GEOMETRYCOLLECTION Z (POLYGON Z ((0 0 1, 1 0 2, 1 1 3, 0 0 1)), POLYGON Z ((5 5 1, 6 5 1, 6 6 1, 5 5 1)))", true)]
    [InlineData("LINESTRING Z (0 0 1, 1 1 2)", true)]
    [InlineData("POINT Z (1 2 3)", true)]
    [InlineData("MULTIPOLYGON EMPTY", false)]
    public void Write_SameBytesAsNetTopologySuite(string wkt, bool withZ)
    {
        var g = Wkt.Read(wkt);
        g.SRID = 2154;
        var expected = new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: withZ).Write(g);
        var buffer = new EwkbBuffer(withZ);
        Assert.Equal(expected, buffer.Write(g).ToArray());
        // Reused: a second geometry replaces the first.
        Assert.Equal(expected, buffer.Write(g).ToArray());
    }

    [Fact]
    public void Write_LargeGeometry_GrowsTheBuffer()
    {
        var factory = new GeometryFactory(new PrecisionModel(), 2154);
        var ring = Enumerable.Range(0, 5000).Select(i => new CoordinateZ(Math.Cos(i * 2 * Math.PI / 5000), Math.Sin(i * 2 * Math.PI / 5000), i)).ToList();
        ring.Add(ring[0]);
        var polygon = factory.CreatePolygon([.. ring]);
        var expected = new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: true).Write(polygon);
        Assert.Equal(expected, new EwkbBuffer(withZ: true).Write(polygon).ToArray());
    }
}
