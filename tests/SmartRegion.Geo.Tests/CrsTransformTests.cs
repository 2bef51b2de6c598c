using SmartRegion.Geo.Crs;

namespace SmartRegion.Geo.Tests;

/// <summary>CRS names, definitions and areas of use (the comparison with PostGIS is in SmartRegion.Data.Tests: it needs the database).</summary>
public sealed class CrsTransformTests
{
    [Fact]
    public void Transform_Lambert93ProjectionOrigin_IsDefinedPoint()
    {
        // 3°E 46.5°N is (700 000, 6 600 000) in Lambert-93 by definition.
        var (x, y) = CrsTransform.Create(KnownCrs.Wgs84).Transform(3.0, 46.5);
        Assert.Equal(700_000, x, 0.001);
        Assert.Equal(6_600_000, y, 0.001);
    }

    [Theory]
    [InlineData("urn:ogc:def:crs:OGC:1.3:CRS84", 4326)]
    [InlineData("urn:ogc:def:crs:EPSG::3946", 3946)]
    [InlineData("EPSG:2154", 2154)]
    [InlineData("https://www.opengis.net/def/crs/EPSG/0/7415", 7415)]
    [InlineData("2056", 2056)]
    [InlineData("EPSG:900913", 3857)]
    [InlineData("urn:ogc:def:crs,crs:EPSG::2154,crs:EPSG::5720", 2154)] // compound (CityGML): the horizontal part
    [InlineData("EPSG:3946+5720", 3946)]
    [InlineData("http://www.opengis.net/def/crs-compound?1=http://www.opengis.net/def/crs/EPSG/0/2154&2=http://www.opengis.net/def/crs/EPSG/0/5720", 2154)]
    public void Parse_FileSpellings_GiveEpsgCode(string name, int expected) => Assert.Equal(expected, KnownCrs.Parse(name));

    [Fact]
    public void Create_UnknownEpsg_ThrowsNamingSupportedList()
    {
        var e = Assert.Throws<UnsupportedCrsException>(() => CrsTransform.Create(27700));
        Assert.Contains("EPSG:27700", e.Message);
        Assert.Contains("EPSG:2154", e.Message);
    }

    [Fact]
    public void IsInAreaOfUse_DelftCoordinatesDeclaredAsLambert93_IsFalse()
    {
        var t = CrsTransform.Create(KnownCrs.Lambert93);
        Assert.True(t.IsInAreaOfUse(652469, 6862035));
        Assert.False(t.IsInAreaOfUse(85000, 447000));
        Assert.False(t.IsInAreaOfUse(double.NaN, 1));
    }
}
