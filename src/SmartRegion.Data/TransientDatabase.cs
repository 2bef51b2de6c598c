using System.Net.Sockets;
using Npgsql;

namespace SmartRegion.Data;

/// <summary>
/// Rides out a database restart: an operation that fails because the server went away (connection refused or reset,
/// backend terminated, server starting or shutting down) is tried again with a growing pause, for up to
/// <see cref="Patience"/>. Npgsql drops a broken connection from its pool, so the next try opens a fresh one.
/// </summary>
public static class TransientDatabase
{
    /// <summary>How long a worker waits for the database to come back: 120 s, or SMARTREGION_DB_RETRY_S (1–3600).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("SMARTREGION_DB_RETRY_S"), out var s) && s is >= 1 and <= 3600 ? s : 120);

    /// <summary>True when <paramref name="e"/> says the server or the connection went away, not that the request was wrong.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        // 57P01 admin_shutdown (pg_terminate_backend, fast shutdown), 57P02 crash_shutdown, 57P03 cannot_connect_now
        // (starting up), class 08 connection exceptions.
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03" || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.IsTransient,
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or EndOfStreamException or TimeoutException,
        SocketException or EndOfStreamException => true,
        _ => false,
    };

    /// <summary>Runs <paramref name="operation"/>, trying again after transient failures until <see cref="Patience"/> is spent.</summary>
    public static async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> operation, string what, CancellationToken cancellationToken)
    {
        var giveUp = DateTime.UtcNow + Patience;
        var pause = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                return await operation(cancellationToken);
            }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow < giveUp && !cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine($"\nsolar: database unavailable ({what}: {e.Message}); trying again in {pause.TotalSeconds:0.##} s");
                await Task.Delay(pause, cancellationToken);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 5000));
            }
        }
    }

    /// <summary>As <see cref="RetryAsync{T}"/> for an operation without a result.</summary>
    public static Task RetryAsync(Func<CancellationToken, Task> operation, string what, CancellationToken cancellationToken) =>
        RetryAsync(async ct =>
        {
            await operation(ct);
            return true;
        }, what, cancellationToken);
}
