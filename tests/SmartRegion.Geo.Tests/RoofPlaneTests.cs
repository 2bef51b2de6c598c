using NetTopologySuite.Geometries;
using SmartRegion.Geo.Roofs;
using Angles = SmartRegion.Solar.Angles;

namespace SmartRegion.Geo.Tests;

public sealed class RoofPlaneTests
{
    private static readonly GeometryFactory Factory = new();

    [Theory]
    [InlineData(180.0)]
    [InlineData(90.0)]
    [InlineData(270.0)]
    [InlineData(0.0)]
    [InlineData(135.0)]
    public void Fit_30DegreeFaceTowardAzimuth_GivesTiltAzimuthAndTrueArea(double azimuthDeg)
    {
        // A 10 m × 10 m square in plan, rising 30° toward the opposite of where it faces.
        var a = azimuthDeg * Math.PI / 180;
        var (fx, fy) = (Math.Sin(a), Math.Cos(a)); // facing direction (east, north)
        var slope = Math.Tan(30 * Math.PI / 180);
        Coordinate C(double x, double y) => new CoordinateZ(x, y, 100 - (slope * ((x * fx) + (y * fy))));
        var ring = new[] { C(0, 0), C(10, 0), C(10, 10), C(0, 10), C(0, 0) };
        var face = RoofPlane.Fit(Factory.CreatePolygon(ring))!.Value;
        Assert.Equal(30, face.TiltDeg, 1e-9);
        Assert.Equal(azimuthDeg, face.AzimuthDeg, 1e-9);
        Assert.Equal(100 / Math.Cos(30 * Math.PI / 180), face.AreaM2, 1e-9);
    }

    [Fact]
    public void Fit_FlatFaceEitherOrientation_FacesSouthByConvention()
    {
        var ring = new Coordinate[] { new CoordinateZ(0, 0, 5), new CoordinateZ(0, 4, 5), new CoordinateZ(5, 4, 5), new CoordinateZ(5, 0, 5), new CoordinateZ(0, 0, 5) };
        var face = RoofPlane.Fit(Factory.CreatePolygon(ring))!.Value;
        Assert.Equal(0, face.TiltDeg, 1e-12);
        Assert.Equal(180, face.AzimuthDeg);
        Assert.Equal(20, face.AreaM2, 1e-12);
    }

    [Fact]
    public void VectorToCompass_EastNorthVectors_AreClockwiseFromNorth()
    {
        Assert.Equal(0, Angles.VectorToCompass(0, 1), 1e-12);
        Assert.Equal(90, Angles.VectorToCompass(1, 0), 1e-12);
        Assert.Equal(180, Angles.VectorToCompass(0, -1), 1e-12);
        Assert.Equal(270, Angles.VectorToCompass(-1, 0), 1e-12);
    }
}
