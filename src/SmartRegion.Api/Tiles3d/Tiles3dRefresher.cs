using SmartRegion.Data.Tiles3d;

namespace SmartRegion.Api.Tiles3d;

/// <summary>
/// Rebuilds the buildings' 3D tiles when the newest served solar run is not the served tileset's (or none is served):
/// it looks every <c>Tiles3d:RefreshSeconds</c> (30 s), and builds under the cluster-wide build lock, so that several hosts
/// (or a host and <c>./smartregion tiles build</c>) never build at once. The served tileset changes only when a build is complete.
/// </summary>
internal sealed class Tiles3dRefresher(Tiles3dStore store, TilesetBuilder builder, Tiles3dSettings settings, ILogger<Tiles3dRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.AutoBuild)
        {
            return;
        }
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshOnceAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TilesetBuildException or InvalidOperationException or TimeoutException)
            {
                failures++;
                logger.LogWarning("3D tiles refresh failed ({Failures} in a row): {Message}", failures, e.Message);
            }
            // Back off after failures (a database down, a bad building) up to 10 intervals.
            await Task.Delay(settings.RefreshInterval * Math.Min(1 + failures, 10), stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    /// <summary>Builds when stale; returns whether a build ran.</summary>
    public async Task<bool> RefreshOnceAsync(CancellationToken cancellationToken)
    {
        var latest = await store.LatestServedRunIdAsync(cancellationToken);
        var current = await store.GetCurrentTilesetAsync(cancellationToken);
        if (latest is null || (current is not null && current.SourceRunId >= latest))
        {
            return false;
        }
        var built = false;
        await store.WithBuildLockAsync(async () =>
        {
            // Checked again under the lock: another host may just have built it.
            current = await store.GetCurrentTilesetAsync(cancellationToken);
            if (current is not null && current.SourceRunId >= latest)
            {
                return;
            }
            logger.LogInformation("Building 3D tiles for solar run {RunId}", latest);
            var result = await builder.BuildAsync(settings.Build, null, cancellationToken);
            logger.LogInformation("3D tileset {TilesetId} ready: {Buildings} buildings, {Tiles} tiles, {Bytes} bytes, {Seconds:F1} s",
                result.TilesetId, result.BuildingCount, result.TileCount, result.ContentBytes, result.Elapsed.TotalSeconds);
            built = true;
        }, cancellationToken);
        return built;
    }
}
