namespace SmartRegion.Geo;

/// <summary>The one place where vectors and math angles become compass azimuths (clockwise from north, 0–360°).</summary>
public static class Angles
{
    public static double DegToRad(double deg) => deg * (Math.PI / 180);

    public static double RadToDeg(double rad) => rad * (180 / Math.PI);

    /// <summary>Compass azimuth of a horizontal vector (x east, y north): N 0, E 90, S 180, W 270.</summary>
    public static double CompassFromVector(double east, double north)
    {
        var deg = RadToDeg(Math.Atan2(east, north));
        return deg < 0 ? deg + 360 : deg >= 360 ? deg - 360 : deg;
    }

    /// <summary>Compass azimuth from a math angle (counter-clockwise from east, degrees).</summary>
    public static double CompassFromMathDeg(double mathDeg) => NormalizeDeg(90 - mathDeg);

    /// <summary>Unit horizontal vector (east, north) pointing at a compass azimuth.</summary>
    public static (double East, double North) VectorFromCompass(double azimuthDeg)
    {
        var r = DegToRad(azimuthDeg);
        return (Math.Sin(r), Math.Cos(r));
    }

    /// <summary>An angle folded into [0, 360).</summary>
    public static double NormalizeDeg(double deg)
    {
        var d = deg % 360;
        return d < 0 ? d + 360 : d;
    }
}
