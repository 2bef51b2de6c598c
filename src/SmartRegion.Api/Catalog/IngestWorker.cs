using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Ingest;

namespace SmartRegion.Api.Catalog;

/// <summary>Where uploads go and how big they may be (configuration section <c>Catalog</c>).</summary>
internal sealed class UploadSettings(IConfiguration configuration)
{
    public long MaxUploadBytes { get; } = configuration.GetValue("Catalog:MaxUploadBytes", 500L * 1024 * 1024);

    public string Directory { get; } = configuration["Catalog:UploadDirectory"] is { Length: > 0 } d
        ? d
        : Path.Combine(Path.GetTempPath(), "smartregion-uploads");

    public TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(configuration.GetValue("Catalog:WorkerPollSeconds", 2.0));

    public bool RunWorker { get; } = configuration.GetValue("Catalog:RunWorker", true);

    public IngestLimits Limits { get; } = new(
        MaxColumns: configuration.GetValue("Catalog:MaxColumns", 1_000),
        MaxFieldChars: configuration.GetValue("Catalog:MaxFieldChars", 1_000_000),
        MaxFeatureBytes: configuration.GetValue("Catalog:MaxFeatureBytes", 64 * 1024 * 1024));
}

/// <summary>Wakes the worker as soon as an upload is queued, so a job does not wait for the next poll.</summary>
internal sealed class IngestSignal
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
internal sealed class IngestWorker(NpgsqlDataSource dataSource, UploadSettings settings, IngestSignal signal, ILogger<IngestWorker> logger)
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
        var runner = new IngestRunner(dataSource, settings.Directory, settings.Limits);
        while (!stoppingToken.IsCancellationRequested)
        {
            ClaimedJob? job = null;
            try
            {
                job = await versions.ClaimJobAsync(_workerId, stoppingToken);
                if (job is null)
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                    continue;
                }
                var error = await runner.RunAsync(job, stoppingToken);
                await versions.FinishJobAsync(job.JobId, error, stoppingToken);
                logger.LogInformation("Ingest job {JobId} (version {VersionId}) {Outcome}", job.JobId, job.VersionId, error ?? "ready");
                if (await versions.GetAsync(job.VersionId, stoppingToken) is { } done && IngestRunner.UploadPath(settings.Directory, done) is { } path)
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
                }
                return;
            }
            catch (Exception e)
            {
                // An unexpected fault fails this job with a generic reason (details in the log), never the worker.
                logger.LogError(e, "Ingest job {JobId} crashed", job?.JobId);
                if (job is not null)
                {
                    await new VersionStore(dataSource).MarkFailedAsync(job.VersionId, "internal error while processing the file", null, CancellationToken.None);
                    await versions.FinishJobAsync(job.JobId, "internal error", CancellationToken.None);
                }
                else
                {
                    await Task.Delay(settings.PollInterval, stoppingToken);
                }
            }
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
