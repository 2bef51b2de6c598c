using Npgsql;
using NpgsqlTypes;

namespace SmartRegion.Data.RegionLoading;

/// <summary>What an ingest run is about, recorded before any row is loaded.</summary>
public sealed record IngestRunStart(string Kind, string Source, string FileName, long? FileSizeBytes, string? Format, int? SourceEpsg, string OptionsJson);

/// <summary>The counts a run ends with.</summary>
public sealed record IngestRunCounts(int Read, int Accepted, int Repaired, int Rejected, int Warnings, int Inserted, int Updated, int Unchanged, int Retired);

/// <summary>The <c>region.ingest_run</c> journal: every load is recorded, its outcome too, even when it fails.</summary>
public static class IngestRuns
{
    /// <summary>Records a new run as 'running' (committed at once, so it survives the load's rollback) and returns its id.</summary>
    public static async Task<long> StartAsync(NpgsqlDataSource dataSource, IngestRunStart run, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        // A 'running' run whose session is gone was killed (kill -9, power loss): say so instead of leaving it running.
        await using (var abandon = new NpgsqlCommand("""
            UPDATE region.ingest_run r SET status = 'abandoned', finished_at = now(),
                   error = 'the loading process stopped without finishing (killed?); nothing of this run was committed'
            WHERE r.status = 'running'
              AND ((r.backend_pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.backend_pid))
                   -- a run that never reached its load (no session recorded yet) is only given up after a long time
                   OR (r.backend_pid IS NULL AND r.started_at < now() - interval '1 hour'))
            """, conn))
        {
            await abandon.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO region.ingest_run (kind, source, file_name, file_size_bytes, format, source_epsg, options)
            VALUES (@kind, @source, @file, @size, @format, @epsg, @options)
            RETURNING id
            """, conn);
        cmd.Parameters.AddWithValue("kind", run.Kind);
        cmd.Parameters.AddWithValue("source", run.Source);
        cmd.Parameters.AddWithValue("file", run.FileName);
        cmd.Parameters.AddWithValue("size", NpgsqlDbType.Bigint, (object?)run.FileSizeBytes ?? DBNull.Value);
        cmd.Parameters.AddWithValue("format", NpgsqlDbType.Text, (object?)run.Format ?? DBNull.Value);
        cmd.Parameters.AddWithValue("epsg", NpgsqlDbType.Integer, (object?)run.SourceEpsg ?? DBNull.Value);
        cmd.Parameters.AddWithValue("options", NpgsqlDbType.Jsonb, run.OptionsJson);
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Closes a run with its outcome, inside <paramref name="transaction"/> when given (so success commits with the data).</summary>
    public static async Task FinishAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long runId, string status,
        IngestRunCounts counts, string? sha256, string? error, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE region.ingest_run SET status = @status, read_count = @read, accepted_count = @accepted,
                   repaired_count = @repaired, rejected_count = @rejected, warning_count = @warnings,
                   inserted_count = @inserted, updated_count = @updated, unchanged_count = @unchanged, retired_count = @retired,
                   file_sha256 = coalesce(@sha, file_sha256), error = @error, finished_at = clock_timestamp(),
                   duration_s = extract(epoch FROM clock_timestamp() - started_at)
            WHERE id = @id
            """, connection, transaction);
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("status", status);
        cmd.Parameters.AddWithValue("read", counts.Read);
        cmd.Parameters.AddWithValue("accepted", counts.Accepted);
        cmd.Parameters.AddWithValue("repaired", counts.Repaired);
        cmd.Parameters.AddWithValue("rejected", counts.Rejected);
        cmd.Parameters.AddWithValue("warnings", counts.Warnings);
        cmd.Parameters.AddWithValue("inserted", counts.Inserted);
        cmd.Parameters.AddWithValue("updated", counts.Updated);
        cmd.Parameters.AddWithValue("unchanged", counts.Unchanged);
        cmd.Parameters.AddWithValue("retired", counts.Retired);
        cmd.Parameters.AddWithValue("sha", NpgsqlDbType.Text, (object?)sha256 ?? DBNull.Value);
        cmd.Parameters.AddWithValue("error", NpgsqlDbType.Text, (object?)error ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Marks a run failed from a fresh connection (the load's own transaction is already rolled back).</summary>
    public static async Task FailAsync(NpgsqlDataSource dataSource, long runId, IngestRunCounts counts, string? sha256, string error)
    {
        await using var conn = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await FinishAsync(conn, null, runId, "failed", counts, sha256, error, CancellationToken.None);
    }
}
