using Npgsql;

namespace SmartRegion.Data;

/// <summary>What the health endpoints and <c>db info</c> report about the database.</summary>
/// <param name="MigrationsPending">Migrations this build knows that the database has not applied (the host is not ready until none is).</param>
public sealed record DatabaseHealth(
    bool Reachable, string? PostgresVersion, string? PostgisVersion, int MigrationsApplied, IReadOnlyList<string> MigrationsPending,
    string? Error, bool InRecovery = false)
{
    /// <summary>The database answers, has PostGIS and every migration this build knows.</summary>
    public bool Ready => Reachable && PostgisVersion is not null && MigrationsPending.Count == 0;
}

/// <summary>Reachability, versions and migration state of the database, answered quickly or not at all.</summary>
public static class HealthQueries
{
    /// <summary>Checks the database within the caller's deadline; never throws for a database fault.</summary>
    public static async Task<DatabaseHealth> CheckAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            string postgres;
            string? postgis;
            bool hasMigrationTable, inRecovery;
            await using (var cmd = new NpgsqlCommand("""
                SELECT current_setting('server_version'),
                       (SELECT extversion FROM pg_extension WHERE extname = 'postgis'),
                       to_regclass('public.schema_migration') IS NOT NULL,
                       pg_is_in_recovery()
                """, connection))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                postgres = reader.GetString(0);
                postgis = reader.IsDBNull(1) ? null : reader.GetString(1);
                hasMigrationTable = reader.GetBoolean(2);
                inRecovery = reader.GetBoolean(3);
            }
            var known = Migrator.All.Select(m => m.Id).ToArray();
            if (!hasMigrationTable)
            {
                return new DatabaseHealth(true, postgres, postgis, 0, known, null, inRecovery);
            }
            // Migrations a newer build applied are not this build's concern (a rolling upgrade runs both for a while).
            await using (var cmd = new NpgsqlCommand("""
                SELECT (SELECT count(*)::int FROM public.schema_migration),
                       coalesce((SELECT array_agg(k ORDER BY k) FROM unnest(@known::text[]) k
                                 WHERE NOT EXISTS (SELECT 1 FROM public.schema_migration m WHERE m.id = k)), '{}')
                """, connection))
            {
                cmd.Parameters.AddWithValue("known", known);
                await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                return new DatabaseHealth(true, postgres, postgis, reader.GetInt32(0), reader.GetFieldValue<string[]>(1), null, inRecovery);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // The message names the cause (refused, timeout, auth) without the connection string.
            var reason = e is OperationCanceledException ? "timed out" : e.Message;
            return new DatabaseHealth(false, null, null, 0, [], reason);
        }
    }

    /// <summary>
    /// Whether the server is a streaming replica and how far its replay is: <c>ReplayCaughtUp</c> when it has replayed all the
    /// WAL it received, <c>LastReplayAgeSeconds</c> since the last transaction it replayed committed on the primary (grows
    /// while the primary is idle too: a lag bound only while the primary writes). Throws for a database fault.
    /// </summary>
    public static async Task<ReplicationState> ReplicationAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("""
            SELECT pg_is_in_recovery(),
                   pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(),
                   extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var inRecovery = reader.GetBoolean(0);
        return new ReplicationState(inRecovery, inRecovery ? reader.GetBoolean(1) : null, reader.IsDBNull(2) ? null : reader.GetDouble(2));
    }
}

/// <summary>A server's replication state (see <see cref="HealthQueries.ReplicationAsync"/>).</summary>
public sealed record ReplicationState(bool InRecovery, bool? ReplayCaughtUp, double? LastReplayAgeSeconds);
