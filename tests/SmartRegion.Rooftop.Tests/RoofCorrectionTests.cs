using NetTopologySuite.Geometries;

namespace SmartRegion.Rooftop.Tests;

/// <summary>A resident's corrected face: its plan outline lifted onto the plane of its tilt and azimuth, its lowest point kept.</summary>
public sealed class RoofCorrectionTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    private static Polygon Rectangle(double x, double y, double width, double depth) => Factory.CreatePolygon(
        [new Coordinate(x, y), new Coordinate(x + width, y), new Coordinate(x + width, y + depth), new Coordinate(x, y + depth), new Coordinate(x, y)]);

    [Theory]
    [InlineData(30, 180)]
    [InlineData(45, 90)]
    [InlineData(12.5, 0)]
    [InlineData(60, 225)]
    public void Build_TiltAndAzimuth_PlaneFitsThemAndTheLowestPointStaysAtItsAltitude(double tiltDeg, double azimuthDeg)
    {
        var plan = Rectangle(652_000, 6_869_000, 10, 6);

        var face = RoofCorrections.Build(new CorrectedFace(plan, tiltDeg, azimuthDeg, null), lowestAltitudeM: 46);

        // The plane through the lifted outline is the one asked for (fitted again from its 3D points).
        var refit = SmartRegion.Geo.Roofs.RoofPlane.Fit(face.Polygon)!.Value;
        Assert.Equal(tiltDeg, refit.TiltDeg, 1e-9);
        Assert.Equal(azimuthDeg, refit.AzimuthDeg, 1e-6);
        Assert.Equal(60 / Math.Cos(tiltDeg * Math.PI / 180), face.Plane.AreaM2, 1e-6);
        var z = face.Polygon.ExteriorRing.Coordinates.Select(c => c.Z).ToArray();
        Assert.Equal(46, z.Min(), 1e-9);
        // Downslope is the azimuth: the vertex farthest towards it is the lowest.
        double dx = Math.Sin(azimuthDeg * Math.PI / 180), dy = Math.Cos(azimuthDeg * Math.PI / 180);
        var lowest = face.Polygon.ExteriorRing.Coordinates.MaxBy(c => c.X * dx + c.Y * dy)!;
        Assert.Equal(46, lowest.Z, 1e-9);
        Assert.Equal("corrected", face.Origin);
    }

    [Fact]
    public void Build_FlatFace_HorizontalAtItsAltitudeFacingSouth()
    {
        var face = RoofCorrections.Build(new CorrectedFace(Rectangle(652_000, 6_869_000, 10, 10), 0, 0, 52.5), lowestAltitudeM: 52.5);

        Assert.All(face.Polygon.ExteriorRing.Coordinates, c => Assert.Equal(52.5, c.Z, 1e-9));
        Assert.Equal(0, face.Plane.TiltDeg);
        Assert.Equal(180, face.Plane.AzimuthDeg);
        Assert.Equal(100, face.Plane.AreaM2, 1e-6);
    }

    [Fact]
    public void DefaultLowestAltitude_BuildingHeights_TheEavesElseNone()
    {
        var p = SolarParameters.Load(SolarParameters.DefaultsPath, null);
        var footprint = Rectangle(652_000, 6_869_000, 10, 6);
        BuildingInput Building(double? height, double? ground, double? roofMin, double? roofMax, int? storeys) =>
            new(1, footprint, height, ground, roofMin, roofMax, storeys, null, true, []);

        Assert.Equal(46, RoofCorrections.DefaultLowestAltitudeM(Building(9, 40, 46, 49, null), 0, p));
        Assert.Equal(49, RoofCorrections.DefaultLowestAltitudeM(Building(9, 40, null, null, null), 0, p));
        Assert.Equal(40 + 2 * p.StoreyHeightM, RoofCorrections.DefaultLowestAltitudeM(Building(null, 40, null, null, 2), 0, p));
        Assert.Equal(35 + 9, RoofCorrections.DefaultLowestAltitudeM(Building(9, null, null, null, null), 35, p));
        Assert.Null(RoofCorrections.DefaultLowestAltitudeM(Building(null, 40, null, null, null), 0, p));
    }
}
