using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SmartRegion.Data;

namespace SmartRegion.Api.Operations;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format, for operators only (<see cref="OperatorAccess"/>), from OpenTelemetry:
/// ASP.NET Core's own meters (requests per route with latency histograms and status codes, Kestrel connections, rate-limit
/// decisions), Npgsql's meter (pool use, operation time), the runtime's (GC, memory, threads) and the platform's
/// (<see cref="PlatformMetrics"/>: job queues, solar run progress, ingestion runs).
/// </summary>
internal static class Metrics
{
    public const string Path = "/metrics";

    public static IServiceCollection AddSmartRegionMetrics(this IServiceCollection services)
    {
        services.AddSingleton<PlatformMetrics>();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("smartregion-api", serviceVersion: typeof(Metrics).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "System.Runtime")
                .AddNpgsqlInstrumentation()
                .AddMeter(PlatformMetrics.MeterName)
                .AddPrometheusExporter());
        return services;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.UseWhen(ctx => ctx.Request.Path.Equals(Path, StringComparison.Ordinal), branch => branch.Use(async (ctx, next) =>
        {
            if (!ctx.RequestServices.GetRequiredService<OperatorAccess>().IsOperator(ctx))
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"smartregion-operations\"";
                await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Operators only",
                    detail: "Metrics are for operators: send the operator key as 'Authorization: Bearer <key>', or scrape from a network in Operations:AllowedNetworks.",
                    extensions: new Dictionary<string, object?> { ["code"] = "operator_only" }).ExecuteAsync(ctx);
                return;
            }
            await ctx.RequestServices.GetRequiredService<PlatformMetrics>().RefreshAsync(ctx.RequestAborted);
            await next(ctx);
        }));
        app.MapPrometheusScrapingEndpoint(Path);
        return app;
    }
}

/// <summary>
/// The platform's own instruments. Gauges come from a snapshot of the database (<see cref="OperationsQueries"/>) taken
/// when <c>/metrics</c> is scraped (at most every few seconds, bounded by a deadline); counters count this process's work.
/// Every API process reports the same database-wide gauges: aggregate them with <c>max</c>, not <c>sum</c>.
/// </summary>
internal sealed class PlatformMetrics : IDisposable
{
    public const string MeterName = "SmartRegion";

    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _dataSource;
    private readonly Infrastructure.ReadDatabase _read;
    private readonly ILogger<PlatformMetrics> _logger;
    private readonly Meter _meter;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private OperationsSnapshot? _snapshot;
    private bool? _databaseUp;
    private ReplicationState? _replication;
    private bool? _readUp;

