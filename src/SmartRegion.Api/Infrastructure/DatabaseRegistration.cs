using Npgsql;
using SmartRegion.Data;

namespace SmartRegion.Api.Infrastructure;

/// <summary>Registers the one <see cref="NpgsqlDataSource"/> of the process and migrates at start-up.</summary>
internal static class DatabaseRegistration
{
    public static IServiceCollection AddSmartRegionDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ =>
        {
            var connectionString = configuration.GetConnectionString("SmartRegion")
                ?? configuration[SmartRegionDatabase.ConnectionStringVariable]
                ?? SmartRegionDatabase.ConnectionStringFromEnvironment();
            return SmartRegionDatabase.CreateDataSource(connectionString, "smartregion-api");
        });
        services.AddHostedService<MigrateOnStart>();
        return services;
    }

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
                var applied = await Migrator.MigrateAsync(dataSource, cancellationToken);
                logger.LogInformation("Database migrated: {Applied} new migration(s) of {Total}", applied.Count, Migrator.All.Count);
            }
            catch (NpgsqlException e) when (e is not PostgresException)
            {
                logger.LogError("Database unreachable at start-up ({Reason}); /healthz reports 503 until it is back", e.Message);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
