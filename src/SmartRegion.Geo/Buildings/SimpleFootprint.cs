using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Buildings;

/// <summary>
/// A fast, conservative validity test for the common footprint: one polygon of at most a few hundred vertices.
/// </summary>
/// <remarks>
/// NetTopologySuite's <c>IsValid</c> builds a noder and a spatial index per geometry, which cost more than everything else
/// done to a building. A ring whose segments provably do not touch except where consecutive ones share a vertex is simple,
/// and a polygon of simple rings that never meet, each hole inside the shell and outside the other holes, is valid (OGC), so
/// for it the answer is certain. Anything else — several parts, touching rings, long rings, repeated vertices, a sign the
/// floating-point orientation test cannot decide — returns false, and the caller asks NetTopologySuite.
/// </remarks>
public static class SimpleFootprint
{
    // Beyond this the pairwise test (n²/2 segment pairs, most rejected by their boxes) stops being cheaper than the indexed one.
    private const int MaxVertices = 256;

    // Shewchuk's error bound for the orientation determinant with doubles: below it the sign is not certain.
    private const double OrientationErrorBound = 3.3306690738754716e-16;

    [ThreadStatic]
    private static PolygonCoordinates? Loaded;

    /// <summary>True only when <paramref name="footprint"/> is certainly valid (one polygon; simple rings that never touch; holes inside).</summary>
    public static bool IsCertainlyValid(MultiPolygon footprint)
    {
        var polygons = Loaded ??= new PolygonCoordinates();
        return polygons.TryLoad(footprint) && IsCertainlyValid(polygons);
    }

    /// <summary>True only when the x, y plan of <paramref name="polygons"/> is certainly a valid footprint (one polygon; simple rings that never touch; holes inside).</summary>
    public static bool IsCertainlyValid(PolygonCoordinates polygons)
    {
        if (polygons.PolygonCount != 1 || polygons.PositionCount > MaxVertices)
        {
            return false;
        }
        var rings = polygons.RingCount;
        if (rings == 0)
        {
            return false;
        }
        // Every vertex of every ring, rings one after the other; start[r] is ring r's first vertex (closed: last = first).
        var total = polygons.PositionCount;
        var xyz = polygons.Ordinates;
        Span<double> x = stackalloc double[total];
        Span<double> y = stackalloc double[total];
        Span<int> start = stackalloc int[rings + 1];
        for (var k = 0; k < total; k++)
        {
            x[k] = xyz[k * PolygonCoordinates.Stride];
            y[k] = xyz[k * PolygonCoordinates.Stride + 1];
            if (!double.IsFinite(x[k]) || !double.IsFinite(y[k]))
            {
                return false;
            }
        }
        for (var r = 0; r < rings; r++)
        {
            start[r] = polygons.RingStart(r);
            var end = polygons.RingEnd(r);
            if (end - start[r] < 4)
            {
                return false;
            }
            if (x[end - 1] != x[start[r]] || y[end - 1] != y[start[r]] || !IsSimple(x[start[r]..end], y[start[r]..end]))
            {
                return false;
            }
        }
        start[rings] = total;
        if (rings == 1)
        {
            return true;
        }
        // Rings whose segments never meet are nested or apart as wholes: each hole must lie in the shell and in no other hole,
        // and then the interior is connected.
        for (var a = 0; a < rings; a++)
        {
            for (var b = a + 1; b < rings; b++)
            {
                for (var i = start[a]; i < start[a + 1] - 1; i++)
                {
                    for (var j = start[b]; j < start[b + 1] - 1; j++)
                    {
                        if (!CertainlyDisjoint(x[i], y[i], x[i + 1], y[i + 1], x[j], y[j], x[j + 1], y[j + 1]))
                        {
                            return false;
                        }
                    }
                }
            }
        }
        for (var h = 1; h < rings; h++)
        {
            var vertex = new Coordinate(x[start[h]], y[start[h]]);
            if (Locate(vertex, x[start[0]..start[1]], y[start[0]..start[1]]) != Location.Interior)
            {
                return false;
            }
            for (var other = 1; other < rings; other++)
            {
                if (other != h && Locate(vertex, x[start[other]..start[other + 1]], y[start[other]..start[other + 1]]) != Location.Exterior)
                {
                    return false;
                }
            }
        }
        return true;
    }

    // NetTopologySuite's robust ray-crossing test of a point against one closed ring.
    private static Location Locate(Coordinate point, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var counter = new RayCrossingCounter(point);
        Coordinate a = new(), b = new();
        for (var i = 1; i < x.Length; i++)
        {
            (a.X, a.Y, b.X, b.Y) = (x[i], y[i], x[i - 1], y[i - 1]);
            counter.CountSegment(a, b);
            if (counter.IsOnSegment)
            {
                return counter.Location;
            }
        }
        return counter.Location;
    }

    // One closed ring (last vertex = first): no repeated vertex, consecutive segments turn or run on, others never meet.
    private static bool IsSimple(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var segments = x.Length - 1;
        for (var i = 0; i < segments; i++)
        {
            if (x[i] == x[i + 1] && y[i] == y[i + 1])
            {
                return false; // repeated vertex: leave the subtleties to NetTopologySuite
            }
        }
        for (var i = 0; i < segments; i++)
        {
            var next = (i + 1) % segments;
            // Consecutive segments share one vertex: they must turn or run on clearly forward, never fold back.
            if (Orientation(x[i], y[i], x[i + 1], y[i + 1], x[next + 1], y[next + 1]) == 0)
            {
                double ux = x[i + 1] - x[i], uy = y[i + 1] - y[i], vx = x[next + 1] - x[next], vy = y[next + 1] - y[next];
                if (ux * vx + uy * vy <= 0.5 * Math.Sqrt((ux * ux + uy * uy) * (vx * vx + vy * vy)))
                {
                    return false;
                }
            }
            for (var j = i + 2; j < segments; j++)
            {
                if (i == 0 && j == segments - 1)
                {
                    continue; // the closing segment is consecutive to the first
                }
                if (!CertainlyDisjoint(x[i], y[i], x[i + 1], y[i + 1], x[j], y[j], x[j + 1], y[j + 1]))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static bool CertainlyDisjoint(double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy)
    {
        // Bounding boxes apart: certainly disjoint (the usual case for a building's non-adjacent walls).
        if (Math.Max(ax, bx) < Math.Min(cx, dx) || Math.Max(cx, dx) < Math.Min(ax, bx)
            || Math.Max(ay, by) < Math.Min(cy, dy) || Math.Max(cy, dy) < Math.Min(ay, by))
        {
            return true;
        }
        var c = Orientation(ax, ay, bx, by, cx, cy);
        var d = Orientation(ax, ay, bx, by, dx, dy);
        if (c == 0 || d == 0)
        {
            return false; // touching, collinear or undecidable
        }
        if (c == d)
        {
            return true; // CD entirely on one side of AB
        }
        var a = Orientation(cx, cy, dx, dy, ax, ay);
        var b = Orientation(cx, cy, dx, dy, bx, by);
        return a != 0 && b != 0 && a == b;
    }

    // +1 left turn, -1 right turn, 0 collinear or too close to call with doubles.
    private static int Orientation(double ax, double ay, double bx, double by, double cx, double cy)
    {
        var left = (bx - ax) * (cy - ay);
        var right = (by - ay) * (cx - ax);
        var det = left - right;
        var bound = OrientationErrorBound * (Math.Abs(left) + Math.Abs(right));
        return det > bound ? 1 : det < -bound ? -1 : 0;
    }
}
