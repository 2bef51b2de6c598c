using System.Globalization;
using Npgsql;

namespace SmartRegion.Data.Region;

/// <summary>The region's administrative boundaries as a light GeoJSON layer for 2D maps drawn by the pages themselves.</summary>
public static class BoundaryQueries
{
    public static readonly IReadOnlyList<string> Levels = ["commune", "arrondissement", "departement", "region"];

    /// <summary>Most features one answer holds.</summary>
    public const int MaxFeatures = 2000;

    /// <summary>
    /// A GeoJSON FeatureCollection (WGS84, 5 decimals ≈ 1 m) of the boundaries of <paramref name="level"/> that meet the box,
    /// simplified to about a 1,500th of the box's width (a map's pixel), always MultiPolygons, with code and name.
    /// </summary>
    public static async Task<string> GeoJsonAsync(NpgsqlDataSource dataSource, string level, double[] bboxWgs84, CancellationToken cancellationToken)
    {
        // The box is transformed into the column's CRS (the storage CRS), never the column into the box's. A box as
        // large as the world has points outside a projected CRS's domain (Lambert-93 has no south pole: PROJ refuses
        // with "Point outside of projection domain", a 500 the fuzz benchmark found), so it is first cut to the
        // boundaries' own extent in WGS84, where every point projects; a box beside that extent meets nothing.
        await using var cmd = dataSource.CreateCommand("""
            WITH known AS (
                SELECT ST_Envelope(ST_Transform(ST_SetSRID(ST_Extent(geometry)::geometry, Find_SRID('region', 'boundary', 'geometry')), 4326)) AS g
                FROM region.boundary WHERE level = @level),
            request AS (SELECT ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326) AS g),
            box AS (
                SELECT ST_Transform(ST_Intersection(request.g, known.g), Find_SRID('region', 'boundary', 'geometry')) AS g
                FROM request, known WHERE ST_Intersects(request.g, known.g)),
            hit AS (
                SELECT b.code, b.name, b.level, b.geometry, greatest((ST_XMax(box.g) - ST_XMin(box.g)) / 1500.0, 0.5) AS tolerance
                FROM region.boundary b, box
                WHERE b.level = @level AND b.geometry && box.g
                ORDER BY b.code LIMIT @max)
            SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
                'type', 'Feature', 'id', code,
                'properties', json_build_object('code', code, 'name', name, 'level', level),
                'geometry', ST_AsGeoJSON(ST_Multi(ST_Transform(ST_SimplifyPreserveTopology(geometry, tolerance), 4326)), 5)::json)), '[]'::json))::text
            FROM hit
            """);
        cmd.Parameters.AddWithValue("minx", bboxWgs84[0]);
        cmd.Parameters.AddWithValue("miny", bboxWgs84[1]);
        cmd.Parameters.AddWithValue("maxx", bboxWgs84[2]);
        cmd.Parameters.AddWithValue("maxy", bboxWgs84[3]);
        cmd.Parameters.AddWithValue("level", level);
        cmd.Parameters.AddWithValue("max", MaxFeatures);
        return (string)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Parses "minLon,minLat,maxLon,maxLat"; null with the reason when it is not a WGS84 box.</summary>
    public static double[]? ParseBbox(string? text, out string? error)
    {
        error = null;
        var parts = (text ?? "").Split(',');
        var values = new double[4];
        if (parts.Length != 4 || parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).Any(ok => !ok))
        {
            error = "bbox must be four numbers: minLon,minLat,maxLon,maxLat (WGS84 degrees)";
            return null;
        }
        if (values.Any(v => !double.IsFinite(v)) || values[0] < -180 || values[2] > 180 || values[1] < -90 || values[3] > 90
            || values[0] >= values[2] || values[1] >= values[3])
        {
            error = "bbox must have minLon < maxLon within [-180, 180] and minLat < maxLat within [-90, 90]";
            return null;
        }
        return values;
    }
}
