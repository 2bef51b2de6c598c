using System.Globalization;
using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;

namespace SmartRegion.Geo.Crs;

/// <summary>The coordinate reference systems the readers accept, by EPSG code, and how their names are spelled in files.</summary>
/// <remarks>
/// Definitions are PostGIS 3.3's <c>spatial_ref_sys</c> WKT (EPSG 10.x), so a ProjNet transform and <c>ST_Transform</c>
/// agree; the datum shifts are those rows' TOWGS84 Helmert parameters. Measured against PostGIS 3.3 / PROJ 9.1:
/// every supported CRS within 1 cm (the test's tolerance), RD New at 4.5 mm (PROJ's EPSG Helmert through WGS 84; PROJ's
/// direct 28992 → 2154 without the RDNAPTRANS grid is a 110 m "ballpark" shift and must not be used as a reference).
/// </remarks>
public static class KnownCrs
{
    /// <summary>RGF93 / Lambert-93: the storage CRS of the region schema.</summary>
    public const int Lambert93 = 2154;

    /// <summary>WGS 84 longitude/latitude (CRS84 axis order: longitude first).</summary>
    public const int Wgs84 = 4326;

    private const string Rgf93 = """GEOGCS["RGF93",DATUM["Reseau_Geodesique_Francais_1993",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6171"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4171"]]""";

    private const string Amersfoort = """GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",6377397.155,299.1528128,AUTHORITY["EPSG","7004"]],TOWGS84[565.2369,50.0087,465.658,-0.406857,0.350733,-1.87035,4.0812],AUTHORITY["EPSG","6289"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4289"]]""";

    private static readonly Dictionary<int, string> Wkt = new()
    {
        [2154] = $$"""PROJCS["RGF93 / Lambert-93",{{Rgf93}},PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],PARAMETER["standard_parallel_2",44],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["X",EAST],AXIS["Y",NORTH],AUTHORITY["EPSG","2154"]]""",
        [3946] = $$"""PROJCS["RGF93 / CC46",{{Rgf93}},PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",45.25],PARAMETER["standard_parallel_2",46.75],PARAMETER["latitude_of_origin",46],PARAMETER["central_meridian",3],PARAMETER["false_easting",1700000],PARAMETER["false_northing",5200000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["X",EAST],AXIS["Y",NORTH],AUTHORITY["EPSG","3946"]]""",
        [28992] = $$"""PROJCS["Amersfoort / RD New",{{Amersfoort}},PROJECTION["Oblique_Stereographic"],PARAMETER["latitude_of_origin",52.15616055555555],PARAMETER["central_meridian",5.38763888888889],PARAMETER["scale_factor",0.9999079],PARAMETER["false_easting",155000],PARAMETER["false_northing",463000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["X",EAST],AXIS["Y",NORTH],AUTHORITY["EPSG","28992"]]""",
        [26918] = """PROJCS["NAD83 / UTM zone 18N",GEOGCS["NAD83",DATUM["North_American_Datum_1983",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6269"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4269"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",-75],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","26918"]]""",
        [2056] = """PROJCS["CH1903+ / LV95",GEOGCS["CH1903+",DATUM["CH1903+",SPHEROID["Bessel 1841",6377397.155,299.1528128,AUTHORITY["EPSG","7004"]],TOWGS84[674.374,15.056,405.346,0,0,0,0],AUTHORITY["EPSG","6150"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4150"]],PROJECTION["Hotine_Oblique_Mercator_Azimuth_Center"],PARAMETER["latitude_of_center",46.95240555555556],PARAMETER["longitude_of_center",7.439583333333333],PARAMETER["azimuth",90],PARAMETER["rectified_grid_angle",90],PARAMETER["scale_factor",1],PARAMETER["false_easting",2600000],PARAMETER["false_northing",1200000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","2056"]]""",
    };

    // Horizontal CRS of a compound one: the vertical part (NAP) is kept as the source's Z.
    private static readonly Dictionary<int, int> CompoundHorizontal = new() { [7415] = 28992 };

    // Where each CRS is meant to be used (EPSG area of use, lon/lat degrees, slightly widened):
    // coordinates far outside it almost always mean a wrong CRS declaration.
    private static readonly Dictionary<int, Envelope> AreaOfUse = new()
    {
        [4326] = new Envelope(-180, 180, -90, 90),
        [3857] = new Envelope(-180, 180, -85.06, 85.06),
        [2154] = new Envelope(-9.86 - 1, 10.38 + 1, 41.15 - 1, 51.56 + 1),
        [3946] = new Envelope(-9.86 - 1, 10.38 + 1, 41.15 - 1, 51.56 + 1),
        [28992] = new Envelope(3.2 - 1, 7.22 + 1, 50.75 - 1, 53.7 + 1),
        [26918] = new Envelope(-78 - 2, -72 + 2, 35 - 2, 84 + 2),
        [2056] = new Envelope(5.96 - 1, 10.49 + 1, 45.82 - 1, 47.81 + 1),
    };

