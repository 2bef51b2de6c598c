using Npgsql;
using SmartRegion.Data;

namespace SmartRegion.Testing;

/// <summary>
/// A database of a test class's own on the run database's server, migrated like a real one: for tests that need a table to
/// themselves (a region's first load into an empty table, a tileset that draws every building of its database). Dispose
/// it to close its connections and drop it.
/// </summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly TestDatabase _server;

    private ScratchDatabase(TestDatabase server, string connectionString, NpgsqlDataSource dataSource)
    {
        _server = server;
        ConnectionString = connectionString;
        DataSource = dataSource;
    }

    /// <summary>Its owner's connection string (migrations, the CLI, a scratch API host).</summary>
    public string ConnectionString { get; }

    /// <summary>One data source on it (<paramref name="applicationName"/> of <see cref="CreateAsync"/>).</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Creates an empty database on <paramref name="server"/>'s server and applies every migration.</summary>
    public static async Task<ScratchDatabase> CreateAsync(TestDatabase server, string applicationName, CancellationToken cancellationToken)
    {
        var connectionString = await server.CreateScratchDatabaseAsync(cancellationToken);
        NpgsqlDataSource? dataSource = null;
        try
        {
            dataSource = SmartRegionDatabase.CreateDataSource(connectionString, applicationName);
            await Migrator.MigrateAsync(dataSource, cancellationToken);
            return new ScratchDatabase(server, connectionString, dataSource);
        }
        catch
        {
            if (dataSource is not null)
            {
                await dataSource.DisposeAsync();
            }
            await server.DropScratchAsync(connectionString, CancellationToken.None);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await _server.DropScratchAsync(ConnectionString, CancellationToken.None);
    }
}
