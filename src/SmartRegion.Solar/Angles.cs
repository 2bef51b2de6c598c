namespace SmartRegion.Solar;

/// <summary>
/// The one owner of angle conventions and conversions: azimuths are compass degrees, clockwise from north (N 0, E 90,
/// S 180, W 270); tilt 0 is horizontal; vectors are (east, north, up). SmartRegion.Geo uses these too.
/// </summary>
public static class Angles
{
    public const double DegToRad = Math.PI / 180.0;
    public const double RadToDeg = 180.0 / Math.PI;

    public static double SinDeg(double deg) => Math.Sin(deg * DegToRad);

    public static double CosDeg(double deg) => Math.Cos(deg * DegToRad);

    /// <summary>An angle in [0, 360) (a tiny negative angle, whose sum with 360 rounds to 360, gives 0).</summary>
    public static double Normalize360Deg(double deg)
    {
        var r = deg % 360.0;
        if (r < 0)
        {
            r += 360.0;
            return r < 360.0 ? r : 0.0;
        }
        return r;
    }

    /// <summary>The unit vector (east, north, up) of a direction given by compass azimuth and elevation above the horizon.</summary>
    public static (double East, double North, double Up) CompassToVector(double azimuthDeg, double elevationDeg)
    {
        var ce = CosDeg(elevationDeg);
        return (ce * SinDeg(azimuthDeg), ce * CosDeg(azimuthDeg), SinDeg(elevationDeg));
    }

    /// <summary>The unit horizontal vector (east, north) pointing at a compass azimuth.</summary>
    public static (double East, double North) CompassToHorizontalVector(double azimuthDeg) => (SinDeg(azimuthDeg), CosDeg(azimuthDeg));

    /// <summary>The compass azimuth of a horizontal vector (east, north), in [0, 360).</summary>
    public static double VectorToCompass(double east, double north)
    {
        var deg = Math.Atan2(east, north) * RadToDeg;
        return deg < 0 ? deg + 360 : deg >= 360 ? deg - 360 : deg;
    }

    /// <summary>The compass azimuth of a math angle (counter-clockwise from east, degrees): the only conversion from math angles.</summary>
    public static double CompassFromMathDeg(double mathDeg) => Normalize360Deg(90 - mathDeg);

    /// <summary>The unit normal (east, north, up) of a plane of given tilt and compass azimuth (the direction it faces).</summary>
    public static (double East, double North, double Up) PlaneNormal(double tiltDeg, double azimuthDeg) =>
        CompassToVector(azimuthDeg, 90.0 - tiltDeg);
}
