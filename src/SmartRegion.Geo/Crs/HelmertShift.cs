namespace SmartRegion.Geo.Crs;

/// <summary>A datum change through geocentric coordinates with 7-parameter Helmert (position-vector) shifts to and from WGS 84.</summary>
/// <remarks>
/// Bursa–Wolf, small-angle form, as PROJ's <c>+towgs84</c> applies it (EPSG method 9606). Written here rather than taken
/// from ProjNet, whose geocentric inverse stops at ~4 mm; this one iterates latitude to 1e-12 rad.
/// </remarks>
internal sealed class HelmertShift
{
    private const double ArcSecondRad = Math.PI / (180.0 * 3600.0);
    private const double DegRad = Math.PI / 180.0;
    private readonly Ellipsoid _from;
    private readonly Ellipsoid _to;
    private readonly double[]? _fromToWgs84;
    private readonly double[]? _toToWgs84;

    /// <param name="from">source ellipsoid</param>
    /// <param name="fromToWgs84">source TOWGS84 (dx, dy, dz m, rx, ry, rz arc-seconds, ppm) or null when it equals WGS 84</param>
    /// <param name="to">target ellipsoid</param>
    /// <param name="toToWgs84">target TOWGS84 or null</param>
    public HelmertShift(Ellipsoid from, double[]? fromToWgs84, Ellipsoid to, double[]? toToWgs84)
    {
        _from = from;
        _to = to;
        _fromToWgs84 = fromToWgs84;
        _toToWgs84 = toToWgs84;
    }

    /// <summary>Longitude/latitude in degrees on the source datum → on the target datum (height 0 in, discarded out).</summary>
    public (double LonDeg, double LatDeg) Transform(double lonDeg, double latDeg)
    {
        var (x, y, z) = ToGeocentric(_from, lonDeg * DegRad, latDeg * DegRad);
        if (_fromToWgs84 is not null)
        {
            (x, y, z) = Apply(_fromToWgs84, x, y, z, 1);
        }
        if (_toToWgs84 is not null)
        {
            (x, y, z) = Apply(_toToWgs84, x, y, z, -1);
        }
        // A datum with a null shift is WGS 84 itself for PROJ, whatever its ellipsoid: convert back on WGS 84's.
        var target = _toToWgs84 is null ? Ellipsoid.Wgs84 : _to;
        var (lon, lat) = ToGeodetic(target, x, y, z);
        return (lon / DegRad, lat / DegRad);
    }

    private static (double X, double Y, double Z) Apply(double[] p, double x, double y, double z, int direction)
    {
        var dx = p[0];
        var dy = p[1];
        var dz = p[2];
        var rx = p[3] * ArcSecondRad;
        var ry = p[4] * ArcSecondRad;
        var rz = p[5] * ArcSecondRad;
        var m = 1 + (p[6] * 1e-6);
        if (direction > 0)
        {
            return (
                (m * (x - (rz * y) + (ry * z))) + dx,
                (m * ((rz * x) + y - (rx * z))) + dy,
                (m * ((-ry * x) + (rx * y) + z)) + dz);
        }
        // Inverse of the small-angle matrix: subtract the shift, divide the scale, transpose the rotation.
        x = (x - dx) / m;
        y = (y - dy) / m;
        z = (z - dz) / m;
        return (x + (rz * y) - (ry * z), (-rz * x) + y + (rx * z), (ry * x) - (rx * y) + z);
    }

    private static (double X, double Y, double Z) ToGeocentric(Ellipsoid e, double lon, double lat)
    {
        var sinLat = Math.Sin(lat);
        var n = e.A / Math.Sqrt(1 - (e.E2 * sinLat * sinLat));
        return (n * Math.Cos(lat) * Math.Cos(lon), n * Math.Cos(lat) * Math.Sin(lon), n * (1 - e.E2) * sinLat);
    }

    private static (double Lon, double Lat) ToGeodetic(Ellipsoid e, double x, double y, double z)
    {
        var p = Math.Sqrt((x * x) + (y * y));
        var lon = Math.Atan2(y, x);
        var lat = Math.Atan2(z, p * (1 - e.E2));
        for (var i = 0; i < 20; i++)
        {
            var sinLat = Math.Sin(lat);
            var n = e.A / Math.Sqrt(1 - (e.E2 * sinLat * sinLat));
            var h = (p / Math.Cos(lat)) - n;
            var next = Math.Atan2(z, p * (1 - (e.E2 * n / (n + h))));
            if (Math.Abs(next - lat) < 1e-12)
            {
                lat = next;
                break;
            }
            lat = next;
        }
        return (lon, lat);
    }

    /// <summary>Semi-major axis (m) and first eccentricity squared.</summary>
    internal readonly record struct Ellipsoid(double A, double E2)
    {
        public static readonly Ellipsoid Wgs84 = FromInverseFlattening(6378137, 298.257223563);

        public static Ellipsoid FromInverseFlattening(double a, double inverseFlattening)
        {
            var f = 1 / inverseFlattening;
            return new Ellipsoid(a, (2 * f) - (f * f));
        }
    }
}
