using NetTopologySuite.Geometries;
using SmartRegion.Geo.Panels;
using SmartRegion.Geo.Roofs;
using Angles = SmartRegion.Solar.Angles;

namespace SmartRegion.Geo.Tests;

/// <summary>Invariants of the band packer on random faces, checked with NTS in the face's own frame.</summary>
public sealed class PanelPackerPropertyTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void PackPitched_RandomFace_ModulesDisjointInsideErodedFaceAndOffExclusions(int seed)
    {
        var rng = new Random(seed);
        var (face, plane) = RandomTiltedFace(rng);
        var frame = FaceFrame.ForFace(face, plane.AzimuthDeg, plane.TiltDeg);
        var setback = rng.NextDouble() * 0.6;
        var boxes = RandomCells(rng, frame, face, 2.0);

        var layout = PanelPacker.PackPitched(face, plane, new ModuleSpec(), setback, new CellExclusions(frame, boxes));

        AssertInvariants(layout, frame, face, setback, boxes);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void PackFlat_RandomFaceOtherFrame_ModulesDisjointInsideErodedFaceAndOffExclusions(int seed)
    {
        var rng = new Random(seed + 1000);
        var face = Flat(RandomOutline(rng), 20);
        // The exclusions come from a sample grid in another frame (the face's own): the packer boxes them in its frame.
        var sampleFrame = FaceFrame.ForFace(face, rng.NextDouble() * 360, 0);
        var boxes = RandomCells(rng, sampleFrame, face, 2.0);
        var rowAzimuth = 150 + rng.NextDouble() * 60;

        var layout = PanelPacker.PackFlat(face, new ModuleSpec(), 0.5, new CellExclusions(sampleFrame, boxes), 15, rowAzimuth, 48.85);

        var packFrame = FaceFrame.ForPlan(face, rowAzimuth, 20);
        AssertInvariants(layout, packFrame, face, 0.5, [.. boxes.Select(b => packFrame.BoxFrom(sampleFrame, b))]);
    }

    [Fact]
    public void PackPitched_LShape_UsableAreaIsMitredErosion()
    {
        // L: 10×10 minus the 5×5 north-east corner, flat-ish (1°) so plan ≈ plane; eroded by 0.5 m: 9×4 + 4×5 = 56 m².
        var t = Math.Tan(Math.PI / 180);
        CoordinateZ P(double x, double y) => new(x, y, 10 + (y * t));
        var ring = new[] { P(0, 0), P(10, 0), P(10, 5), P(5, 5), P(5, 10), P(0, 10), P(0, 0) };
        var face = Factory.CreatePolygon(ring);
        var plane = RoofPlane.Fit(ring)!.Value;

        var layout = PanelPacker.PackPitched(face, plane, new ModuleSpec(), 0.5, (CellExclusions?)null);

        Assert.Equal(56 / Math.Cos(Math.PI / 180), layout.UsableAreaM2, 0.05);
        Assert.True(layout.Modules.Count >= 20);
    }

    [Fact]
    public void PackPitched_ExcludedCell_UsableAreaLosesTheCell()
    {
        var ring = new CoordinateZ[] { new(0, 0, 5), new(10, 0, 5), new(10, 6, 5), new(0, 6, 5), new(0, 0, 5) };
        var face = Factory.CreatePolygon(ring);
        var plane = RoofPlane.Fit(ring)!.Value;
        var frame = FaceFrame.ForFace(face, plane.AzimuthDeg, plane.TiltDeg);
        var (u, v) = frame.ToLocal(5, 3);
        var cell = new LocalBox(u - 1, v - 1, u + 1, v + 1);

        var free = PanelPacker.PackPitched(face, plane, new ModuleSpec(), 0.5, (CellExclusions?)null);
        var holed = PanelPacker.PackPitched(face, plane, new ModuleSpec(), 0.5, new CellExclusions(frame, [cell]));

        Assert.Equal(9 * 5, free.UsableAreaM2, 1e-9);
        Assert.Equal(9 * 5 - 4, holed.UsableAreaM2, 1e-9);
        Assert.True(holed.Modules.Count < free.Modules.Count);
    }

    private static void AssertInvariants(PanelLayout layout, FaceFrame frame, Polygon face, double setback, IReadOnlyList<LocalBox> boxes)
    {
        var localFace = Factory.CreatePolygon(frame.LocalRings(face)[0] is var shell
            ? [.. Enumerable.Range(0, shell.Length / 2 + 1).Select(i => new Coordinate(shell[2 * (i % (shell.Length / 2))], shell[2 * (i % (shell.Length / 2)) + 1]))]
            : null);
        var rects = layout.Modules.Select(m =>
        {
            var (u0, v0) = frame.ToLocal(m.Polygon.Coordinates[0].X, m.Polygon.Coordinates[0].Y);
            var (u1, v1) = frame.ToLocal(m.Polygon.Coordinates[2].X, m.Polygon.Coordinates[2].Y);
            return new LocalBox(Math.Min(u0, u1), Math.Min(v0, v1), Math.Max(u0, u1), Math.Max(v0, v1));
        }).ToList();
        for (var i = 0; i < rects.Count; i++)
        {
            var r = rects[i];
            var grown = Factory.ToGeometry(new Envelope(r.MinU - setback + 1e-7, r.MaxU + setback - 1e-7, r.MinV - setback + 1e-7, r.MaxV + setback - 1e-7));
            Assert.True(localFace.Covers(grown), $"module {i} (grown by the setback) leaves the face");
            Assert.DoesNotContain(boxes, b => Overlaps(b, r));
            for (var j = i + 1; j < rects.Count; j++)
            {
                Assert.False(Overlaps(r, rects[j]), $"modules {i} and {j} overlap");
            }
        }
    }

    private static bool Overlaps(LocalBox a, LocalBox b) =>
        a.MinU < b.MaxU - 1e-7 && b.MinU < a.MaxU - 1e-7 && a.MinV < b.MaxV - 1e-7 && b.MinV < a.MaxV - 1e-7;

    private static List<LocalBox> RandomCells(Random rng, FaceFrame frame, Polygon face, double cellM)
    {
        var shell = frame.LocalRings(face)[0];
        var (minU, minV, maxU, maxV) = FaceFrame.Bounds(shell);
        var cells = new List<LocalBox>();
        for (var v = minV + cellM / 2; v < maxV; v += cellM)
        {
            for (var u = minU + cellM / 2; u < maxU; u += cellM)
            {
                if (rng.NextDouble() < 0.15)
                {
                    cells.Add(new LocalBox(u - cellM / 2, v - cellM / 2, u + cellM / 2, v + cellM / 2));
                }
            }
        }
        return cells;
    }

    /// <summary>A rotated rectangle, L-shape or random convex polygon, 6–25 m across, in plan.</summary>
    private static Coordinate[] RandomOutline(Random rng)
    {
        double cx = 652_000 + rng.NextDouble() * 100, cy = 6_862_000 + rng.NextDouble() * 100;
        var angle = rng.NextDouble() * Math.PI;
        double a = 6 + rng.NextDouble() * 19, b = 6 + rng.NextDouble() * 12;
        (double, double)[] local = rng.Next(3) switch
        {
            0 => [(0, 0), (a, 0), (a, b), (0, b)],
            1 => [(0, 0), (a, 0), (a, b / 2), (a / 2, b / 2), (a / 2, b), (0, b)],
            _ => [.. Enumerable.Range(0, 7).Select(k => 2 * Math.PI * (k + rng.NextDouble() * 0.6) / 7).Select(t => (a / 2 * Math.Cos(t), b / 2 * Math.Sin(t)))],
        };
        var ring = local.Select(p => new Coordinate(cx + p.Item1 * Math.Cos(angle) - p.Item2 * Math.Sin(angle), cy + p.Item1 * Math.Sin(angle) + p.Item2 * Math.Cos(angle))).ToList();
        ring.Add(ring[0].Copy());
        return [.. ring];
    }

    private static Polygon Flat(Coordinate[] outline, double z) => Factory.CreatePolygon([.. outline.Select(c => (Coordinate)new CoordinateZ(c.X, c.Y, z))]);

    private static (Polygon Face, RoofPlane Plane) RandomTiltedFace(Random rng)
    {
        var outline = RandomOutline(rng);
        var tilt = (10 + rng.NextDouble() * 40) * Math.PI / 180;
        var (dx, dy) = Angles.CompassToHorizontalVector(rng.NextDouble() * 360);
        var ring = outline.Select(c => new CoordinateZ(c.X, c.Y, 30 - ((c.X - outline[0].X) * dx + (c.Y - outline[0].Y) * dy) * Math.Tan(tilt))).ToArray();
        return (Factory.CreatePolygon(ring), RoofPlane.Fit(ring)!.Value);
    }
}
