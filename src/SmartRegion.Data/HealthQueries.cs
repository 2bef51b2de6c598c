using Npgsql;

namespace SmartRegion.Data;

/// <summary>What the health endpoint reports about the database.</summary>
public sealed record DatabaseHealth(bool Reachable, string? PostgresVersion, string? PostgisVersion, int MigrationsApplied, string? Error);

/// <summary>Reachability and versions of the database, answered quickly or not at all.</summary>
public static class HealthQueries
{
    /// <summary>Checks the database within the caller's deadline; never throws for a database fault.</summary>
    public static async Task<DatabaseHealth> CheckAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand("""
                SELECT current_setting('server_version'),
                       (SELECT extversion FROM pg_extension WHERE extname = 'postgis'),
                       CASE WHEN to_regclass('public.schema_migration') IS NULL THEN 0
                            ELSE (SELECT count(*)::int FROM public.schema_migration) END
                """, connection);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new DatabaseHealth(true, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2), null);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // The message names the cause (refused, timeout, auth) without the connection string.
            var reason = e is OperationCanceledException ? "timed out" : e.Message;
            return new DatabaseHealth(false, null, null, 0, reason);
        }
    }
}
