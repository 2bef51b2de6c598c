using System.Globalization;
using SmartRegion.Data;
using SmartRegion.Data.Tiles3d;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>tiles build</c>: the region's buildings as 3D Tiles, from their latest complete solar results.</summary>
internal static class TilesCommands
{
    public const string Usage = """
        tiles build [--max-per-tile 500] [--geoid-undulation 44.6] [--parallel N] [--if-stale]
                                        the buildings' 3D Tiles (GLB, tileset.json) from the latest solar results, stored in the
                                        database and served at /api/v1/3dtiles/buildings/tileset.json; --if-stale: only when a
                                        solar run completed since the served tileset was built (waits
                                        for a build already running, then checks again)
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] != "build")
        {
            throw new CliUsageException(args.Length == 0 ? "tiles needs a subcommand: build" : $"unknown tiles subcommand '{args[0]}'");
        }
        var options = CliArgs.Parse(args[1..], "if-stale");
        var defaults = new TilesetBuildOptions();
        var build = defaults with
        {
            MaxBuildingsPerTile = options.Int("max-per-tile", 1, 65535 / 8) ?? defaults.MaxBuildingsPerTile,
            GeoidUndulationM = options.Double("geoid-undulation", -120, 120) ?? defaults.GeoidUndulationM,
            Parallelism = options.Int("parallel", 1, 64) ?? defaults.Parallelism,
        };
        var ifStale = options.Flag("if-stale");
        options.RejectUnknown();
        if (options.Positionals.Count > 0)
        {
            throw new CliUsageException($"unexpected argument '{options.Positionals[0]}'");
        }

        await using var dataSource = SmartRegionDatabase.CreateDataSource(SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-tiles");
        var store = new Tiles3dStore(dataSource);
        if (ifStale && await UpToDateAsync(store, cancellationToken))
        {
            return 0;
        }
        TilesetBuildResult? result = null;
        var upToDate = false;
        var progress = new ProgressLine("tiles");
        // With --if-stale a build already running (a web host rebuilding after the same solar run) is waited for, then
        // the tileset is checked again: most often that build was the one wanted.
        var ran = await store.WithBuildLockAsync(async () =>
        {
            if (ifStale && await UpToDateAsync(store, cancellationToken))
            {
                upToDate = true;
                return;
            }
            try
            {
                result = await new TilesetBuilder(store).BuildAsync(build,
                    new Progress<(int Done, int Total)>(p => progress.Report(p.Done, p.Total, "buildings")), cancellationToken);
            }
            catch (TilesetBuildException e)
            {
                throw new CliFailureException(e.Message);
            }
            finally
            {
                progress.Done();
            }
        }, cancellationToken, wait: ifStale);
        if (upToDate)
        {
            return 0;
        }
        if (!ran)
        {
            throw new CliFailureException("another tiles build is running on this database (a web host or another CLI); try again when it ends");
        }
        var r = result!;
        var perBuilding = r.BuildingCount > 0 ? r.ContentBytes / r.BuildingCount : 0;
        var rate = r.BuildingCount / Math.Max(r.Elapsed.TotalSeconds, 1e-3);
        var run = r.SourceRunId?.ToString(CultureInfo.InvariantCulture) ?? "none";
        var left = r.SkippedBuildings > 0 ? FormattableString.Invariant($"; {r.SkippedBuildings:N0} buildings without a drawable footprint left out") : "";
        if (r.GroundAssumed > 0)
        {
            left += FormattableString.Invariant($"; {r.GroundAssumed:N0} buildings without a ground altitude stood on the region's median ground ({r.MedianGroundM:F1} m)");
        }
        Console.Error.WriteLine(FormattableString.Invariant(
            $"tiles: tileset {r.TilesetId} ready: {r.BuildingCount:N0} buildings in {r.TileCount:N0} tiles, {r.ContentBytes / 1e6:F1} MB ({perBuilding:N0} bytes/building), {r.Elapsed.TotalSeconds:F1} s, {rate:N0} buildings/s; solar run {run}{left}"));
        return 0;
    }

    private static async Task<bool> UpToDateAsync(Tiles3dStore store, CancellationToken cancellationToken)
    {
        var current = await store.GetCurrentTilesetAsync(cancellationToken);
        var latest = await store.LatestServedRunIdAsync(cancellationToken);
        if (current is null || current.SourceRunId != latest)
        {
            return false;
        }
        Console.Error.WriteLine($"tiles: tileset {current.Id} is up to date (solar run {latest?.ToString(CultureInfo.InvariantCulture) ?? "none"})");
        return true;
    }
}
