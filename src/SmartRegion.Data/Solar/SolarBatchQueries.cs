using Npgsql;
using SmartRegion.Geo;

namespace SmartRegion.Data.Solar;

/// <summary>The buildings a batch of solar reports covers: those with a published result in a WGS 84 box, in id order, paged by key.</summary>
public sealed class SolarBatchQueries(NpgsqlDataSource dataSource)
{
    /// <summary>Up to <paramref name="limit"/> building ids after <paramref name="afterId"/> whose footprint meets the box (the footprint's spatial index; the box transformed, not the column).</summary>
    public async Task<List<long>> BuildingIdsInBoxAsync(
        double minLon, double minLat, double maxLon, double maxLat, int limit, long afterId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            WITH box AS (SELECT ST_Transform(ST_MakeEnvelope(@minlon, @minlat, @maxlon, @maxlat, 4326), {RegionSettings.Srid}) AS g)
            SELECT b.id
            FROM region.building b, box
            WHERE b.retired_run_id IS NULL AND b.footprint && box.g AND ST_Intersects(b.footprint, box.g) AND b.id > @after
              AND {ServedSolarResults.RunOf("b.id")} IS NOT NULL
            ORDER BY b.id
            LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("minlon", minLon);
        cmd.Parameters.AddWithValue("minlat", minLat);
        cmd.Parameters.AddWithValue("maxlon", maxLon);
        cmd.Parameters.AddWithValue("maxlat", maxLat);
        cmd.Parameters.AddWithValue("after", afterId);
        cmd.Parameters.AddWithValue("limit", limit);
        var ids = new List<long>(limit);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }
}
