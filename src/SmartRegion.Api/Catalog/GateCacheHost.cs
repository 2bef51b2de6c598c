using Npgsql;
using SmartRegion.Data;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// The host's <see cref="GateCache"/> (on by default; <c>Catalog:GateCache=false</c> asks PostgreSQL on every request) and its
/// listening connection, kept open on a data source of its own (one unpooled connection, named
/// <c>smartregion-api-gate-listener</c> in <c>pg_stat_activity</c>).
/// </summary>
internal sealed class GateCacheHost : BackgroundService
{
    private readonly NpgsqlDataSource? _listenerSource;
    private readonly ILogger<GateCacheHost> _logger;

    public GateCacheHost(IConfiguration configuration, ILogger<GateCacheHost> logger, string primaryConnectionString)
    {
        _logger = logger;
        if (!configuration.GetValue("Catalog:GateCache", true))
        {
            return;
        }
        var csb = new NpgsqlConnectionStringBuilder(primaryConnectionString)
        {
            ApplicationName = "smartregion-api-gate-listener",
            Pooling = false,
        };
        _listenerSource = new NpgsqlDataSourceBuilder(csb.ConnectionString) { Name = "smartregion-api-gate-listener" }.Build();
        Cache = new GateCache(_listenerSource);
    }

    /// <summary>The cache, or null when it is turned off.</summary>
    public GateCache? Cache { get; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Cache is null ? Task.CompletedTask
        : Cache.RunAsync(e => _logger.LogWarning("The catalogue gate's cache is bypassed until its listening connection is back: {Reason}", e.Message),
            stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Cache is not null)
        {
            await Cache.DisposeAsync();
        }
        if (_listenerSource is not null)
        {
            await _listenerSource.DisposeAsync();
        }
    }
}
