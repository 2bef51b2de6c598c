using Npgsql;
using SmartRegion.Data;

namespace SmartRegion.Api.Infrastructure;

/// <summary>
/// Registers the process's <see cref="NpgsqlDataSource"/> (the primary: every write and every read that must see a write) and
/// its <see cref="ReadDatabase"/> (a streaming replica when <c>SMARTREGION_DB_READ</c> is set), and migrates at start-up.
/// </summary>
internal static class DatabaseRegistration
{
    /// <summary>The environment variable (or configuration key) holding the read-only endpoints' connection string.</summary>
    public const string ReadConnectionStringVariable = "SMARTREGION_DB_READ";

    /// <summary>
    /// Statements each pooled connection of the API keeps prepared once run a few times (bench/api: the explore API's
    /// statements are planned once per connection, not per request).
    /// </summary>
    public const int MaxAutoPrepare = 128;

    public static IServiceCollection AddSmartRegionDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        string Primary() => configuration.GetConnectionString("SmartRegion")
            ?? configuration[SmartRegionDatabase.ConnectionStringVariable]
            ?? SmartRegionDatabase.ConnectionStringFromEnvironment();
        string? Read() => configuration.GetConnectionString("SmartRegionRead") ?? configuration[ReadConnectionStringVariable];
        services.AddSingleton(_ => SmartRegionDatabase.CreateDataSource(Primary(), "smartregion-api", MaxAutoPrepare));
        services.AddSingleton(sp =>
        {
            var read = Read();
            return string.IsNullOrWhiteSpace(read)
                ? new ReadDatabase(sp.GetRequiredService<NpgsqlDataSource>(), separate: false)
                : new ReadDatabase(SmartRegionDatabase.CreateDataSource(read, "smartregion-api-read", MaxAutoPrepare), separate: true);
        });
        services.AddSingleton(_ =>
        {
            var gate = SmartRegionDatabase.CreateDataSource(Primary(), "smartregion-api-stateless", MaxAutoPrepare, stateless: true);
            return new StatelessDatabase(gate, Read() is { } read && !string.IsNullOrWhiteSpace(read)
                ? SmartRegionDatabase.CreateDataSource(read, "smartregion-api-read-stateless", MaxAutoPrepare, stateless: true)
                : gate);
        });
        services.AddHostedService<MigrateOnStart>();
        services.AddSingleton(sp => new Catalog.GateCacheHost(configuration, sp.GetRequiredService<ILogger<Catalog.GateCacheHost>>(), Primary()));
        services.AddHostedService(sp => sp.GetRequiredService<Catalog.GateCacheHost>());
        return services;
    }

    /// <summary>The stateless pool of single read-only statements on the primary (the catalogue's gate, the explore API's queries).</summary>
    public static NpgsqlDataSource StatelessDataSource(this IServiceProvider services) => services.GetRequiredService<StatelessDatabase>().Primary;

    /// <summary>The stateless pool of single read-only statements where the read-only endpoints read (the solar reports).</summary>
    public static NpgsqlDataSource StatelessReadDataSource(this IServiceProvider services) => services.GetRequiredService<StatelessDatabase>().Read;

    /// <summary>The data source of the read-only endpoints (catalogue lists, records, solar reports, tiles, barometer, geocoding).</summary>
    public static NpgsqlDataSource ReadDataSource(this IServiceProvider services) => services.GetRequiredService<ReadDatabase>().DataSource;

    /// <summary>
    /// Applies migrations before the host serves. A database that is down does not stop the host (health reports 503
    /// until it is back); a database that cannot work (no PostGIS, an edited migration) does, with the reason.
    /// </summary>
    private sealed class MigrateOnStart(NpgsqlDataSource dataSource, IConfiguration configuration, ILogger<MigrateOnStart> logger)
        : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!configuration.GetValue("Database:MigrateOnStart", true))
            {
                return;
            }
            try
            {
                // An up-to-date schema needs nothing: the API's own role (property 13), which may not run DDL, starts on it.
                if (await Migrator.PendingAsync(dataSource, cancellationToken) is [])
                {
                    await Migrator.CheckStorageCrsAsync(dataSource, cancellationToken);
                    return;
                }
                var applied = await Migrator.MigrateAsync(dataSource, cancellationToken);
                logger.LogInformation("Database migrated: {Applied} new migration(s) of {Total}", applied.Count, Migrator.All.Count);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                logger.LogError("Migrations are pending and this host's database role may not apply them ({Reason}): run ./smartregion db migrate " +
                    "(the CLI, as the database's owner); /healthz reports them until then", e.MessageText);
            }
            catch (NpgsqlException e) when (e is not PostgresException)
            {
                logger.LogError("Database unreachable at start-up ({Reason}); /healthz reports 503 until it is back", e.Message);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>
/// Where read-only endpoints read: a streaming replica (its own pool, named <c>smartregion-api-read</c> in metrics and
/// <c>pg_stat_activity</c>) when <c>SMARTREGION_DB_READ</c> is set, else the primary's data source itself. Reads through it may
/// lag the primary by the replication delay (milliseconds on a healthy asynchronous replica): never use it for a read that
/// must see a write the same caller just made, nor for access decisions (grants, keys, sessions stay on the primary).
/// A multi-host string (<c>Host=replica,primary;Target Session Attributes=prefer-standby</c>) falls back to the primary when
/// the replica is down.
/// </summary>
internal sealed class ReadDatabase(NpgsqlDataSource dataSource, bool separate) : IAsyncDisposable
{
    /// <summary>The service key of read-side instances of stores that also write (<c>[FromKeyedServices(ReadDatabase.Key)]</c>).</summary>
    public const string Key = "read";

    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>True when reads go to their own connection string (a replica), false when they share the primary's pool.</summary>
    public bool Separate { get; } = separate;

    public ValueTask DisposeAsync() => Separate ? DataSource.DisposeAsync() : ValueTask.CompletedTask;
}

/// <summary>
/// Pools for the hot read paths' single statements, beside the primary's and the read database's
/// (<see cref="SmartRegionDatabase.CreateDataSource"/> with <c>stateless</c>): read-only sessions whose connections are not
/// reset when they go back to the pool. Only statements that leave no session state run on them — the catalogue's gate
/// (<c>DatasetStore.FindAsync</c>, <c>AccessAsync</c>), the explore, OGC and tile queries (<c>ExploreRecords</c>: one SELECT
/// compiled from ODSQL, whose functions are a closed list) and the solar reports' reads (<c>SolarResultQueries</c>).
/// <see cref="Primary"/> is on the primary (access decisions); <see cref="Read"/> where reads go (the same pool without a replica).
/// </summary>
internal sealed class StatelessDatabase(NpgsqlDataSource primary, NpgsqlDataSource read) : IAsyncDisposable
{
    public NpgsqlDataSource Primary { get; } = primary;

    public NpgsqlDataSource Read { get; } = read;

    public async ValueTask DisposeAsync()
    {
        if (!ReferenceEquals(Read, Primary))
        {
            await Read.DisposeAsync();
        }
        await Primary.DisposeAsync();
    }
}