    public PlatformMetrics(NpgsqlDataSource dataSource, Infrastructure.ReadDatabase read, IMeterFactory meterFactory, ILogger<PlatformMetrics> logger)
    {
        _dataSource = dataSource;
        _read = read;
        _logger = logger;
        _meter = meterFactory.Create(MeterName);
        IngestJobs = _meter.CreateCounter<long>("smartregion.catalog.ingest_jobs", "{job}",
            "Catalogue ingestion jobs this process finished, by outcome (ready, failed, released at shutdown)");
        _meter.CreateObservableGauge("smartregion.metrics.database_up",
            () => _databaseUp is { } up ? [new Measurement<int>(up ? 1 : 0)] : Array.Empty<Measurement<int>>(), "1",
            "1 when the last snapshot of the database's work (jobs, runs) could be read");
        _meter.CreateObservableGauge("smartregion.database.read_up",
            () => _readUp is { } up ? [new Measurement<int>(up ? 1 : 0)] : Array.Empty<Measurement<int>>(), "1",
            "With SMARTREGION_DB_READ set: 1 when the read database answered the last scrape, else 0 (reads then get 503 or fall back to the primary)");
        _meter.CreateObservableGauge("smartregion.database.replica_lag", () => ReplicaLag(), "s",
            "With a streaming replica as the read database: 0 when it has replayed all it received, else the age of the last " +
            "transaction it replayed (how stale its reads may be; alert above the lag readers tolerate, docs/operations.md)");
        _meter.CreateObservableGauge("smartregion.jobs", () => Measure(s => s.Queues.Select(q =>
                new Measurement<long>(q.Count, new("queue", q.Queue), new("status", q.Status)))), "{job}",
            "Jobs in the database by queue (catalog: uploads; solar: tiles of runs) and status (queued, running, done, failed)");
        _meter.CreateObservableGauge("smartregion.jobs.oldest_age", () => Measure(s => s.Queues.Where(q => q.Status is "queued" or "running").Select(q =>
                new Measurement<double>(q.OldestAgeS, new("queue", q.Queue), new("status", q.Status)))), "s",
            "Age of the oldest queued job (since it was queued) and of the oldest running one (since it was taken)");
        _meter.CreateObservableGauge("smartregion.solar.run.buildings", () => Measure(s => s.SolarRuns.SelectMany(r => new[]
            {
                new Measurement<long>(r.BuildingsDone, new("run_id", r.RunId), new("state", "done")),
                new Measurement<long>(r.BuildingsTotal, new("run_id", r.RunId), new("state", "total")),
            })), "{building}", "Buildings of each running solar run: computed so far and in all");
        _meter.CreateObservableGauge("smartregion.solar.run.progress", () => Measure(s => s.SolarRuns.Select(r =>
                new Measurement<double>(r.BuildingsTotal == 0 ? 0 : (double)r.BuildingsDone / r.BuildingsTotal, new KeyValuePair<string, object?>("run_id", r.RunId)))),
            "1", "Share of each running solar run's buildings computed (0 to 1)");
        _meter.CreateObservableGauge("smartregion.solar.run.jobs", () => Measure(s => s.SolarRuns.SelectMany(r => new[]
            {
                new Measurement<long>(r.JobsDone, new("run_id", r.RunId), new("state", "done")),
                new Measurement<long>(r.JobsFailed, new("run_id", r.RunId), new("state", "failed")),
                new Measurement<long>(r.JobsTotal, new("run_id", r.RunId), new("state", "total")),
            })), "{job}", "Tile jobs of each running solar run");
        _meter.CreateObservableGauge("smartregion.ingest.runs", () => Measure(s => s.IngestRuns.Select(r =>
                new Measurement<long>(r.Count, new("kind", r.Kind), new("status", r.Status)))), "{run}",
            "Region ingestion runs (buildings, addresses, boundaries, weather) by status");
        _meter.CreateObservableGauge("smartregion.ingest.last_finished", () => Measure(s => s.IngestRuns
                .Where(r => r.Status == "succeeded" && r.LastFinishedAt is not null)
                .Select(r => new Measurement<double>(r.LastFinishedAt!.Value.ToUnixTimeMilliseconds() / 1000.0, new KeyValuePair<string, object?>("kind", r.Kind)))),
            "s", "When the last successful ingestion run of each kind finished (Unix time)");
    }

    /// <summary>Catalogue ingestion jobs finished by this process, tagged <c>outcome</c>.</summary>
    public Counter<long> IngestJobs { get; }

    /// <summary>Takes a new snapshot unless the last one is recent; a database that does not answer in time leaves none.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (_snapshot is { } last && DateTimeOffset.UtcNow - last.TakenAt < MaxAge)
        {
            return;
        }
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_snapshot is { } again && DateTimeOffset.UtcNow - again.TakenAt < MaxAge)
            {
                return;
            }
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Deadline);
            try
            {
                _snapshot = await OperationsQueries.SnapshotAsync(_dataSource, deadline.Token);
                _databaseUp = true;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Stale numbers would mislead: report none, and say why in database_up.
                _logger.LogWarning("Metrics: the database's work could not be read ({Reason})", e.Message);
                _snapshot = null;
                _databaseUp = false;
            }
            if (_read.Separate)
            {
                await RefreshReplicationAsync(cancellationToken);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task RefreshReplicationAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            _replication = await HealthQueries.ReplicationAsync(_read.DataSource, deadline.Token);
            _readUp = true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.LogWarning("Metrics: the read database did not answer ({Reason})", e.Message);
            _replication = null;
            _readUp = false;
        }
    }

    /// <summary>
    /// The replica's lag: nothing to replay means 0, whatever the age of the last transaction (an idle primary sends none);
    /// otherwise the age of the last replayed transaction, an upper bound of the staleness of what a reader sees.
    /// </summary>
    private IEnumerable<Measurement<double>> ReplicaLag() => _replication switch
    {
        { InRecovery: true, ReplayCaughtUp: true } => [new Measurement<double>(0)],
        { InRecovery: true, LastReplayAgeSeconds: { } age } => [new Measurement<double>(Math.Max(0, age))],
        _ => [],
    };

    private IEnumerable<Measurement<T>> Measure<T>(Func<OperationsSnapshot, IEnumerable<Measurement<T>>> select)
        where T : struct =>
        _snapshot is { } s ? select(s) : [];

    public void Dispose()
    {
        _meter.Dispose();
        _refresh.Dispose();
    }
}
