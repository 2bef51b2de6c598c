using SmartRegion.Geo.Crs;

namespace SmartRegion.Geo.Tiles3d;

/// <summary>A box in the storage CRS (metres) and an altitude range (NGF-IGN69 metres), grown point by point.</summary>
public struct TileBounds
{
    public double MinX, MinY, MaxX, MaxY, MinAltitudeM, MaxAltitudeM;

    public static TileBounds Empty => new()
    {
        MinX = double.PositiveInfinity, MinY = double.PositiveInfinity, MinAltitudeM = double.PositiveInfinity,
        MaxX = double.NegativeInfinity, MaxY = double.NegativeInfinity, MaxAltitudeM = double.NegativeInfinity,
    };

    public readonly bool IsEmpty => !(MinX <= MaxX);

    public void Include(double x, double y, double altitudeM)
    {
        MinX = Math.Min(MinX, x);
        MinY = Math.Min(MinY, y);
        MaxX = Math.Max(MaxX, x);
        MaxY = Math.Max(MaxY, y);
        MinAltitudeM = Math.Min(MinAltitudeM, altitudeM);
        MaxAltitudeM = Math.Max(MaxAltitudeM, altitudeM);
    }

    public void Include(TileBounds other)
    {
        if (other.IsEmpty)
        {
            return;
        }
        Include(other.MinX, other.MinY, other.MinAltitudeM);
        Include(other.MaxX, other.MaxY, other.MaxAltitudeM);
    }

    /// <summary>
    /// 3D Tiles' <c>region</c>: [west, south, east, north] in radians and [min, max] ellipsoidal heights. The box's corners and
    /// edge midpoints are projected (a projected edge is not a parallel or a meridian) and a margin of about a metre added.
    /// </summary>
    public readonly double[] ToRegion(double geoidUndulationM)
    {
        double west = double.MaxValue, south = double.MaxValue, east = double.MinValue, north = double.MinValue;
        foreach (var (x, y) in new[] { (MinX, MinY), (MaxX, MinY), (MinX, MaxY), (MaxX, MaxY),
                     ((MinX + MaxX) / 2, MinY), ((MinX + MaxX) / 2, MaxY), (MinX, (MinY + MaxY) / 2), (MaxX, (MinY + MaxY) / 2) })
        {
            var (lon, lat) = StorageCrs.ToGeographicRad(x, y);
            west = Math.Min(west, lon);
            east = Math.Max(east, lon);
            south = Math.Min(south, lat);
            north = Math.Max(north, lat);
        }
        const double marginRad = 2e-7;   // ≈ 1.3 m of latitude
        return [west - marginRad, south - marginRad, east + marginRad, north + marginRad,
            MinAltitudeM + geoidUndulationM - 1, MaxAltitudeM + geoidUndulationM + 1];
    }
}
