using NetTopologySuite.Geometries;
using Angles = SmartRegion.Solar.Angles;

namespace SmartRegion.Geo.Roofs;

/// <summary>Orientation and true area of a planar 3D roof polygon (coordinates in metres, x east, y north, z up).</summary>
/// <param name="TiltDeg">Angle between the plane and the horizontal, 0–90°.</param>
/// <param name="AzimuthDeg">Compass direction the plane faces (downslope), clockwise from grid north; 180 for flat planes.</param>
/// <param name="AreaM2">True (sloped) area.</param>
/// <param name="PlanAreaM2">Area of the projection on the horizontal plane.</param>
public readonly record struct RoofPlane(double TiltDeg, double AzimuthDeg, double AreaM2, double PlanAreaM2)
{
    /// <summary>Tilts below this are flat: their azimuth carries no meaning and is reported as 180 (south).</summary>
    public const double FlatTiltDeg = 0.5;

    /// <summary>The plane of a 3D polygon; its true and plan areas exclude the holes. Null when degenerate.</summary>
    public static RoofPlane? Fit(Polygon polygon)
    {
        var plane = Fit(ToZ(polygon.ExteriorRing.Coordinates));
        if (plane is not { } p || polygon.NumInteriorRings == 0)
        {
            return plane;
        }
        double area = p.AreaM2, plan = p.PlanAreaM2;
        foreach (var hole in polygon.InteriorRings)
        {
            if (Fit(ToZ(hole.Coordinates)) is { } h)
            {
                area -= h.AreaM2;
                plan -= h.PlanAreaM2;
            }
        }
        return p with { AreaM2 = Math.Max(0, area), PlanAreaM2 = Math.Max(0, plan) };
    }

    private static CoordinateZ[] ToZ(Coordinate[] ring) =>
        ring.Select(c => new CoordinateZ(c.X, c.Y, double.IsNaN(c.Z) ? 0 : c.Z)).ToArray();

    /// <summary>
    /// Fits the plane of a 3D ring with Newell's method, which is exact for planar polygons and the least-squares-like
    /// average normal for slightly warped ones (LOD2 faces often are). Returns null for a degenerate ring.
    /// </summary>
    /// <remarks>Newell, M. E. (1972), as given in Sutherland, Sproull &amp; Schumacker, "A characterization of ten hidden-surface algorithms".</remarks>
    public static RoofPlane? Fit(ReadOnlySpan<CoordinateZ> ring)
    {
        var n = ring.Length;
        if (n > 1 && ring[0].Equals3D(ring[n - 1]))
        {
            n--;
        }
        if (n < 3)
        {
            return null;
        }
        // Centre the coordinates first: Lambert-93 values are ~10^6 m and the cross products would lose precision.
        double cx = 0, cy = 0, cz = 0;
        for (var i = 0; i < n; i++)
        {
            cx += ring[i].X;
            cy += ring[i].Y;
            cz += ring[i].Z;
        }
        cx /= n;
        cy /= n;
        cz /= n;
        double nx = 0, ny = 0, nz = 0;
        for (var i = 0; i < n; i++)
        {
            var a = ring[i];
            var b = ring[(i + 1) % n];
            double ax = a.X - cx, ay = a.Y - cy, az = a.Z - cz, bx = b.X - cx, by = b.Y - cy, bz = b.Z - cz;
            nx += (ay - by) * (az + bz);
            ny += (az - bz) * (ax + bx);
            nz += (ax - bx) * (ay + by);
        }
        var length = Math.Sqrt(nx * nx + ny * ny + nz * nz);
        if (!(length > 1e-9) || !double.IsFinite(length))
        {
            return null;
        }
        // The normal's orientation depends on the ring's winding; a roof faces up.
        if (nz < 0)
        {
            nx = -nx;
            ny = -ny;
            nz = -nz;
        }
        var area = length / 2;
        var tilt = Math.Acos(Math.Clamp(nz / length, -1, 1)) * Angles.RadToDeg;
        var azimuth = tilt < FlatTiltDeg ? 180 : Angles.VectorToCompass(nx, ny);
        return new RoofPlane(tilt, azimuth, area, nz / 2);
    }
}
