using System.Collections.Concurrent;
using Npgsql;
using SmartRegion.Data.Solar;
using SmartRegion.Rooftop;

namespace SmartRegion.Api.Solar;

/// <summary>
/// The stored runs a what-if computes within: each run's parameters, its station's weather and sky, read once and kept for
/// the next what-ifs (a few runs: the buildings of a region are served by one or two at a time). A what-if also waits
/// its turn here: at most one computation per core, so a burst of what-ifs queues instead of starving the other requests.
/// </summary>
internal sealed class WhatIfRuns(NpgsqlDataSource readDataSource, ILogger<WhatIfRuns> logger)
{
    /// <summary>How many runs' weather and sky are kept (about a megabyte each).</summary>
    public const int KeptRuns = 4;

    /// <summary>How long a what-if waits for a free core before the API answers 503 (try again).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<long, Lazy<Task<SolarRunContext?>>> _runs = new();
    private readonly SemaphoreSlim _cores = new(Environment.ProcessorCount);

    /// <summary>Run <paramref name="runId"/>'s context; null when it cannot be computed again (no weather station, or parameters this version cannot read).</summary>
    public async Task<SolarRunContext?> ContextAsync(long runId, CancellationToken cancellationToken)
    {
        var entry = _runs.GetOrAdd(runId, id => new Lazy<Task<SolarRunContext?>>(() => LoadAsync(id)));
        try
        {
            var context = await entry.Value.WaitAsync(cancellationToken);
            if (context is null)
            {
                _runs.TryRemove(new KeyValuePair<long, Lazy<Task<SolarRunContext?>>>(runId, entry));
            }
            return context;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A database that went away: the next what-if tries again.
            _runs.TryRemove(new KeyValuePair<long, Lazy<Task<SolarRunContext?>>>(runId, entry));
            throw;
        }
        finally
        {
            foreach (var old in _runs.Keys.Order().SkipLast(KeptRuns))
            {
                _runs.TryRemove(old, out _);
            }
        }
    }

    /// <summary>Waits for a free core (false after <see cref="MaxWait"/>); dispose the answer to free it.</summary>
    public async Task<IDisposable?> TakeCoreAsync(CancellationToken cancellationToken) =>
        await _cores.WaitAsync(MaxWait, cancellationToken) ? new Core(_cores) : null;

    private sealed class Core(SemaphoreSlim cores) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                cores.Release();
            }
        }
    }

    // Shared by every request that asks for this run: not cancelled by any one of them.
    private async Task<SolarRunContext?> LoadAsync(long runId)
    {
        var runs = new SolarRunStore(readDataSource);
        (SolarParameters Parameters, WeatherStation Station)? settings;
        try
        {
            settings = await runs.ParametersAsync(runId, CancellationToken.None);
        }
        catch (SolarConfigurationException e)
        {
            logger.LogWarning("What-if: solar run {RunId} cannot be computed again: {Reason}", runId, e.Message);
            return null;
        }
        if (settings is not { } s)
        {
            logger.LogWarning("What-if: solar run {RunId} has no weather station", runId);
            return null;
        }
        return await runs.ContextAsync(runId, s.Parameters, s.Station, CancellationToken.None);
    }
}
