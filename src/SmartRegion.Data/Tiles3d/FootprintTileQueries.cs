using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using SmartRegion.Geo.Raster;

namespace SmartRegion.Data.Tiles3d;

/// <summary>
/// The current buildings' footprints on one Web Mercator tile (XYZ), drawn as a PNG: the map's orientation layer under the
/// 3D buildings, which at a distance show only a region's largest. PostGIS clips and projects (ST_AsMVTGeom, in tile
/// pixels); <see cref="PolygonRaster"/> fills.
/// </summary>
public sealed class FootprintTileQueries(NpgsqlDataSource dataSource)
{
    /// <summary>Tiles below this zoom are drawn empty without a query (a building is under a pixel there).</summary>
    public const int MinZoom = 13;

    public const int TileSize = 256;

    /// <summary>Footprint grey, about 70 % opaque: the ground colour shows through, the commune boundaries stay on top.</summary>
    private static readonly (byte R, byte G, byte B, byte A) Colour = (0x4b, 0x4b, 0x5a, 180);

    // Coordinates come back in a 1,024-unit extent: a quarter of a pixel.
    private const int Extent = TileSize * 4;

    private static readonly Lazy<byte[]> EmptyTile = new(() => new PolygonRaster(TileSize).ToPng(Colour.R, Colour.G, Colour.B, Colour.A));

    /// <summary>The PNG of tile z/x/y, and how many footprints it draws.</summary>
    public async Task<(byte[] Png, int Footprints)> TileAsync(int z, long x, long y, CancellationToken cancellationToken)
    {
        if (z < MinZoom)
        {
            return (EmptyTile.Value, 0);
        }
        var raster = new PolygonRaster(TileSize);
        var reader = new WKBReader();
        var count = 0;
        await using var cmd = dataSource.CreateCommand($"""
            SELECT ST_AsBinary(g)
            FROM (SELECT ST_AsMVTGeom(ST_Transform(b.footprint, 3857), t.env, {Extent}, 8, true) AS g
                  FROM (SELECT ST_TileEnvelope(@z, @x, @y) AS env) t
                  JOIN region.building b ON b.footprint && ST_Expand(ST_Transform(t.env, {Geo.RegionSettings.Srid}), 10)
                  WHERE b.retired_run_id IS NULL) q
            WHERE g IS NOT NULL
            """);
        cmd.Parameters.AddWithValue("z", z);
        cmd.Parameters.AddWithValue("x", (int)x);
        cmd.Parameters.AddWithValue("y", (int)y);
        await using var rows = await cmd.ExecuteReaderAsync(cancellationToken);
        const double scale = (double)TileSize / Extent;
        while (await rows.ReadAsync(cancellationToken))
        {
            var geometry = reader.Read(rows.GetFieldValue<byte[]>(0));
            for (var p = 0; p < geometry.NumGeometries; p++)
            {
                if (geometry.GetGeometryN(p) is not Polygon polygon)
                {
                    continue;
                }
                foreach (var ring in new[] { polygon.ExteriorRing }.Concat(polygon.InteriorRings))
                {
                    var xy = new double[ring.NumPoints * 2];
                    for (var i = 0; i < ring.NumPoints; i++)
                    {
                        var c = ring.GetCoordinateN(i);
                        xy[2 * i] = c.X * scale;
                        xy[2 * i + 1] = c.Y * scale;
                    }
                    raster.AddRing(xy);
                }
                raster.Fill();
            }
            count++;
        }
        return (count == 0 ? EmptyTile.Value : raster.ToPng(Colour.R, Colour.G, Colour.B, Colour.A), count);
    }
}