    private static readonly CoordinateSystemFactory Factory = new();
    private static readonly Dictionary<int, CoordinateSystem> Cache = [];

    /// <summary>EPSG codes the readers can transform from.</summary>
    public static IReadOnlyCollection<int> Supported { get; } = [4326, 3857, 2154, 3946, 28992, 7415, 26918, 2056];

    /// <summary>True when <paramref name="epsg"/> can be transformed to Lambert-93.</summary>
    public static bool IsSupported(int epsg) => Supported.Contains(epsg);

    /// <summary>The horizontal EPSG code of a CRS (the projected part of a compound CRS such as 7415 = 28992 + NAP).</summary>
    public static int Horizontal(int epsg) => CompoundHorizontal.TryGetValue(epsg, out var h) ? h : epsg;

    /// <summary>The ProjNet coordinate system of a supported EPSG code.</summary>
    public static CoordinateSystem Get(int epsg)
    {
        epsg = Horizontal(epsg);
        lock (Cache)
        {
            if (Cache.TryGetValue(epsg, out var cs))
            {
                return cs;
            }
            cs = epsg switch
            {
                4326 => GeographicCoordinateSystem.WGS84,
                3857 => ProjectedCoordinateSystem.WebMercator,
                _ when Wkt.TryGetValue(epsg, out var wkt) => Factory.CreateFromWkt(wkt),
                _ => throw new UnsupportedCrsException($"EPSG:{epsg} is not supported (supported: {string.Join(", ", Supported.Select(s => "EPSG:" + s))})"),
            };
            Cache[epsg] = cs;
            return cs;
        }
    }

    /// <summary>The area where <paramref name="epsg"/> is valid, as a lon/lat envelope.</summary>
    public static Envelope AreaOfUseLonLat(int epsg) => AreaOfUse.TryGetValue(Horizontal(epsg), out var e) ? e : new Envelope(-180, 180, -90, 90);

    /// <summary>
    /// A lon/lat box cut to where <paramref name="epsg"/> is valid (its widened area of use), or null when the two do not
    /// overlap. PostGIS cannot project the rest (Lambert-93 sends the south pole to infinity), and nothing is stored there.
    /// </summary>
    public static (double MinLon, double MinLat, double MaxLon, double MaxLat)? ClampToAreaOfUse(
        int epsg, double minLon, double minLat, double maxLon, double maxLat)
    {
        var a = AreaOfUseLonLat(epsg);
        var box = (MinLon: Math.Max(minLon, a.MinX), MinLat: Math.Max(minLat, a.MinY), MaxLon: Math.Min(maxLon, a.MaxX), MaxLat: Math.Min(maxLat, a.MaxY));
        return box.MinLon < box.MaxLon && box.MinLat < box.MaxLat ? box : null;
    }

    /// <summary>
    /// The EPSG code of a CRS name as files spell it: <c>EPSG:2154</c>, <c>urn:ogc:def:crs:EPSG::3946</c>,
    /// <c>urn:ogc:def:crs:OGC:1.3:CRS84</c>, <c>https://www.opengis.net/def/crs/EPSG/0/7415</c>, or a bare number; of a compound
    /// CRS, its horizontal part.
    /// </summary>
    public static int Parse(string name)
    {
        var s = name.Trim();
        // A compound CRS (horizontal + heights, as CityGML files name theirs) is read as its horizontal part; heights stay the
        // file's: urn:ogc:def:crs,crs:EPSG::2154,crs:EPSG::5720, EPSG:2154+5720, http://www.opengis.net/def/crs-compound?1=…&2=….
        if (s.StartsWith("urn:ogc:def:crs,", StringComparison.OrdinalIgnoreCase))
        {
            return Parse(s["urn:ogc:def:crs,".Length..].Split(',')[0]);
        }
        if (s.IndexOf("crs-compound?1=", StringComparison.OrdinalIgnoreCase) is var q and >= 0)
        {
            return Parse(s[(q + "crs-compound?1=".Length)..].Split('&')[0]);
        }
        if (s.IndexOf('+') is var plus and > 0)
        {
            return Parse(s[..plus]);
        }
        if (s.EndsWith("CRS84", StringComparison.OrdinalIgnoreCase) || s.EndsWith("CRS:84", StringComparison.OrdinalIgnoreCase))
        {
            return Wgs84;
        }
        // Every spelling ends with the code after the last ':' or '/'.
        var cut = s.LastIndexOfAny([':', '/']);
        var tail = cut >= 0 ? s[(cut + 1)..] : s;
        if (int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code > 0)
        {
            if (s.Contains("EPSG", StringComparison.OrdinalIgnoreCase) || cut < 0)
            {
                return code == 900913 || code == 3785 ? 3857 : code;
            }
        }
        throw new UnsupportedCrsException($"'{name}' is not a CRS name this reader understands (use EPSG:<code>)");
    }
}

/// <summary>A CRS that is unknown or cannot be transformed to the storage CRS.</summary>
public sealed class UnsupportedCrsException(string message) : Exception(message);
