using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace SmartRegion.Data.Catalog;

/// <summary>
/// The catalogue gate's answers (<see cref="DatasetStore.FindAsync"/>, <see cref="DatasetStore.AccessAsync"/>: a dataset, its
/// visibility, owner and the caller's organisations' active grants), kept in memory so that a hot read path does not ask
/// PostgreSQL the same question on every request — and never serves one a change has made stale, on any API host:
/// <list type="bullet">
/// <item>Every change to what the gate reads (datasets, their versions, grants, organisations) notifies
/// <see cref="Channel"/> in its own transaction (migration 0249's triggers: the notification is delivered at commit, to every
/// host's listener). A notification empties the cache.</item>
/// <item>Before a request reads the cache it waits for a <em>fence</em>: a round trip on the listening connection that
/// started after the request did. PostgreSQL delivers a listener the notifications of every transaction committed before its
/// statement before that statement's answer, so once the fence is back, every change committed before the request arrived
/// (a revoke on another host whose answer has already gone out) has emptied the cache. Concurrent requests share fences
/// (one in flight at a time; those arriving meanwhile wait for the next), so PostgreSQL runs one trivial statement for
/// many requests instead of the gate's statement for each.</item>
/// <item>While the listening connection is lost (a restart, <c>pg_terminate_backend</c>, a network failure: the fence
/// fails), the cache is bypassed — every request asks PostgreSQL — and it starts empty once the connection and its
/// <c>LISTEN</c> are back (<see cref="RunAsync"/> reconnects every <see cref="ReconnectDelay"/>).</item>
/// <item>An answer that holds a grant lives no longer than the grant's expiry (PostgreSQL's clock, as a remaining lifetime).</item>
/// </list>
/// An answer read from PostgreSQL is kept only if no notification arrived since the fence before the read (the
/// generation it was read under): a change committed while it was read cannot be hidden by it.
/// </summary>
public sealed class GateCache(NpgsqlDataSource listenerSource) : IAsyncDisposable
{
    /// <summary>The notification channel the triggers of migration 0249 notify.</summary>
    public const string Channel = "smartregion_gate";

    /// <summary>More distinct questions (dataset × the caller's organisations) than this empties the cache first.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>How long after a lost listening connection the next attempt is, and how often an idle host fences.</summary>
    public static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private sealed record Entry(object Value, long Generation, long ExpiresAt);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _generation;
    private volatile NpgsqlConnection? _listener;
    private TaskCompletionSource<bool>? _running;
    private TaskCompletionSource<bool>? _next;

    /// <summary>True while the listening connection is up (answers may be served from memory).</summary>
    public bool IsListening => _listener is not null;

    /// <summary>The backend process id of the listening connection (tests end it with <c>pg_terminate_backend</c>), or null.</summary>
    public int? ListenerProcessId => _listener?.ProcessID;

    /// <summary>Answers served from memory and read from PostgreSQL since start (for tests and bench/api).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <inheritdoc cref="Hits"/>
    public long Misses => Interlocked.Read(ref _misses);

    private long _hits;
    private long _misses;
    private Action<Exception>? _onLost;

    /// <summary>A fence that takes longer (a connection that went silent) counts as lost: its requests read PostgreSQL.</summary>
    private const int FenceTimeoutSeconds = 5;

    /// <summary>
    /// The answer to <paramref name="key"/>: from memory when the listening connection is up and nothing changed since it was
    /// read, else from <paramref name="read"/> (kept, with its lifetime, when no change arrived while it ran).
    /// </summary>
    public async Task<T> GetAsync<T>(string key, Func<CancellationToken, Task<(T Value, TimeSpan? Lifetime)>> read, CancellationToken cancellationToken)
        where T : class
    {
        var generation = await FenceAsync(cancellationToken);
        if (generation is { } g && _entries.TryGetValue(key, out var entry) && entry.Generation == g && entry.ExpiresAt > Stopwatch.GetTimestamp())
        {
            Interlocked.Increment(ref _hits);
            return (T)entry.Value;
        }
        Interlocked.Increment(ref _misses);
        var (value, lifetime) = await read(cancellationToken);
        if (generation is { } read0 && lifetime is not { Ticks: <= 0 } && read0 == Volatile.Read(ref _generation))
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
            var expires = lifetime is { } l ? Stopwatch.GetTimestamp() + (long)(l.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
            _entries[key] = new Entry(value, read0, expires);
        }
        return value;
    }

    /// <summary>Forgets every answer (a notification, a lost or new listening connection).</summary>
    public void Flush()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>
    /// Waits for a fence that starts after this call; the generation the cache may be read under once it is back, or null
    /// when the listening connection is down (bypass the cache).
    /// </summary>
    private async Task<long?> FenceAsync(CancellationToken cancellationToken)
    {
        if (_listener is null)
        {
            return null;
        }
        TaskCompletionSource<bool> mine;
        var start = false;
        lock (_lock)
        {
            if (_running is null)
            {
                _running = mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                start = true;
            }
            else
            {
                mine = _next ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        if (start)
        {
            _ = Task.Run(FenceLoopAsync, CancellationToken.None);
        }
        // Read after the fence: a notification the fence brought has already moved it on.
        return await mine.Task.WaitAsync(cancellationToken) ? Volatile.Read(ref _generation) : null;
    }

    /// <summary>Runs fences back to back while requests wait for one; each completes the requests that arrived before it started.</summary>
    private async Task FenceLoopAsync()
    {
        while (true)
        {
            TaskCompletionSource<bool> current;
            lock (_lock)
            {
                current = _running!;
            }
            current.TrySetResult(await OneFenceAsync());
            lock (_lock)
            {
                if (_next is null)
                {
                    _running = null;
                    return;
                }
                _running = _next;
                _next = null;
            }
        }
    }

    private async Task<bool> OneFenceAsync()
    {
        var listener = _listener;
        if (listener is null)
        {
            return false;
        }
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT 1", listener) { CommandTimeout = FenceTimeoutSeconds };
            await cmd.ExecuteScalarAsync();
            return true;
        }
        catch (Exception e)
        {
            // Whatever failed (an error, a timeout, the connection disposed), the fence proves nothing: lost. Bypass from now on (the requests waiting on this fence read PostgreSQL), start empty when it is back.
            _listener = null;
            Flush();
            _onLost?.Invoke(e);
            await listener.DisposeAsync();
            return false;
        }
    }

    /// <summary>
    /// Keeps the listening connection: (re)connects and <c>LISTEN</c>s, then fences every <see cref="ReconnectDelay"/> while
    /// idle (notifications do not pile up in PostgreSQL's queue), until <paramref name="stopping"/>.
    /// </summary>
    public async Task RunAsync(Action<Exception>? onLost, CancellationToken stopping)
    {
        _onLost = onLost;
        while (!stopping.IsCancellationRequested)
        {
            if (_listener is null)
            {
                NpgsqlConnection? connection = null;
                try
                {
                    connection = await listenerSource.OpenConnectionAsync(stopping);
                    connection.Notification += (_, _) => Flush();
                    await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stopping);
                    }
                    // Answers read before LISTEN took effect may predate a change whose notification this connection missed.
                    Flush();
                    _listener = connection;
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    // Still bypassed; tried again after the delay (an exception here must not stop the host).
                    onLost?.Invoke(e);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                    }
                }
            }
            else
            {
                await FenceAsync(stopping);
            }
            try
            {
                await Task.Delay(ReconnectDelay, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var listener = _listener;
        _listener = null;
        Flush();
        if (listener is not null)
        {
            await listener.DisposeAsync();
        }
    }
}
