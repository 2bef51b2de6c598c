using System.Globalization;
using System.Xml.Linq;

namespace SmartRegion.Testing;

/// <summary>
/// What a small CityGML file says, read by the tests themselves (LINQ to XML, not the reader under test): the rings of a
/// semantic surface type and the plane of a ring, so that expectations come from the model's coordinates.
/// </summary>
public static class CityGmlModel
{
    /// <summary>Every gml:posList under the file's <paramref name="semantic"/> surfaces (RoofSurface…), as x y z triples.</summary>
    public static List<double[][]> Rings(string path, string semantic)
    {
        XNamespace bldg = "http://www.opengis.net/citygml/building/2.0";
        XNamespace gml = "http://www.opengis.net/gml";
        return XDocument.Load(path).Descendants(bldg + semantic).SelectMany(s => s.Descendants(gml + "posList"))
            .Select(p => p.Value.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
                .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).Chunk(3).ToArray())
            .ToList();
    }

    /// <summary>
    /// Tilt, compass azimuth (clockwise from north, of the upward normal's horizontal part) and area of a planar closed ring:
    /// the sum of the cross products of a fan of triangles from its first vertex.
    /// </summary>
    public static (double TiltDeg, double AzimuthDeg, double AreaM2) PlaneOf(double[][] ring)
    {
        double nx = 0, ny = 0, nz = 0;
        var o = ring[0];
        for (var i = 1; i < ring.Length - 2; i++)
        {
            double ux = ring[i][0] - o[0], uy = ring[i][1] - o[1], uz = ring[i][2] - o[2];
            double wx = ring[i + 1][0] - o[0], wy = ring[i + 1][1] - o[1], wz = ring[i + 1][2] - o[2];
            nx += (uy * wz) - (uz * wy);
            ny += (uz * wx) - (ux * wz);
            nz += (ux * wy) - (uy * wx);
        }
        var sign = nz < 0 ? -1 : 1;
        var length = Math.Sqrt((nx * nx) + (ny * ny) + (nz * nz));
        return (Math.Acos(sign * nz / length) * 180 / Math.PI, ((Math.Atan2(sign * nx, sign * ny) * 180 / Math.PI) + 360) % 360, length / 2);
    }
}
