using NetTopologySuite.Algorithm.Distance;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Geo.Tests;

/// <summary>The convex-footprint clipper gives the same faces as the NTS overlay.</summary>
public sealed class RoofInferenceClipTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    public static TheoryData<string, double[]> Footprints() => new()
    {
        { "gable rectangle", [0, 0, 20, 0, 20, 8, 0, 8] },
        { "hipped near-square", [0, 0, 10, 0, 10, 9, 0, 9] },
        { "rotated rectangle", Rotate([0, 0, 18, 0, 18, 7, 0, 7], 33) },
        { "rotated square clockwise", Rotate([0, 0, 0, 11, 11, 11, 11, 0], 71) },
        { "convex hexagon", [0, 0, 12, 0, 16, 5, 12, 10, 0, 10, -3, 5] },
        { "L-shape", [0, 0, 20, 0, 20, 6, 8, 6, 8, 14, 0, 14] },
    };

    [Theory]
    [MemberData(nameof(Footprints))]
    public void Infer_ConvexClip_SameFacesAsOverlay(string name, double[] xy)
    {
        var ring = Enumerable.Range(0, xy.Length / 2 + 1).Select(i => new Coordinate(652_000 + xy[2 * (i % (xy.Length / 2))], 6_862_000 + xy[2 * (i % (xy.Length / 2)) + 1])).ToArray();
        var footprint = Factory.CreatePolygon(ring);

        var fast = RoofInference.Infer(footprint, 40, 44);
        var reference = RoofInference.Infer(footprint, 40, 44, forceOverlay: true);

        Assert.Equal(reference.Shape, fast.Shape);
        Assert.Equal(reference.Faces.Count, fast.Faces.Count);
        Assert.True(reference.Faces.Count >= 2, name);
        for (var i = 0; i < fast.Faces.Count; i++)
        {
            Assert.Equal(reference.Faces[i].Plane.AreaM2, fast.Faces[i].Plane.AreaM2, 1e-6);
            Assert.Equal(reference.Faces[i].Plane.PlanAreaM2, fast.Faces[i].Plane.PlanAreaM2, 1e-6);
            Assert.Equal(reference.Faces[i].Plane.TiltDeg, fast.Faces[i].Plane.TiltDeg, 1e-6);
            Assert.Equal(reference.Faces[i].Plane.AzimuthDeg, fast.Faces[i].Plane.AzimuthDeg, 1e-6);
            // Same outline up to rounding: every vertex of each lies on the other (overlays may round the last digits).
            Assert.True(DiscreteHausdorffDistance.Distance(reference.Faces[i].Polygon, fast.Faces[i].Polygon) < 1e-6, $"{name}: face {i} outline differs");
            Assert.Equal(0, reference.Faces[i].Polygon.SymmetricDifference(fast.Faces[i].Polygon).Area, 1e-6);
            Assert.Equal(reference.Faces[i].Polygon.Area, fast.Faces[i].Polygon.Area, 1e-6);
        }
    }

    private static double[] Rotate(double[] xy, double deg)
    {
        var r = deg * Math.PI / 180;
        var o = new double[xy.Length];
        for (var i = 0; i < xy.Length; i += 2)
        {
            o[i] = xy[i] * Math.Cos(r) - xy[i + 1] * Math.Sin(r);
            o[i + 1] = xy[i] * Math.Sin(r) + xy[i + 1] * Math.Cos(r);
        }
        return o;
    }
}
