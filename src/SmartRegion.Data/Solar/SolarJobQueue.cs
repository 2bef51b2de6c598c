using Npgsql;
using SmartRegion.Geo;

namespace SmartRegion.Data.Solar;

/// <summary>A tile job taken by a worker.</summary>
public sealed record SolarJob(long Id, long RunId, string TileKey, double MinX, double MinY, double MaxX, double MaxY, int Attempts);

/// <summary>Progress of a run's jobs.</summary>
public sealed record SolarRunProgress(string RunStatus, int Pending, int Running, int Done, int Failed, int BuildingsDone, int BuildingsTotal);

/// <summary>
/// The PostgreSQL job queue of the solar computation: a run is split into tile jobs; any number of workers on any number
/// of machines take them with <c>FOR UPDATE SKIP LOCKED</c>. A taken job holds a lease that its worker renews; a worker
/// that dies (kill -9, lost machine) lets its lease run out and the job is taken again. A job's results are written in
/// the same transaction that marks it done, so a job is either wholly done or not at all.
/// </summary>
public sealed class SolarJobQueue(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// How long a taken job stays with its worker without a renewal: 60 s, or SMARTREGION_SOLAR_LEASE_S (1–3600) so that
    /// the kill-and-restart tests need not wait a minute for a dead worker's jobs.
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("SMARTREGION_SOLAR_LEASE_S"), out var s) && s is >= 1 and <= 3600 ? s : 60);

    /// <summary>Jobs are retried this many times before they are marked failed.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Creates a run and its tile jobs for the current buildings of an area (a commune code, or a Lambert-93 box).</summary>
    public async Task<long> CreateRunAsync(
        string modelVersion, string parametersJson, string areaJson, string? communeCode, double[]? bboxLambert93,
        long? stationId, double tileSizeM, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        long runId;
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO solar.run (model_version, parameters, area, station_id, tile_size_m, ingest_run_ids)
            VALUES (@v, @p::jsonb, @a::jsonb, @s, @t,
                    (SELECT coalesce(array_agg(DISTINCT ingest_run_id ORDER BY ingest_run_id), '{}') FROM region.building WHERE retired_run_id IS NULL))
            RETURNING id
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("v", modelVersion);
            cmd.Parameters.AddWithValue("p", parametersJson);
            cmd.Parameters.AddWithValue("a", areaJson);
            cmd.Parameters.AddWithValue("s", (object?)stationId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("t", tileSizeM);
            runId = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }
        // The area's buildings, by the tile of their footprint's point-on-surface (always inside the footprint).
        await using (var cmd = new NpgsqlCommand($"""
            WITH area AS (
                SELECT CASE WHEN @commune::text IS NOT NULL
                            THEN (SELECT geometry FROM region.boundary WHERE level IN ('commune', 'arrondissement') AND code = @commune LIMIT 1)
                            ELSE ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, {RegionSettings.Srid}) END AS g),
            pts AS (
                SELECT b.id, ST_PointOnSurface(b.footprint) AS p
                FROM region.building b, area
                WHERE b.retired_run_id IS NULL AND (area.g IS NULL OR (b.footprint && area.g AND ST_Intersects(ST_PointOnSurface(b.footprint), area.g)))),
            cells AS (
                SELECT floor(ST_X(p) / @t)::bigint AS col, floor(ST_Y(p) / @t)::bigint AS row, count(*) AS n, array_agg(id ORDER BY id) AS ids
                FROM pts GROUP BY 1, 2)
            INSERT INTO solar.job (run_id, tile_key, tile, building_count, building_ids)
            SELECT @run, col || '_' || row, ST_MakeEnvelope(col * @t, row * @t, (col + 1) * @t, (row + 1) * @t, {RegionSettings.Srid}), n, ids FROM cells
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("commune", (object?)communeCode ?? DBNull.Value);
            cmd.Parameters.AddWithValue("minx", bboxLambert93?[0] ?? 0);
            cmd.Parameters.AddWithValue("miny", bboxLambert93?[1] ?? 0);
            cmd.Parameters.AddWithValue("maxx", bboxLambert93?[2] ?? 0);
            cmd.Parameters.AddWithValue("maxy", bboxLambert93?[3] ?? 0);
            cmd.Parameters.AddWithValue("t", tileSizeM);
            cmd.Parameters.AddWithValue("run", runId);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var cmd = new NpgsqlCommand(
            "UPDATE solar.run SET building_count = (SELECT coalesce(sum(building_count), 0) FROM solar.job WHERE run_id = @run) WHERE id = @run", connection, tx))
        {
            cmd.Parameters.AddWithValue("run", runId);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return runId;
    }

    /// <summary>
    /// Takes the next pending job (or one whose lease ran out) of a running run; null when none is left. A job whose
    /// worker died holding it <see cref="MaxAttempts"/> times (a tile that kills its worker every time) is failed instead,
    /// with that reason, so that the rest of the queue goes on.
    /// </summary>
    public async Task<SolarJob?> ClaimAsync(long? runId, string worker, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE solar.job
               SET status = 'failed', lease_until = NULL, finished_at = now(),
                   error = format('the worker died %s times while computing this tile (last %s, whose lease ran out at %s): killed, out of memory or host lost',
                                  attempts, worker, to_char(lease_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
             WHERE id IN (SELECT q.id FROM solar.job q
                           WHERE (@run::bigint IS NULL OR q.run_id = @run) AND q.status = 'running' AND q.lease_until < now() AND q.attempts >= @max
                           FOR UPDATE SKIP LOCKED);
            UPDATE solar.job j
               SET status = 'running', worker = @w, attempts = j.attempts + 1, started_at = now(), lease_until = now() + @lease
             WHERE j.id = (
                   SELECT q.id FROM solar.job q JOIN solar.run r ON r.id = q.run_id AND r.status = 'running'
                    WHERE (@run::bigint IS NULL OR q.run_id = @run)
                      AND (q.status = 'pending' OR (q.status = 'running' AND q.lease_until < now() AND q.attempts < @max))
                    ORDER BY q.run_id, q.id
                    FOR UPDATE OF q SKIP LOCKED
                    LIMIT 1)
            RETURNING j.id, j.run_id, j.tile_key, ST_XMin(j.tile), ST_YMin(j.tile), ST_XMax(j.tile), ST_YMax(j.tile), j.attempts
            """);
        cmd.Parameters.AddWithValue("w", worker);
        cmd.Parameters.AddWithValue("lease", Lease);
        cmd.Parameters.AddWithValue("run", (object?)runId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("max", MaxAttempts);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new SolarJob(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetDouble(3), reader.GetDouble(4),
            reader.GetDouble(5), reader.GetDouble(6), reader.GetInt32(7));
    }

    /// <summary>Extends a job's lease; false when the job is no longer this worker's (it was taken again).</summary>
    public async Task<bool> RenewAsync(long jobId, string worker, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE solar.job SET lease_until = now() + @lease WHERE id = @id AND worker = @w AND status = 'running'");
        cmd.Parameters.AddWithValue("lease", Lease);
        cmd.Parameters.AddWithValue("id", jobId);
        cmd.Parameters.AddWithValue("w", worker);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Hands a job back untried (its worker is stopping): pending again, this attempt not counted.</summary>
    public async Task ReleaseAsync(long jobId, string worker, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE solar.job SET status = 'pending', attempts = greatest(attempts - 1, 0), worker = NULL, lease_until = NULL
             WHERE id = @id AND worker = @w AND status = 'running'
            """);
        cmd.Parameters.AddWithValue("id", jobId);
        cmd.Parameters.AddWithValue("w", worker);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a job's failure: back to pending for another try, or failed after <see cref="MaxAttempts"/>.</summary>
    public async Task FailAsync(long jobId, string worker, string error, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE solar.job SET status = CASE WHEN attempts >= @max THEN 'failed' ELSE 'pending' END,
                                 error = @e, lease_until = NULL, finished_at = now()
             WHERE id = @id AND worker = @w
            """);
        cmd.Parameters.AddWithValue("max", MaxAttempts);
        cmd.Parameters.AddWithValue("e", error);
        cmd.Parameters.AddWithValue("id", jobId);
        cmd.Parameters.AddWithValue("w", worker);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Marks the run complete (or failed) once no job is pending or running; returns the run's status.</summary>
    public async Task<string> TryFinishRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE solar.run r
               SET status = CASE WHEN EXISTS (SELECT 1 FROM solar.job WHERE run_id = r.id AND status = 'failed') THEN 'failed' ELSE 'complete' END,
                   finished_at = now(),
                   timings = jsonb_build_object(
                       'wallSeconds', extract(epoch FROM now() - r.created_at),
                       'jobSeconds', (SELECT sum(duration_s) FROM solar.job WHERE run_id = r.id),
                       'jobs', (SELECT count(*) FROM solar.job WHERE run_id = r.id),
                       'workers', (SELECT count(DISTINCT worker) FROM solar.job WHERE run_id = r.id))
             WHERE r.id = @run AND r.status = 'running'
               AND NOT EXISTS (SELECT 1 FROM solar.job WHERE run_id = r.id AND status IN ('pending', 'running'));
            SELECT status FROM solar.run WHERE id = @run;
            """);
        cmd.Parameters.AddWithValue("run", runId);
        return (string)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Counts of a run's jobs and buildings, for the progress bar.</summary>
    public async Task<SolarRunProgress> ProgressAsync(long runId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT r.status,
                   count(*) FILTER (WHERE j.status = 'pending'), count(*) FILTER (WHERE j.status = 'running'),
                   count(*) FILTER (WHERE j.status = 'done'), count(*) FILTER (WHERE j.status = 'failed'),
                   coalesce(sum(j.building_count) FILTER (WHERE j.status = 'done'), 0), r.building_count
            FROM solar.run r LEFT JOIN solar.job j ON j.run_id = r.id
            WHERE r.id = @run GROUP BY r.id
            """);
        cmd.Parameters.AddWithValue("run", runId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"solar run {runId} does not exist");
        }
        return new SolarRunProgress(reader.GetString(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3),
            (int)reader.GetInt64(4), (int)reader.GetInt64(5), reader.GetInt32(6));
    }
}
