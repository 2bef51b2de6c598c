using Angles = SmartRegion.Solar.Angles;

namespace SmartRegion.Geo.Crs;

/// <summary>Positions in the region's storage CRS (<see cref="RegionSettings.StorageSrid"/>) turned into geographic ones.</summary>
public static class StorageCrs
{
    private static readonly ThreadLocal<CrsTransform> ToWgs84 = new(() => CrsTransform.Create(RegionSettings.Srid, KnownCrs.Wgs84));

    /// <summary>
    /// Longitude and latitude (radians, WGS 84) of a storage-CRS position: Lambert-93 in closed form (<see cref="Lambert93"/>,
    /// the hot paths of 3D Tiles), any other storage CRS through ProjNet.
    /// </summary>
    public static (double LonRad, double LatRad) ToGeographicRad(double x, double y)
    {
        if (RegionSettings.Srid == KnownCrs.Lambert93)
        {
            return Lambert93.ToGeographicRad(x, y);
        }
        var (lon, lat) = ToWgs84.Value!.Transform(x, y);
        return (lon * Angles.DegToRad, lat * Angles.DegToRad);
    }
}
