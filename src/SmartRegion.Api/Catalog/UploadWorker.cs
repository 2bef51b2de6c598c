using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;

namespace SmartRegion.Api.Catalog;

/// <summary>Where uploads go and how big they may be (configuration section <c>Catalog</c>).</summary>
internal sealed class UploadSettings(IConfiguration configuration)
{
    public long MaxUploadBytes { get; } = configuration.GetValue("Catalog:MaxUploadBytes", 500L * 1024 * 1024);

    public string Directory { get; } = configuration["Catalog:UploadDirectory"] is { Length: > 0 } d
        ? d
        : UploadJobRunner.DefaultUploadDirectory;

    public TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(configuration.GetValue("Catalog:WorkerPollSeconds", 2.0));

    public bool RunWorker { get; } = configuration.GetValue("Catalog:RunWorker", true);

    /// <summary>How old a file left in the upload directory by an interrupted upload must be before it is swept (minutes).</summary>
    public double StaleUploadMinutes { get; } = configuration.GetValue("Catalog:StaleUploadMinutes", 60.0);

    /// <summary>How long a job stays this worker's without renewal; a dead worker's job is retried after it.</summary>
    public TimeSpan JobLease { get; } = TimeSpan.FromSeconds(Math.Max(3, configuration.GetValue("Catalog:JobLeaseSeconds", VersionStore.JobLease.TotalSeconds)));

    /// <summary>How many times a job's worker may die holding it before the job fails with that reason.</summary>
    public int MaxWorkerCrashes { get; } = Math.Max(1, configuration.GetValue("Catalog:MaxWorkerCrashes", VersionStore.MaxWorkerCrashes));

    public UploadLimits Limits { get; } = new(
        MaxColumns: configuration.GetValue("Catalog:MaxColumns", 1_000),
        MaxFieldChars: configuration.GetValue("Catalog:MaxFieldChars", 1_000_000),
        MaxFeatureBytes: configuration.GetValue("Catalog:MaxFeatureBytes", 64 * 1024 * 1024),
        JobTimeoutSeconds: configuration.GetValue("Catalog:JobTimeoutSeconds", 900.0),
        MaxReaderMemoryBytes: configuration.GetValue("Catalog:MaxReaderMemoryBytes", 512L * 1024 * 1024));
}

/// <summary>Wakes the worker as soon as an upload is queued, so a job does not wait for the next poll.</summary>
internal sealed class UploadSignal
{
    private readonly SemaphoreSlim _semaphore = new(0);

