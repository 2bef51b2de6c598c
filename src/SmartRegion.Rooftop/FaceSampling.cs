using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using SmartRegion.Geo;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Rooftop;

/// <summary>A face's sample points and the grid they lie on (see <see cref="FaceResult.SampleGrid"/>).</summary>
public sealed record FaceSamples(List<(double X, double Y, double Z)> Points, List<(double U, double V)> Local, FaceFrame Frame, double[] Grid, float[] Ij);

/// <summary>The sample grid of a roof face (DESIGN.md, "The solar method", step 4: a grid of at most 2 m in the face's plane).</summary>
public static class FaceSampling
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), RegionSettings.Srid);

    /// <summary>
    /// Sample points at the centres of a grid in the face's plane (spacing in true lengths), inside the face, with their
    /// (u, v) in the face's <see cref="FaceFrame"/> (the frame the panel packer works in, so a sample's cell is a box there)
    /// and their grid coordinates (i, j), which with the grid's origin and steps are what the database keeps of them.
    /// </summary>
    public static FaceSamples Sample(FaceInput face, double spacingM)
    {
        var frame = FaceFrame.ForFace(face.Polygon, face.Plane.AzimuthDeg, face.Plane.TiltDeg);
        var shell = frame.LocalRings(face.Polygon)[0];
        var (minU, minV, maxU, maxV) = FaceFrame.Bounds(shell);
        // The face's rings in plan (x, y: the ray-crossing test reads no z).
        Coordinate[][] rings = [face.Polygon.Shell.Coordinates, .. face.Polygon.Holes.Select(h => h.Coordinates)];
        var box = face.Polygon.EnvelopeInternal;
        var list = new List<(double, double, double)>();
        var local = new List<(double, double)>();
        var ij = new List<float>();
        double u0 = minU + spacingM / 2, v0 = minV + spacingM / 2;
        for (var j = 0; v0 + j * spacingM < maxV; j++)
        {
            var v = v0 + j * spacingM;
            for (var i = 0; u0 + i * spacingM < maxU; i++)
            {
                var u = u0 + i * spacingM;
                var (x, y, z) = frame.ToWorld(u, v);
                if (InPlan(rings, box, x, y))
                {
                    list.Add((x, y, z));
                    local.Add((u, v));
                    ij.Add(i);
                    ij.Add(j);
                }
            }
        }
        if (list.Count == 0)
        {
            // A face narrower than the grid: one sample at a point inside it, at the plane's altitude there.
            var plan = Factory.CreatePolygon(Factory.CreateLinearRing(face.Polygon.Shell.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray()),
                face.Polygon.Holes.Select(h => Factory.CreateLinearRing(h.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray())).ToArray());
            var ip = plan.InteriorPoint;
            var (u, v) = frame.ToLocal(ip.X, ip.Y);
            list.Add((ip.X, ip.Y, frame.ToWorld(u, v).Z));
            local.Add((u, v));
            ij.Add((float)((u - u0) / spacingM));
            ij.Add((float)((v - v0) / spacingM));
        }
        var (ox, oy, oz) = frame.ToWorld(u0, v0);
        var (ix, iy, iz) = frame.ToWorld(u0 + spacingM, v0);
        var (jx, jy, jz) = frame.ToWorld(u0, v0 + spacingM);
        return new FaceSamples(list, local, frame, [ox, oy, oz, ix - ox, iy - oy, iz - oz, jx - ox, jy - oy, jz - oz], ij.ToArray());
    }

    /// <summary>
    /// Whether (x, y) is in the interior of the face in plan: what a prepared polygon's Contains answers for a point (its
    /// locator counts the ray crossings of every ring's segments with the same <see cref="RayCrossingCounter"/>), without
    /// its index, its point and their allocations for every grid cell (a tenth of the run's allocated bytes).
    /// </summary>
    private static bool InPlan(Coordinate[][] rings, Envelope box, double x, double y)
    {
        if (x < box.MinX || x > box.MaxX || y < box.MinY || y > box.MaxY)
        {
            return false;
        }
        var counter = new RayCrossingCounter(new Coordinate(x, y));
        foreach (var ring in rings)
        {
            for (var k = 1; k < ring.Length; k++)
            {
                counter.CountSegment(ring[k - 1], ring[k]);
            }
        }
        return counter.Location == Location.Interior;
    }
}
