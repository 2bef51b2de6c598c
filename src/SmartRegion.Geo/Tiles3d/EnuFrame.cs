namespace SmartRegion.Geo.Tiles3d;

/// <summary>
/// WGS84 Earth-centred, Earth-fixed coordinates and a local east-north-up frame: a tile's vertices stay doubles in ECEF
/// until the frame's origin is subtracted, then become small single-precision offsets in the tile.
/// </summary>
public sealed class EnuFrame
{
    /// <summary>WGS84 semi-major axis (m).</summary>
    public const double SemiMajorAxisM = 6378137.0;

    /// <summary>WGS84 first eccentricity squared.</summary>
    public const double EccentricitySquared = 6.69437999014e-3;

    private readonly double _ex, _ey;            // east  (ez = 0)
    private readonly double _nx, _ny, _nz;       // north
    private readonly double _ux, _uy, _uz;       // up

    /// <summary>The frame at a geodetic point (radians, ellipsoidal height in metres).</summary>
    public EnuFrame(double lonRad, double latRad, double heightEllipsoidalM)
    {
        (OriginX, OriginY, OriginZ) = GeodeticToEcef(lonRad, latRad, heightEllipsoidalM);
        double sinLon = Math.Sin(lonRad), cosLon = Math.Cos(lonRad), sinLat = Math.Sin(latRad), cosLat = Math.Cos(latRad);
        (_ex, _ey) = (-sinLon, cosLon);
        (_nx, _ny, _nz) = (-sinLat * cosLon, -sinLat * sinLon, cosLat);
        (_ux, _uy, _uz) = (cosLat * cosLon, cosLat * sinLon, sinLat);
    }

    public double OriginX { get; }

    public double OriginY { get; }

    public double OriginZ { get; }

    /// <summary>ECEF (m) of a geodetic point (radians, ellipsoidal height in metres).</summary>
    public static (double X, double Y, double Z) GeodeticToEcef(double lonRad, double latRad, double heightEllipsoidalM)
    {
        double sinLat = Math.Sin(latRad), cosLat = Math.Cos(latRad);
        var n = SemiMajorAxisM / Math.Sqrt(1 - EccentricitySquared * sinLat * sinLat);
        return ((n + heightEllipsoidalM) * cosLat * Math.Cos(lonRad),
                (n + heightEllipsoidalM) * cosLat * Math.Sin(lonRad),
                (n * (1 - EccentricitySquared) + heightEllipsoidalM) * sinLat);
    }

    /// <summary>East, north, up (m) of an ECEF point relative to the origin: the subtraction is done in double precision.</summary>
    public (double East, double North, double Up) FromEcef(double x, double y, double z)
    {
        double dx = x - OriginX, dy = y - OriginY, dz = z - OriginZ;
        return (_ex * dx + _ey * dy, _nx * dx + _ny * dy + _nz * dz, _ux * dx + _uy * dy + _uz * dz);
    }

    /// <summary>This frame as a column-major 4×4 matrix (local east-north-up metres → ECEF), as 3D Tiles' <c>transform</c>.</summary>
    public double[] ToColumnMajorMatrix() =>
    [
        _ex, _ey, 0, 0,
        _nx, _ny, _nz, 0,
        _ux, _uy, _uz, 0,
        OriginX, OriginY, OriginZ, 1,
    ];

    /// <summary>
    /// The matrix that maps this frame's local coordinates into <paramref name="parent"/>'s local coordinates: a child tile's
    /// <c>transform</c> when its parent carries <paramref name="parent"/> (3D Tiles multiplies transforms down the tree).
    /// </summary>
    public double[] RelativeTo(EnuFrame parent)
    {
        // parent⁻¹ · this: parent's rotation is orthonormal, so its inverse is its transpose.
        var (ox, oy, oz) = parent.FromEcef(OriginX, OriginY, OriginZ);
        (double X, double Y, double Z) Rotate(double x, double y, double z) =>
            (parent._ex * x + parent._ey * y,
             parent._nx * x + parent._ny * y + parent._nz * z,
             parent._ux * x + parent._uy * y + parent._uz * z);
        var e = Rotate(_ex, _ey, 0);
        var n = Rotate(_nx, _ny, _nz);
        var u = Rotate(_ux, _uy, _uz);
        return [e.X, e.Y, e.Z, 0, n.X, n.Y, n.Z, 0, u.X, u.Y, u.Z, 0, ox, oy, oz, 1];
    }
}
