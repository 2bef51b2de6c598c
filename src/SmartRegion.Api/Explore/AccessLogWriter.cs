using System.Threading.Channels;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Explore;

namespace SmartRegion.Api.Explore;

/// <summary>
/// The read APIs' access log, written in the background: a call enqueues its line and returns; a writer inserts what
/// has gathered (at most a second old, 1,000 lines a statement). Lines keep the time of the call. A host that stops
/// writes what is queued first.
/// </summary>
internal sealed class AccessLogWriter(AccessLogBatch batch, ILogger<AccessLogWriter> logger) : BackgroundService
{
    private const int MaxBatch = 1_000;
    private readonly Channel<AccessEntry> _queue = Channel.CreateBounded<AccessEntry>(new BoundedChannelOptions(100_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public ValueTask LogAsync(long datasetId, Caller caller, string endpoint, long? rows) =>
        _queue.Writer.WriteAsync(AccessLogBatch.Entry(datasetId, caller, endpoint, rows));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new List<AccessEntry>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
                await DrainAsync(pending, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await DrainAsync(pending, CancellationToken.None);
    }

    private async Task DrainAsync(List<AccessEntry> pending, CancellationToken cancellationToken)
    {
        while (_queue.Reader.TryRead(out var entry))
        {
            pending.Add(entry);
            if (pending.Count == MaxBatch)
            {
                await WriteAsync(pending, cancellationToken);
            }
        }
        await WriteAsync(pending, cancellationToken);
    }

    private async Task WriteAsync(List<AccessEntry> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }
        try
        {
            await batch.InsertAsync(pending, cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException)
        {
            // The database is away: the lines are lost rather than the API blocked; say how many.
            logger.LogWarning("Access log: {Count} line(s) not written ({Reason})", pending.Count, e.Message);
        }
        pending.Clear();
    }
}