    public void Notify()
    {
        if (_semaphore.CurrentCount == 0)
        {
            _semaphore.Release();
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Takes ingestion jobs from <c>catalog.job</c> (FOR UPDATE SKIP LOCKED, so any number of hosts may run one) and
/// processes them one at a time. A job never leaves a half-loaded version: the load is one transaction.
/// </summary>
internal sealed class UploadWorker(NpgsqlDataSource dataSource, UploadSettings settings, UploadSignal signal, ServerFileRoots serverFiles,
    Operations.PlatformMetrics metrics, ILogger<UploadWorker> logger)
    : BackgroundService
{
    private readonly string _workerId = $"{Environment.MachineName}:{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.RunWorker)
        {
            return;
        }
        var versions = new VersionStore(dataSource);
        var runner = new UploadJobRunner(dataSource, settings.Directory, settings.Limits, serverFiles);
        var databaseAway = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            ClaimedJob? job = null;
            try
            {
                job = await versions.ClaimJobAsync(_workerId, stoppingToken, settings.JobLease, settings.MaxWorkerCrashes, serverFiles.Organisations);
                if (databaseAway)
                {
                    logger.LogInformation("Ingest worker: database back");
                    databaseAway = false;
                }
                if (job is null)
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                    continue;
                }
                // Every line logged while the job runs carries its id (the JSON logs' jobId field).
                using var jobScope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = job.JobId, ["VersionId"] = job.VersionId });
                logger.LogInformation("Ingest job {JobId} (version {VersionId}) taken by {Worker}", job.JobId, job.VersionId, _workerId);
                var jobClock = System.Diagnostics.Stopwatch.StartNew();
                string? error;
                using (var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    var renewal = RenewWhileRunningAsync(versions, job, lost);
                    try
                    {
                        error = await runner.RunAsync(job, lost.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // The lease was lost (this worker stalled past it): another worker owns the job now; drop ours.
                        logger.LogWarning("Ingest job {JobId}: lease lost, left to the worker that took it", job.JobId);
                        job = null;
                        continue;
                    }
                    finally
                    {
                        await lost.CancelAsync();
                        await renewal;
                    }
                }
                // The job's outcome is recorded even when the host is stopping: its load has committed (or failed), and a
                // job handed back now would be taken again for nothing.
                var finished = job;
                await versions.FinishJobAsync(finished.JobId, error, CancellationToken.None);
                job = null;
                metrics.IngestJobs.Add(1, new KeyValuePair<string, object?>("outcome", error is null ? "ready" : "failed"));
                logger.LogInformation("Ingest job {JobId} (version {VersionId}) {Outcome} in {DurationS} s", finished.JobId, finished.VersionId,
                    error is null ? "ready" : $"failed: {error}", Math.Round(jobClock.Elapsed.TotalSeconds, 2));
                if (await versions.GetAsync(finished.VersionId, stoppingToken) is { } done && UploadJobRunner.UploadPath(settings.Directory, done) is { } path)
                {
                    TryDelete(path);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (job is not null)
                {
                    // Shutting down mid-job: hand it back so another worker (or this one after a restart) takes it.
                    await versions.ReleaseJobAsync(job, CancellationToken.None);
                    logger.LogInformation("Ingest job {JobId} handed back to the queue: the host is stopping", job.JobId);
                    metrics.IngestJobs.Add(1, new KeyValuePair<string, object?>("outcome", "released"));
                }
                return;
            }
            catch (Exception e) when (job is null && e is NpgsqlException or TimeoutException)
            {
                // The database is away (restarting, unreachable): wait for it, saying so once per outage.
                if (!databaseAway)
                {
                    logger.LogWarning("Ingest worker: database unavailable ({Reason}); waiting for it", e.Message);
                    databaseAway = true;
                }
                await Task.Delay(settings.PollInterval, stoppingToken);
                continue;
            }
            catch (Exception e)
            {
                // An unexpected fault fails this job with a generic reason (details in the log), never the worker.
                logger.LogError(e, "Ingest job {JobId} crashed", job?.JobId);
                if (job is not null)
                {
                    await new VersionStore(dataSource).MarkFailedAsync(job.VersionId, "internal error while processing the file", null, CancellationToken.None);
                    await versions.FinishJobAsync(job.JobId, "internal error", CancellationToken.None);
                    metrics.IngestJobs.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
                }
                else
                {
                    await Task.Delay(settings.PollInterval, stoppingToken);
                }
            }
        }
    }

    /// <summary>Renews the job's lease every third of it until the run ends; cancels the run when the job was taken by another worker.</summary>
    private async Task RenewWhileRunningAsync(VersionStore versions, ClaimedJob job, CancellationTokenSource run)
    {
        try
        {
            while (true)
            {
                await Task.Delay(settings.JobLease / 3, run.Token);
                try
                {
                    if (!await versions.RenewJobAsync(job.JobId, _workerId, run.Token, settings.JobLease))
                    {
                        await run.CancelAsync();
                        return;
                    }
                }
                catch (NpgsqlException e)
                {
                    // A missed renewal is not fatal: the lease is three renewals long.
                    logger.LogWarning(e, "Ingest job {JobId}: lease renewal failed", job.JobId);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended (or the host is stopping): nothing to renew.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the operator; the version no longer needs it.
        }
    }
}
