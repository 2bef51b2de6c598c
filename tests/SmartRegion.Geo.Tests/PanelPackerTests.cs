using NetTopologySuite.Geometries;
using SmartRegion.Geo.Panels;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Geo.Tests;

public sealed class PanelPackerTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    private static (Polygon Face, RoofPlane Plane) SouthFace(double widthM, double slopeLengthM, double tiltDeg)
    {
        var t = tiltDeg * Math.PI / 180;
        double depth = slopeLengthM * Math.Cos(t), rise = slopeLengthM * Math.Sin(t);
        CoordinateZ[] ring = [new(652_000, 6_862_000, 50), new(652_000 + widthM, 6_862_000, 50), new(652_000 + widthM, 6_862_000 + depth, 50 + rise), new(652_000, 6_862_000 + depth, 50 + rise), new(652_000, 6_862_000, 50)];
        var face = Factory.CreatePolygon(ring);
        return (face, RoofPlane.Fit(ring)!.Value);
    }

    [Fact]
    public void PackPitched_10By5Face_FitsFifteenLandscapeModulesInThePlane()
    {
        var (face, plane) = SouthFace(10, 5, 30);

        var layout = PanelPacker.PackPitched(face, plane, new ModuleSpec(), setbackM: 0.5, exclusionsPlan: null);

        // Usable 9 × 4 m: landscape 5 per row × 3 rows beats portrait 7 × 2.
        Assert.Equal(15, layout.Modules.Count);
        Assert.False(layout.Portrait);
        Assert.Equal(36, layout.UsableAreaM2, 0.05);
        foreach (var m in layout.Modules)
        {
            Assert.Equal(30, m.TiltDeg, 1e-6);
            Assert.Equal(180, m.AzimuthDeg, 1e-6);
            // Every corner lies on the roof plane: z = 50 + (y − y0)·tan 30°.
            Assert.All(m.Polygon.Coordinates, c => Assert.Equal(50 + (c.Y - 6_862_000) * Math.Tan(Math.PI / 6), c.Z, 1e-6));
            var module3D = RoofPlane.Fit(m.Polygon.Coordinates.Select(c => new CoordinateZ(c.X, c.Y, c.Z)).ToArray())!.Value;
            Assert.Equal(1.72 * 1.13, module3D.AreaM2, 1e-6);
            Assert.True(face.Buffer(-0.5 + 1e-6).Covers(Factory.CreatePolygon(m.Polygon.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray())));
        }
    }

    [Fact]
    public void PackFlat_Rows_SpacedForWinterSolsticeNoon()
    {
        var face = Factory.CreatePolygon([new CoordinateZ(0, 0, 30), new CoordinateZ(20, 0, 30), new CoordinateZ(20, 10, 30), new CoordinateZ(0, 10, 30), new CoordinateZ(0, 0, 30)]);

        var layout = PanelPacker.PackFlat(face, new ModuleSpec(), setbackM: 0.5, exclusionsPlan: null, rackTiltDeg: 15, rowAzimuthDeg: 180, latitudeDeg: 48.85);

        // Portrait racks: 16 per 19 m row, 3 rows in 9 m with a 3.056 m pitch.
        Assert.True(layout.Portrait);
        Assert.Equal(48, layout.Modules.Count);
        var rowsSouthEdge = layout.Modules.Select(m => Math.Round(m.Polygon.Coordinates.Min(c => c.Y), 6)).Distinct().Order().ToList();
        Assert.Equal(3, rowsSouthEdge.Count);
        var beta = 15 * Math.PI / 180;
        var noon = (90 - 48.85 - 23.44) * Math.PI / 180;
        var expectedPitch = 1.72 * Math.Cos(beta) + 1.72 * Math.Sin(beta) / Math.Tan(noon);
        Assert.Equal(expectedPitch, rowsSouthEdge[1] - rowsSouthEdge[0], 1e-6);
        // The shadow of a row's top edge at that noon ends exactly where the next row starts.
        var top = layout.Modules.First(m => Math.Abs(m.Polygon.Coordinates.Min(c => c.Y) - rowsSouthEdge[0]) < 1e-6);
        var rise = top.Polygon.Coordinates.Max(c => c.Z) - 30;
        Assert.Equal(1.72 * Math.Sin(beta), rise, 1e-9);
        Assert.All(layout.Modules, m => Assert.Equal(15, m.TiltDeg));
    }

    [Fact]
    public void PackPitched_Exclusion_NoModuleOverlapsIt()
    {
        var (face, plane) = SouthFace(10, 5, 30);
        var hole = Factory.CreatePolygon([new(652_004, 6_862_001), new(652_006, 6_862_001), new(652_006, 6_862_003), new(652_004, 6_862_003), new(652_004, 6_862_001)]);

        var full = PanelPacker.PackPitched(face, plane, new ModuleSpec(), 0.5, (Geometry?)null);
        var holed = PanelPacker.PackPitched(face, plane, new ModuleSpec(), 0.5, hole);

        Assert.True(holed.Modules.Count < full.Modules.Count);
        Assert.True(holed.UsableAreaM2 < full.UsableAreaM2 - 4);
        Assert.All(holed.Modules, m => Assert.False(hole.Interiors(Factory.CreatePolygon(m.Polygon.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray()))));
    }

    [Fact]
    public void PackPitched_FaceSmallerThanModule_IsEmpty()
    {
        var (face, plane) = SouthFace(1.5, 1.5, 30);
        var layout = PanelPacker.PackPitched(face, plane, new ModuleSpec(), 0.5, (Geometry?)null);
        Assert.Empty(layout.Modules);
    }
}

internal static class GeometryExtensions
{
    public static bool Interiors(this Geometry a, Geometry b) => a.Relate(b, "T********");
}
