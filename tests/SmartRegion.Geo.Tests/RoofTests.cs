using NetTopologySuite.Geometries;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Geo.Tests;

public sealed class RoofTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    private static Polygon Rectangle(double x0, double y0, double width, double height) =>
        Factory.CreatePolygon([new(x0, y0), new(x0 + width, y0), new(x0 + width, y0 + height), new(x0, y0 + height), new(x0, y0)]);

    [Fact]
    public void Fit_SouthFacing30DegreePlane_GivesTiltAzimuthAndTrueArea()
    {
        // 10 m wide (x), 4 m deep in plan (y), rising towards the north by 4·tan 30°.
        var rise = 4 * Math.Tan(Math.PI / 6);
        CoordinateZ[] ring = [new(652_000, 6_862_000, 40), new(652_010, 6_862_000, 40), new(652_010, 6_862_004, 40 + rise), new(652_000, 6_862_004, 40 + rise), new(652_000, 6_862_000, 40)];

        var plane = RoofPlane.Fit(ring)!.Value;

        Assert.Equal(30, plane.TiltDeg, 1e-9);
        Assert.Equal(180, plane.AzimuthDeg, 1e-9);
        Assert.Equal(40 / Math.Cos(Math.PI / 6), plane.AreaM2, 1e-6);
        Assert.Equal(40, plane.PlanAreaM2, 1e-6);
    }

    [Theory]
    [InlineData(1, 0, 90)]   // falls eastwards → faces east
    [InlineData(-1, 0, 270)]
    [InlineData(0, 1, 0)]    // falls northwards → faces north
    [InlineData(0, -1, 180)]
    public void Fit_AnyWinding_FacesDownslope(double riseEast, double riseNorth, double expectedAzimuth)
    {
        double Z(double x, double y) => 10 - riseEast * x * 0.5 - riseNorth * y * 0.5;
        CoordinateZ[] cw = [new(0, 0, Z(0, 0)), new(0, 5, Z(0, 5)), new(5, 5, Z(5, 5)), new(5, 0, Z(5, 0)), new(0, 0, Z(0, 0))];
        var a = RoofPlane.Fit(cw)!.Value;
        var b = RoofPlane.Fit(cw.Reverse().ToArray())!.Value;
        Assert.Equal(expectedAzimuth, a.AzimuthDeg, 1e-9);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Fit_DegenerateRing_ReturnsNull()
    {
        Assert.Null(RoofPlane.Fit([new(0, 0, 0), new(1, 1, 1), new(2, 2, 2), new(0, 0, 0)]));
        Assert.Null(RoofPlane.Fit([new(0, 0, 0), new(1, 1, 1)]));
    }

    [Fact]
    public void Infer_SmallRise_IsOneFlatFaceAtTheTop()
    {
        var roof = RoofInference.Infer(Rectangle(0, 0, 20, 10), 30.0, 30.3);
        Assert.Equal(InferredRoofShape.Flat, roof.Shape);
        var face = Assert.Single(roof.Faces);
        Assert.Equal(0, face.Plane.TiltDeg, 1e-9);
        Assert.Equal(200, face.Plane.AreaM2, 1e-6);
        Assert.All(face.Polygon.Coordinates, c => Assert.Equal(30.3, c.Z));
    }

    [Fact]
    public void Infer_LongBuilding_IsGableAlongLongAxisWithSlopeFromRise()
    {
        // 20 m (east–west) × 10 m: ridge along x, 5 m half-width, 3 m rise → tilt atan(3/5).
        var roof = RoofInference.Infer(Rectangle(652_000, 6_862_000, 20, 10), 30, 33);

        Assert.Equal(InferredRoofShape.Gable, roof.Shape);
        Assert.Equal(2, roof.Faces.Count);
        var expectedTilt = Math.Atan(3.0 / 5) * 180 / Math.PI;
        Assert.All(roof.Faces, f => Assert.Equal(expectedTilt, f.Plane.TiltDeg, 1e-6));
        Assert.Equal([0.0, 180.0], roof.Faces.Select(f => Math.Round(f.Plane.AzimuthDeg, 6)).Order());
        Assert.Equal(200, roof.Faces.Sum(f => f.Plane.PlanAreaM2), 1e-6);
        Assert.Equal(200 / Math.Cos(Math.Atan(3.0 / 5)), roof.Faces.Sum(f => f.Plane.AreaM2), 1e-6);
        Assert.Equal(33, roof.Faces.SelectMany(f => f.Polygon.Coordinates).Max(c => c.Z), 1e-9);
        Assert.Equal(30, roof.Faces.SelectMany(f => f.Polygon.Coordinates).Min(c => c.Z), 1e-9);
    }

    [Fact]
    public void Infer_RotatedBuilding_FollowsItsOwnAxes()
    {
        // The same 20 × 10 building rotated 30° counter-clockwise: faces point to compass 330° and 150°.
        var rect = Rectangle(-10, -5, 20, 10);
        var rotation = NetTopologySuite.Geometries.Utilities.AffineTransformation.RotationInstance(Math.PI / 6);
        var rotated = (Polygon)rotation.Transform(rect);

        var roof = RoofInference.Infer(rotated, 0, 3);

        Assert.Equal(InferredRoofShape.Gable, roof.Shape);
        Assert.Equal([150.0, 330.0], roof.Faces.Select(f => Math.Round(f.Plane.AzimuthDeg, 6)).Order());
        Assert.Equal(20, roof.LengthM, 1e-6);
        Assert.Equal(10, roof.WidthM, 1e-6);
    }

    [Fact]
    public void Infer_SquareBuilding_IsHippedWithFourEqualPitches()
    {
        var roof = RoofInference.Infer(Rectangle(0, 0, 12, 10), 20, 24);

        Assert.Equal(InferredRoofShape.Hipped, roof.Shape);
        Assert.Equal(4, roof.Faces.Count);
        var tilt = Math.Atan(4.0 / 5) * 180 / Math.PI;
        Assert.All(roof.Faces, f => Assert.Equal(tilt, f.Plane.TiltDeg, 1e-6));
        Assert.Equal([0.0, 90.0, 180.0, 270.0], roof.Faces.Select(f => Math.Round(f.Plane.AzimuthDeg, 6)).Order());
        Assert.Equal(120, roof.Faces.Sum(f => f.Plane.PlanAreaM2), 1e-6);
    }

    [Fact]
    public void Infer_LShapedFootprint_KeepsTheTrueOutlineArea()
    {
        var l = Factory.CreatePolygon([new(0, 0), new(30, 0), new(30, 8), new(8, 8), new(8, 20), new(0, 20), new(0, 0)]);

        var roof = RoofInference.Infer(l, 10, 13);

        Assert.Equal(l.Area, roof.Faces.Sum(f => f.Plane.PlanAreaM2), 1e-6);
        Assert.All(roof.Faces, f => Assert.InRange(f.Plane.TiltDeg, 1, RoofInference.MaxTiltDeg));
    }
}
