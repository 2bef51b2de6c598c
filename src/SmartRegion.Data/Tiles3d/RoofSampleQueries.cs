using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;

namespace SmartRegion.Data.Tiles3d;

/// <summary>One roof face's samples as stored: its grid, each sample's (i, j) and kWh/m²/yr, and its outline (Lambert-93).</summary>
public sealed record RoofFaceSamples(long BuildingId, int FaceNo, double[] Grid, float[] Ij, float[] KwhPerM2, Polygon Outline);

/// <summary>The per-sample irradiation of the roof faces in a box (each building's served result: ServedSolarResults), for the map's heat map.</summary>
public sealed class RoofSampleQueries(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The faces intersecting a WGS84 box, nearest the box's centre first, until <paramref name="maxSamples"/> samples are
    /// reached; <c>Truncated</c> says faces were left out.
    /// </summary>
    public async Task<(List<RoofFaceSamples> Faces, bool Truncated)> FacesInBoxAsync(
        double minLon, double minLat, double maxLon, double maxLat, int maxSamples, CancellationToken cancellationToken)
    {
        // The box is transformed, not the column, so the face index answers; the latest complete run is looked up per face
        // found (the building_latest view would be computed for every building first).
        await using var cmd = dataSource.CreateCommand($"""
            WITH box AS (SELECT ST_Transform(ST_MakeEnvelope(@minlon, @minlat, @maxlon, @maxlat, 4326), 2154) AS g)
            SELECT f.building_id, f.face_no, f.sample_grid, f.sample_ij, f.sample_kwh_per_m2, ST_AsBinary(ST_Force2D(f.polygon))
            FROM solar.face_result f, box
            WHERE f.polygon && box.g AND f.sample_grid IS NOT NULL AND f.sample_kwh_per_m2 IS NOT NULL
              AND f.run_id = {SmartRegion.Data.Solar.ServedSolarResults.RunOf("f.building_id")}
            ORDER BY f.polygon <-> ST_Centroid(box.g), f.building_id, f.face_no
            """);
        cmd.Parameters.AddWithValue("minlon", minLon);
        cmd.Parameters.AddWithValue("minlat", minLat);
        cmd.Parameters.AddWithValue("maxlon", maxLon);
        cmd.Parameters.AddWithValue("maxlat", maxLat);
        var wkb = new WKBReader();
        var faces = new List<RoofFaceSamples>();
        var samples = 0;
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var kwh = reader.GetFieldValue<float[]>(4);
            if (samples + kwh.Length > maxSamples)
            {
                return (faces, true);
            }
            if (wkb.Read(reader.GetFieldValue<byte[]>(5)) is not Polygon outline)
            {
                continue;
            }
            samples += kwh.Length;
            faces.Add(new RoofFaceSamples(reader.GetInt64(0), reader.GetInt32(1), reader.GetFieldValue<double[]>(2),
                reader.GetFieldValue<float[]>(3), kwh, outline));
        }
        return (faces, false);
    }
}
