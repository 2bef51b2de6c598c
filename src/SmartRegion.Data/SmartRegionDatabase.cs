using Npgsql;

namespace SmartRegion.Data;

/// <summary>Where the platform's database is and how to open it: one <see cref="NpgsqlDataSource"/> per process.</summary>
public static class SmartRegionDatabase
{
    /// <summary>The environment variable holding the Npgsql connection string.</summary>
    public const string ConnectionStringVariable = "SMARTREGION_DB";

    /// <summary>The connection string from <c>SMARTREGION_DB</c>, or a clear error telling how to get one.</summary>
    public static string ConnectionStringFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new DatabaseSetupException(
                $"{ConnectionStringVariable} is not set. Run through ./smartregion (it starts a private PostGIS cluster " +
                $"and sets it), or set {ConnectionStringVariable} to an Npgsql connection string.");
        }
        return value;
    }

    /// <summary>
    /// Builds the process-wide data source; the application name shows in pg_stat_activity. With
    /// <paramref name="maxAutoPrepare"/> (the API's read paths), a statement a pooled connection has run a few times is
    /// prepared on it (Npgsql's automatic preparation), unless the connection string says otherwise (Max Auto Prepare=0
    /// turns it off): the explore API, OGC and tiles compile each request's statement to the same text for the same query
    /// shape, and PostgreSQL then plans it once per connection instead of on every request.
    /// <paramref name="stateless"/> makes a pool for single read-only statements (see <see cref="StatelessOptions"/>).
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, string applicationName, int maxAutoPrepare = 0, bool stateless = false)
    {
        NpgsqlConnectionStringBuilder csb;
        try
        {
            csb = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new DatabaseSetupException($"{ConnectionStringVariable} is not a valid Npgsql connection string: {e.Message}");
        }
        if (string.IsNullOrEmpty(csb.ApplicationName))
        {
            csb.ApplicationName = applicationName;
        }
        if (maxAutoPrepare > 0 && !Names(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            csb.MaxAutoPrepare = maxAutoPrepare;
        }
        if (stateless)
        {
            // Named apart from the process's other pool in pg_stat_activity, even when the string names the application.
            if (csb.ApplicationName != applicationName)
            {
                csb.ApplicationName += "-stateless";
            }
            csb.NoResetOnClose = true;
            csb.Options = string.IsNullOrWhiteSpace(csb.Options) ? StatelessOptions : $"{csb.Options} {StatelessOptions}";
        }
        // The name labels the pool in Npgsql's metrics (db.client.connection.pool.name) instead of the connection string.
        return new NpgsqlDataSourceBuilder(csb.ConnectionString) { Name = applicationName }.Build();
    }

    /// <summary>
    /// The server options of a stateless pool: its sessions are read-only. Such a pool does not reset a connection when it
    /// goes back (Npgsql's <c>No Reset On Close</c>: no <c>CLOSE ALL; RESET ALL; UNLISTEN *; pg_advisory_unlock_all();
    /// DISCARD …</c> before the next statement, which bench/api measured at 0.13 ms of PostgreSQL's CPU a request of the
    /// record-by-id API, a third of it), so only statements that leave no session state may run on it: single SELECTs
    /// (no SET, no LISTEN, no session advisory lock, no cursor WITH HOLD). Read-only sessions also refuse temporary tables
    /// and every write, so a statement that tried one fails instead of leaving it behind.
    /// </summary>
    public const string StatelessOptions = "-c default_transaction_read_only=on";

    /// <summary>Whether the connection string itself sets one of <paramref name="keys"/> (the builder reports defaults too).</summary>
    private static bool Names(string connectionString, params string[] keys)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return keys.Any(given.ContainsKey);
    }

    /// <summary>
    /// Opens one connection and gives it back to the pool, so that the next open is immediate: started before work that does not
    /// need the database yet (reading a file's first feature), it takes the connection's set-up (authentication, the server's
    /// types) off a short command's critical path. Never throws: the next open meets the same problem and reports it.
    /// </summary>
    public static async Task WarmUpAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException or TimeoutException)
        {
            // Reported by the open that needs the connection.
        }
    }

    /// <summary>Host, port and database of a connection string, never its password (for messages and logs).</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var csb = new NpgsqlConnectionStringBuilder(connectionString);
            // A multi-host string names each host with its port already (host1:5433,host2).
            return csb.Host?.Contains(',') == true ? $"{csb.Host}/{csb.Database}" : $"{csb.Host}:{csb.Port}/{csb.Database}";
        }
        catch (ArgumentException)
        {
            return "(unparseable connection string)";
        }
    }
}

/// <summary>The database cannot be used as configured (missing extension, bad connection string, changed migration).</summary>
public sealed class DatabaseSetupException(string message, Exception? inner = null) : Exception(message, inner);
