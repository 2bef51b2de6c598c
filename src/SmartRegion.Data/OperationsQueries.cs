using Npgsql;

namespace SmartRegion.Data;

/// <summary>Jobs of one queue in one state: how many, and how long the oldest has waited (seconds, 0 when none).</summary>
public sealed record QueueState(string Queue, string Status, long Count, double OldestAgeS);

/// <summary>A running solar run's progress.</summary>
public sealed record SolarRunState(long RunId, long BuildingsTotal, long BuildingsDone, long JobsTotal, long JobsDone, long JobsFailed);

/// <summary>Region ingestion runs of one kind in one state.</summary>
public sealed record IngestRunState(string Kind, string Status, long Count, DateTimeOffset? LastFinishedAt);

/// <summary>What the platform's tables say about its work, for the operator's metrics.</summary>
public sealed record OperationsSnapshot(
    IReadOnlyList<QueueState> Queues, IReadOnlyList<SolarRunState> SolarRuns, IReadOnlyList<IngestRunState> IngestRuns, DateTimeOffset TakenAt);

/// <summary>The queries behind the operator's metrics: job queues, solar runs, region ingestion runs (one round trip).</summary>
public static class OperationsQueries
{
    /// <summary>Reads the snapshot; every count is bounded by an index or a small table (runs, not buildings).</summary>
    public static async Task<OperationsSnapshot> SnapshotAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        // Waiting jobs' age counts from their creation (catalogue) or their run's creation (solar: a job has no own
        // creation time); a running job's age from when it was taken.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT 'catalog', status, count(*),
                   coalesce(extract(epoch FROM now() - min(CASE WHEN status = 'running' THEN locked_at ELSE created_at END)), 0)::float8
              FROM catalog.job WHERE status IN ('queued', 'running') GROUP BY status
            UNION ALL
            SELECT 'catalog', status, count(*), 0 FROM catalog.job WHERE status IN ('done', 'failed') GROUP BY status
            UNION ALL
            SELECT 'solar', CASE j.status WHEN 'pending' THEN 'queued' ELSE j.status END, count(*),
                   coalesce(extract(epoch FROM now() - min(CASE WHEN j.status = 'running' THEN j.started_at ELSE r.created_at END)
                                                           FILTER (WHERE j.status IN ('pending', 'running'))), 0)::float8
              FROM solar.job j JOIN solar.run r ON r.id = j.run_id
             GROUP BY 2
            """));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT r.id, r.building_count,
                   coalesce(sum(j.building_count) FILTER (WHERE j.status = 'done'), 0),
                   count(j.id), count(j.id) FILTER (WHERE j.status = 'done'), count(j.id) FILTER (WHERE j.status = 'failed')
              FROM solar.run r LEFT JOIN solar.job j ON j.run_id = r.id
             WHERE r.status = 'running'
             GROUP BY r.id ORDER BY r.id
            """));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT kind, status, count(*), max(finished_at) FROM region.ingest_run GROUP BY kind, status
            """));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var queues = new List<QueueState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            queues.Add(new QueueState(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetDouble(3)));
        }
        await reader.NextResultAsync(cancellationToken);
        var runs = new List<SolarRunState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new SolarRunState(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }
        await reader.NextResultAsync(cancellationToken);
        var ingests = new List<IngestRunState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ingests.Add(new IngestRunState(reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return new OperationsSnapshot(queues, runs, ingests, DateTimeOffset.UtcNow);
    }
}
