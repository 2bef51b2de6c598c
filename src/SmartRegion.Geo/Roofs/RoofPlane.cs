using NetTopologySuite.Geometries;
using SmartRegion.Geo.Buildings;

namespace SmartRegion.Geo.Roofs;

/// <summary>Plane fit of a 3D roof polygon: tilt, compass azimuth and true (sloped) area.</summary>
/// <remarks>
/// The normal is Newell's (M. Newell, 1972; Sutherland, Sproull & Schumacker, "A characterization of ten hidden-surface
/// algorithms", 1974): exact for planar polygons and a least-squares-like average for slightly warped LOD2 faces.
/// </remarks>
public static class RoofPlane
{
    /// <summary>Below this tilt a face counts as flat and has no azimuth.</summary>
    public const double FlatTiltDeg = 0.5;

    /// <summary>The face of <paramref name="polygon"/> (coordinates in metres, Z up), or null when it is degenerate or vertical.</summary>
    public static RoofFace? Fit(Polygon polygon)
    {
        var (nx, ny, nz) = Newell(polygon.ExteriorRing.Coordinates);
        var length = Math.Sqrt((nx * nx) + (ny * ny) + (nz * nz));
        if (length < 1e-9)
        {
            return null;
        }
        var areaM2 = length / 2;
        foreach (var hole in polygon.InteriorRings)
        {
            var (hx, hy, hz) = Newell(hole.Coordinates);
            areaM2 -= Math.Sqrt((hx * hx) + (hy * hy) + (hz * hz)) / 2;
        }
        nx /= length;
        ny /= length;
        nz /= length;
        if (nz < 0)
        {
            // Orientation conventions differ between sources: a roof faces the sky.
            nx = -nx;
            ny = -ny;
            nz = -nz;
        }
        var tiltDeg = Math.Acos(Math.Clamp(nz, -1, 1)) * 180 / Math.PI;
        double? azimuthDeg = tiltDeg < FlatTiltDeg ? null : CompassAzimuth.FromEastNorthDeg(nx, ny);
        return new RoofFace(polygon, tiltDeg, azimuthDeg, Math.Max(areaM2, 0));
    }

    private static (double X, double Y, double Z) Newell(Coordinate[] ring)
    {
        double x = 0, y = 0, z = 0;
        for (var i = 0; i < ring.Length - 1; i++)
        {
            var a = ring[i];
            var b = ring[i + 1];
            var az = double.IsNaN(a.Z) ? 0 : a.Z;
            var bz = double.IsNaN(b.Z) ? 0 : b.Z;
            x += (a.Y - b.Y) * (az + bz);
            y += (az - bz) * (a.X + b.X);
            z += (a.X - b.X) * (a.Y + b.Y);
        }
        return (x, y, z);
    }
}

/// <summary>The one conversion from a math-style direction (east, north components) to a compass azimuth.</summary>
public static class CompassAzimuth
{
    /// <summary>Compass degrees clockwise from north in [0, 360) of the horizontal direction (east, north).</summary>
    public static double FromEastNorthDeg(double east, double north)
    {
        var deg = Math.Atan2(east, north) * 180 / Math.PI;
        deg = deg < 0 ? deg + 360 : deg;
        return deg >= 360 ? 0 : deg;
    }
}
