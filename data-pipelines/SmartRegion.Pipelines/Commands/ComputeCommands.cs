using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data;
using SmartRegion.Data.Solar;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;
using SmartRegion.Pipelines.Cli;
using SmartRegion.Rooftop;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>compute solar</c> (create or resume a run and work on it) and <c>worker</c> (help any running run).</summary>
internal static class ComputeCommands
{
    public const string Usage = """
        compute solar [--commune CODE | --bbox minLon,minLat,maxLon,maxLat] [--workers N] [--tile-size M]
                      [--config FILE] [--station-max-km 100 (weather.stationMaxKm)] [--station NAME] [--new]
                          compute the rooftop solar potential of an area's buildings (resumes an unfinished identical run)
        worker [--run ID] [--workers N] [--exit-when-idle]
                          take tile jobs of running solar runs (any machine sharing the database)
        """;

    public const double DefaultTileSizeM = 500;

    /// <summary>Half the Earth's circumference: the station search's "anywhere".</summary>
    private const double AnyDistanceKm = 20_040;

    public static async Task<int> RunComputeAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.FirstOrDefault() != "solar")
        {
            throw new CliUsageException("compute needs a subject: compute solar …");
        }
        var a = CliArgs.Parse(args.Skip(1), "new");
        var commune = a.String("commune");
        var bboxText = a.String("bbox");
        var workers = a.Int("workers", 1, 64) ?? Environment.ProcessorCount;
        var tileSize = a.Double("tile-size", 50, 5000) ?? DefaultTileSizeM;
        var configPath = a.String("config");
        var stationMaxKm = a.Double("station-max-km", 1, 20_000);
        var stationName = a.String("station");
        var forceNew = a.Flag("new");
        a.RejectUnknown();
        if (commune is not null && bboxText is not null)
        {
            throw new CliUsageException("give --commune or --bbox, not both");
        }
        double[]? bboxWgs84 = null;
        if (bboxText is not null)
        {
            bboxWgs84 = ParseBbox(bboxText);
        }

        var parameters = SolarParameters.Load(SolarParameters.DefaultsPath, configPath);
        if (stationMaxKm is { } maxKm)
        {
            parameters = parameters.WithStationMaxKm(maxKm);
        }
        var connectionString = SmartRegionDatabase.ConnectionStringFromEnvironment();
        await using var dataSource = SmartRegionDatabase.CreateDataSource(connectionString, "smartregion-compute");
        var queue = new SolarJobQueue(dataSource);
        var runs = new SolarRunStore(dataSource);

        // The area's centre picks the weather station; the area itself decides the run's buildings.
        var (centreLat, centreLon, bboxLambert93) = await AreaAsync(runs, commune, bboxWgs84, cancellationToken);
        var stations = new WeatherStationQueries(dataSource);
        // The nearest station at any distance: buildings farther than weather.stationMaxKm from it are skipped one by one
        // with their reason (TileComputer), so that a run over an area without a station still reports every building.
        var station = await stations.NearestAsync(centreLat, centreLon, AnyDistanceKm, cancellationToken, stationName)
            ?? throw new CliFailureException(
                $"no weather station{(stationName is null ? "" : $" named '{stationName}'")} is loaded; load one with ./smartregion ingest weather FILE");
        if (station.DistanceKm > parameters.StationMaxKm)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Warning: no weather station within {parameters.StationMaxKm:0.#} km of the area's centre (the nearest, '{station.Name}', is {station.DistanceKm:0} km away): buildings farther than that are skipped."));
        }
        var areaJson = commune is not null
            ? JsonSerializer.Serialize(new { commune })
            : bboxWgs84 is not null ? JsonSerializer.Serialize(new { bboxWgs84 }) : JsonSerializer.Serialize(new { all = true });

        var runId = forceNew ? null : await runs.FindResumableRunAsync(areaJson, parameters.DocumentJson, station.Id, cancellationToken);
        if (runId is { } resumed)
        {
            Console.Error.WriteLine($"Resuming solar run {resumed} (same area, parameters and station; --new starts over).");
        }
        else
        {
            runId = await queue.CreateRunAsync(ModelVersion(), parameters.DocumentJson, areaJson, commune, bboxLambert93, station.Id, tileSize, cancellationToken);
            Console.Error.WriteLine($"Solar run {runId}: weather station '{station.Name}' ({station.DistanceKm:F1} km away).");
        }

        var stats = await WorkAsync(dataSource, runId.Value, workers, parameters, station, cancellationToken);
        var status = await TransientDatabase.RetryAsync(ct => queue.TryFinishRunAsync(runId.Value, ct), "finish the run", cancellationToken);
        await TransientDatabase.RetryAsync(ct => SolarDatasetPublishing.PublishIfCompleteAsync(dataSource, runId.Value, status, ct), "publish the solar dataset", cancellationToken);
        var progress = await TransientDatabase.RetryAsync(ct => queue.ProgressAsync(runId.Value, ct), "read progress", cancellationToken);
        CliJson.Write(new
        {
            runId,
            status,
            buildings = progress.BuildingsTotal,
            buildingsOk = stats.Ok,
            buildingsSkipped = stats.Skipped,
            buildingsFailed = stats.Failed,
            jobsFailed = progress.Failed,
            faces = stats.Faces,
            samples = stats.Samples,
            workers,
            durationS = Math.Round(stats.Seconds, 2),
            buildingsPerS = stats.Seconds > 0 ? Math.Round((stats.Ok + stats.Skipped + stats.Failed) / stats.Seconds, 1) : 0,
            facesPerS = stats.Seconds > 0 ? Math.Round(stats.Faces / stats.Seconds, 1) : 0,
            samplesPerS = stats.Seconds > 0 ? Math.Round(stats.Samples / stats.Seconds, 1) : 0,
            workerSeconds = new
            {
                load = Math.Round(stats.LoadTicks / (double)Stopwatch.Frequency, 2),
                compute = Math.Round(stats.ComputeTicks / (double)Stopwatch.Frequency, 2),
                store = Math.Round(stats.StoreTicks / (double)Stopwatch.Frequency, 2),
                computePhases = stats.Phases.Seconds(),
            },
            // The process's garbage collector over the run (why a second worker adds less than a first: bench/solar-compute).
            gc = new
            {
                collections = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) },
                pauseS = Math.Round(GC.GetTotalPauseDuration().TotalSeconds, 2),
                allocatedGb = Math.Round(GC.GetTotalAllocatedBytes() / 1e9, 2),
            },
        });
        return status == "complete" ? 0 : 1;
    }

    public static async Task<int> RunWorkerAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = CliArgs.Parse(args, "exit-when-idle");
        var run = a.Int("run", 1);
        var workers = a.Int("workers", 1, 64) ?? Environment.ProcessorCount;
        var exitWhenIdle = a.Flag("exit-when-idle");
        a.RejectUnknown();
        var connectionString = SmartRegionDatabase.ConnectionStringFromEnvironment();
        await using var dataSource = SmartRegionDatabase.CreateDataSource(connectionString, "smartregion-worker");
        var queue = new SolarJobQueue(dataSource);
        var runs = new SolarRunStore(dataSource);
        while (!cancellationToken.IsCancellationRequested)
        {
            // An idle worker outlives a database restart too: it waits for the server rather than exit.
            var target = run ?? await TransientDatabase.RetryAsync(ct => runs.NextRunningRunAsync(ct), "look for a run", cancellationToken);
            if (target is null)
            {
                if (exitWhenIdle)
                {
                    Console.Error.WriteLine("No running solar run: nothing to do.");
                    return 0;
                }
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                continue;
            }
            var (parameters, station) = await TransientDatabase.RetryAsync(ct => RunSettingsAsync(runs, target.Value, ct), "read the run", cancellationToken);
            await WorkAsync(dataSource, target.Value, workers, parameters, station, cancellationToken);
            var status = await TransientDatabase.RetryAsync(ct => queue.TryFinishRunAsync(target.Value, ct), "finish the run", cancellationToken);
            await TransientDatabase.RetryAsync(ct => SolarDatasetPublishing.PublishIfCompleteAsync(dataSource, target.Value, status, ct), "publish the solar dataset", cancellationToken);
            if (run is not null || exitWhenIdle)
            {
                return 0;
            }
        }
        return 130;
    }

    private sealed class Stats
    {
        public int Ok;
        public int Skipped;
        public int Failed;
        public long Faces;
        public long Samples;
        public double Seconds;
        public long LoadTicks;
        public long ComputeTicks;
        public long StoreTicks;
        public TilePhaseTimes Phases { get; } = new();
    }

    /// <summary>Runs <paramref name="workers"/> in-process workers on one run until no job is left, with a progress line.</summary>
    private static async Task<Stats> WorkAsync(
        NpgsqlDataSource dataSource, long runId, int workers, SolarParameters parameters, WeatherStation station,
        CancellationToken cancellationToken)
    {
        var context = await new SolarRunStore(dataSource).ContextAsync(runId, parameters, station, cancellationToken);
        var queue = new SolarJobQueue(dataSource);
        var store = new SolarTileStore(dataSource);
        var stats = new Stats();
        var clock = Stopwatch.StartNew();
        var workerPrefix = $"{Environment.MachineName}:{Environment.ProcessId}";

        using var stopProgress = new CancellationTokenSource();
        var progress = new ProgressLine("solar");
        var monitor = Task.Run(async () =>
        {
            while (!stopProgress.IsCancellationRequested)
            {
                try
                {
                    var p = await queue.ProgressAsync(runId, CancellationToken.None);
                    progress.Report(p.BuildingsDone, p.BuildingsTotal, "buildings", $"[{p.Done}/{p.Pending + p.Running + p.Done + p.Failed} tiles]");
                }
                catch (Exception e) when (TransientDatabase.IsTransient(e))
                {
                    // The database is restarting: the workers wait for it; the progress line just skips a beat.
                }
                try
                {
                    await Task.Delay(1000, stopProgress.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }, CancellationToken.None);

        // Each worker stores a tile while it computes the next one (one store in flight): the computing thread does not
        // wait for PostgreSQL. A tile's results and its job's completion are still one transaction.
        var tasks = Enumerable.Range(1, workers).Select(k => Task.Run(async () =>
        {
            var worker = $"{workerPrefix}:{k}";
            Task pendingStore = Task.CompletedTask;
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var job = await TransientDatabase.RetryAsync(ct => queue.ClaimAsync(runId, worker, ct), "take a job", cancellationToken);
                    if (job is null)
                    {
                        return;
                    }
                    var jobClock = Stopwatch.StartNew();
                    var leaseStop = new CancellationTokenSource();
                    var renewal = Task.Run(async () =>
                    {
                        while (!leaseStop.IsCancellationRequested)
                        {
                            try
                            {
                                await Task.Delay(SolarJobQueue.Lease / 3, leaseStop.Token);
                                await queue.RenewAsync(job.Id, worker, leaseStop.Token);
                            }
                            catch (OperationCanceledException)
                            {
                                return;
                            }
                            catch (Exception e) when (TransientDatabase.IsTransient(e))
                            {
                                // Renew at the next beat; if the database stays away past the lease, another worker may take the
                                // job, and this worker's CompleteAsync then writes nothing.
                            }
                        }
                    }, CancellationToken.None);
                    List<BuildingResult> results;
                    try
                    {
                        var t0 = Stopwatch.GetTimestamp();
                        var inputs = await TransientDatabase.RetryAsync(ct => store.LoadTileAsync(job.Id, parameters.HorizonRadiusM, ct), "load a tile", cancellationToken);
                        var t1 = Stopwatch.GetTimestamp();
                        results = TileComputer.Compute(inputs, context, stats.Phases);
                        foreach (var failed in results.Where(r => r.Failure is not null))
                        {
                            // The published reason is the code computation_failed; the detail is for the operator.
                            var e = failed.Failure!;
                            Console.Error.WriteLine($"\nsolar: building {failed.BuildingId} failed (tile {job.TileKey}): {e.GetType().Name}: {e.Message} @ {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
                        }
                        Interlocked.Add(ref stats.LoadTicks, t1 - t0);
                        Interlocked.Add(ref stats.ComputeTicks, Stopwatch.GetTimestamp() - t1);
                    }
                    catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException && !cancellationToken.IsCancellationRequested)
                    {
                        await FailJobAsync(job, worker, e, leaseStop, renewal);
                        continue;
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // Stopping (Ctrl-C, SIGTERM): hand the tile back now rather than let its lease run out as a crash's would.
                        await StopRenewalAsync(leaseStop, renewal);
                        await ReleaseJobAsync(job, worker);
                        throw;
                    }
                    catch
                    {
                        await StopRenewalAsync(leaseStop, renewal);
                        throw;
                    }
                    await pendingStore;
                    pendingStore = StoreAsync(job, worker, results, jobClock, leaseStop, renewal);
                }
            }
            finally
            {
                await pendingStore;
            }
        }, cancellationToken)).ToList();

        // One transaction: a try cut by a restart left nothing behind, so it is simply made again.
        async Task StoreAsync(SolarJob job, string worker, List<BuildingResult> results, Stopwatch jobClock, CancellationTokenSource leaseStop, Task renewal)
        {
            try
            {
                var t0 = Stopwatch.GetTimestamp();
                var completed = await TransientDatabase.RetryAsync(
                    ct => store.CompleteAsync(job, worker, results, jobClock.Elapsed.TotalSeconds, ct), "store a tile", cancellationToken);
                Interlocked.Add(ref stats.StoreTicks, Stopwatch.GetTimestamp() - t0);
                if (completed)
                {
                    Interlocked.Add(ref stats.Ok, results.Count(r => r.Status == BuildingStatus.Ok));
                    Interlocked.Add(ref stats.Skipped, results.Count(r => r.Status == BuildingStatus.Skipped));
                    Interlocked.Add(ref stats.Failed, results.Count(r => r.Status == BuildingStatus.Failed));
                    Interlocked.Add(ref stats.Faces, results.Sum(r => r.Faces.Count));
                    Interlocked.Add(ref stats.Samples, results.Sum(r => r.Faces.Sum(f => (long)(f.SampleKwhPerM2?.Length ?? 0))));
                }
                await StopRenewalAsync(leaseStop, renewal);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException && !cancellationToken.IsCancellationRequested)
            {
                await FailJobAsync(job, worker, e, leaseStop, renewal);
            }
            catch
            {
                await StopRenewalAsync(leaseStop, renewal);
                throw;
            }
        }

        async Task FailJobAsync(SolarJob job, string worker, Exception e, CancellationTokenSource leaseStop, Task renewal)
        {
            try
            {
                await TransientDatabase.RetryAsync(ct => queue.FailAsync(job.Id, worker, $"{e.GetType().Name}: {e.Message}", ct), "record a failure", CancellationToken.None);
                Console.Error.WriteLine($"\nsolar: tile {job.TileKey} failed (attempt {job.Attempts}): {e.Message}");
            }
            finally
            {
                await StopRenewalAsync(leaseStop, renewal);
            }
        }

        async Task ReleaseJobAsync(SolarJob job, string worker)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await queue.ReleaseAsync(job.Id, worker, deadline.Token);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
            {
                // The database is away: the lease runs out and the tile is taken again (counted as an attempt).
            }
        }

        static async Task StopRenewalAsync(CancellationTokenSource leaseStop, Task renewal)
        {
            leaseStop.Cancel();
            await renewal;
            leaseStop.Dispose();
        }

        await Task.WhenAll(tasks);
        stats.Seconds = clock.Elapsed.TotalSeconds;
        stopProgress.Cancel();
        await monitor;
        var final = await TransientDatabase.RetryAsync(ct => queue.ProgressAsync(runId, ct), "read progress", CancellationToken.None);
        progress.Report(final.BuildingsDone, final.BuildingsTotal, "buildings", $"[{final.Done} tiles done, {final.Failed} failed]");
        progress.Done();
        return stats;
    }

    private static async Task<(double Lat, double Lon, double[]? BboxLambert93)> AreaAsync(
        SolarRunStore runs, string? commune, double[]? bboxWgs84, CancellationToken cancellationToken)
    {
        if (commune is not null)
        {
            var point = await runs.CommunePointAsync(commune, cancellationToken)
                ?? throw new CliFailureException($"--commune {commune}: no such commune boundary; load them with ./smartregion ingest boundaries FILE --level commune");
            return (point.LatitudeDeg, point.LongitudeDeg, null);
        }
        if (bboxWgs84 is not null)
        {
            return ((bboxWgs84[1] + bboxWgs84[3]) / 2, (bboxWgs84[0] + bboxWgs84[2]) / 2, await runs.BoxToLambert93Async(bboxWgs84, cancellationToken));
        }
        var extent = await runs.CurrentBuildingsExtentAsync(cancellationToken)
            ?? throw new CliFailureException("there are no buildings to compute; load them with ./smartregion ingest buildings FILE");
        return (extent.LatitudeDeg, extent.LongitudeDeg, extent.ExtentLambert93);
    }

    private static double[] ParseBbox(string text)
    {
        var parts = text.Split(',');
        var values = new double[4];
        if (parts.Length != 4 || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i])).All(ok => ok))
        {
            throw new CliUsageException($"--bbox: '{text}' is not minLon,minLat,maxLon,maxLat");
        }
        if (values[0] >= values[2] || values[1] >= values[3] || values[0] < -180 || values[2] > 180 || values[1] < -90 || values[3] > 90)
        {
            throw new CliUsageException($"--bbox: '{text}' must satisfy minLon < maxLon and minLat < maxLat, in WGS84 degrees");
        }
        // Buildings are stored in Lambert-93: only the part of the box where it is valid can hold any (and PostGIS cannot
        // project the rest); its centre picks the weather station.
        return KnownCrs.ClampToAreaOfUse(RegionSettings.Srid, values[0], values[1], values[2], values[3]) is { } box
            ? [box.MinLon, box.MinLat, box.MaxLon, box.MaxLat]
            : throw new CliFailureException($"--bbox: '{text}' lies outside Lambert-93's area of use (metropolitan France and its neighbours), where no building can be stored");
    }

    internal static async Task<(SolarParameters, WeatherStation)> RunSettingsAsync(SolarRunStore runs, long runId, CancellationToken cancellationToken) =>
        await runs.ParametersAsync(runId, cancellationToken) ?? throw new CliFailureException($"solar run {runId} does not exist or has no weather station");

    /// <summary>The version of the code that computes: set by ./smartregion from git describe, else the assembly's.</summary>
    internal static string ModelVersion() =>
        Environment.GetEnvironmentVariable("SMARTREGION_VERSION") is { Length: > 0 } v
            ? v
            : typeof(ComputeCommands).Assembly.GetName().Version?.ToString() ?? "unknown";
}
