namespace SmartRegion.Solar;

/// <summary>Degree helpers. Azimuths are compass degrees (N 0, E 90, S 180, W 270); tilt 0 is horizontal.</summary>
public static class Angles
{
    public const double DegToRad = Math.PI / 180.0;
    public const double RadToDeg = 180.0 / Math.PI;

    public static double SinDeg(double deg) => Math.Sin(deg * DegToRad);

    public static double CosDeg(double deg) => Math.Cos(deg * DegToRad);

    /// <summary>An angle in [0, 360).</summary>
    public static double Normalize360Deg(double deg)
    {
        var r = deg % 360.0;
        return r < 0 ? r + 360.0 : r;
    }

    /// <summary>
    /// The unit vector (east, north, up) of a direction given by compass azimuth and elevation above the horizon.
    /// This is the one conversion from compass angles to vectors; everything else works with its output.
    /// </summary>
    public static (double East, double North, double Up) CompassToVector(double azimuthDeg, double elevationDeg)
    {
        var ce = CosDeg(elevationDeg);
        return (ce * SinDeg(azimuthDeg), ce * CosDeg(azimuthDeg), SinDeg(elevationDeg));
    }

    /// <summary>The unit normal (east, north, up) of a plane of given tilt and compass azimuth (the direction it faces).</summary>
    public static (double East, double North, double Up) PlaneNormal(double tiltDeg, double azimuthDeg) =>
        CompassToVector(azimuthDeg, 90.0 - tiltDeg);
}
