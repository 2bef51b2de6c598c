using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SmartRegion.Geo.Buildings;

namespace SmartRegion.Geo.Tests;

public sealed class SimpleFootprintTests
{
    private static readonly WKTReader Wkt = new();

    private static MultiPolygon Read(string wkt) => Wkt.Read(wkt) switch
    {
        MultiPolygon m => m,
        Polygon p => new GeometryFactory().CreateMultiPolygon([p]),
        var g => throw new ArgumentException(g.GeometryType),
    };

    [Theory]
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))")]
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 2), (6 6, 8 6, 8 8, 6 6))")] // courtyards
    [InlineData("POLYGON ((0 0, 5 0, 10 0, 10 10, 0 10, 0 0))")] // collinear vertex on a wall
    [InlineData("POLYGON ((652000 6862000, 652010.5 6862000.25, 652011 6862012, 652004 6862015, 651999 6862009, 652000 6862000))")]
    public void IsCertainlyValid_SimpleRing_IsTrue(string wkt) => Assert.True(SimpleFootprint.IsCertainlyValid(Read(wkt)));

    [Theory]
    [InlineData("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))")]                 // bow-tie
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 10 0, 0 10, 0 0))")]           // spike folding back on a wall
    [InlineData("POLYGON ((0 0, 10 0, 5 0, 5 5, 0 0))")]                    // wall doubling back
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 5 0, 0 10, 0 0))")]            // vertex touching a wall
    [InlineData("POLYGON ((0 0, 4 0, 4 4, 2 0, 0 4, 0 0))")]                // self-touching ring
    [InlineData("POLYGON ((0 0, 10 0, 20 0, 0 0))")]                        // zero area
    [InlineData("POLYGON ((0 0, 10 0, 10 0, 10 10, 0 10, 0 0))")]           // repeated vertex: left to NetTopologySuite
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 2), (3 2.5, 3.5 3, 3 3, 3 2.5))")] // hole in a hole
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (12 2, 14 2, 14 4, 12 2))")]          // hole outside the shell
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (0 2, 4 2, 4 4, 0 2))")]              // hole touching the shell
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 12 2, 4 4, 2 2))")]             // hole crossing the shell
    [InlineData("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))")] // several parts: left to NetTopologySuite
    public void IsCertainlyValid_InvalidOrNotSimpleCase_IsFalse(string wkt) => Assert.False(SimpleFootprint.IsCertainlyValid(Read(wkt)));

    [Fact]
    public void IsCertainlyValid_RandomRings_NeverClaimsWhatNetTopologySuiteDenies()
    {
        // Random small rings on a coarse grid make many self-intersections, touches and collinear runs; a third get a hole.
        var random = new Random(20261122);
        var factory = new GeometryFactory();
        LinearRing Ring(int size, int offset)
        {
            var n = random.Next(3, 9);
            var coords = new Coordinate[n + 1];
            for (var i = 0; i < n; i++)
            {
                coords[i] = new Coordinate(offset + random.Next(0, size), offset + random.Next(0, size));
            }
            coords[n] = coords[0].Copy();
            return factory.CreateLinearRing(coords);
        }
        int certain = 0, invalid = 0;
        for (var k = 0; k < 20_000; k++)
        {
            var shell = k % 3 == 0 ? factory.CreateLinearRing([new(0, 0), new(12, 0), new(12, 12), new(0, 12), new(0, 0)]) : Ring(6, 0);
            var holes = k % 3 == 0 ? new[] { Ring(6, 3) } : [];
            var footprint = factory.CreateMultiPolygon([factory.CreatePolygon(shell, holes)]);
            var valid = footprint.IsValid;
            invalid += valid ? 0 : 1;
            if (SimpleFootprint.IsCertainlyValid(footprint))
            {
                certain++;
                Assert.True(valid, footprint.ToText());
            }
        }
        // The sample has both kinds, and the fast test decides a good share of the valid ones.
        Assert.InRange(invalid, 5_000, 19_000);
        Assert.True(certain > 500, $"{certain}");
    }
}
