namespace SmartRegion.Data.Catalog;

/// <summary>How many failed sign-ins an account and a client may have within the window before they must wait.</summary>
public sealed record ThrottleLimits(int PerAccount, int PerClient, TimeSpan Window)
{
    public static readonly ThrottleLimits Default = new(5, 20, TimeSpan.FromMinutes(15));
}

/// <summary>
/// Counts failed sign-ins per account and per client in the database, so every host of the platform sees the same
/// counts. The account is the e-mail as typed (normalised) whether or not such a user exists: an unknown address is
/// throttled exactly like a known one, so the throttle tells nothing about who has an account.
/// </summary>
public sealed class SignInThrottle(Npgsql.NpgsqlDataSource dataSource)
{
    /// <summary>How long the caller must wait before trying again, or null when it may try now.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string account, string client, ThrottleLimits limits, CancellationToken cancellationToken)
    {
        // For each key over its limit: when its oldest failure that still counts leaves the window.
        var waits = await Db.ListAsync(dataSource, """
            SELECT max(until) FROM (
                SELECT (array_agg(at ORDER BY at DESC))[@perAccount] + @window - now() AS until
                  FROM catalog.sign_in_failure WHERE account = @account AND at > now() - @window
                HAVING count(*) >= @perAccount
                UNION ALL
                SELECT (array_agg(at ORDER BY at DESC))[@perClient] + @window - now()
                  FROM catalog.sign_in_failure WHERE client = @client AND at > now() - @window
                HAVING count(*) >= @perClient) w
            """, r => r.IsDBNull(0) ? (TimeSpan?)null : r.GetTimeSpan(0), cancellationToken,
            ("account", account), ("client", client), ("perAccount", limits.PerAccount), ("perClient", limits.PerClient), ("window", limits.Window));
        return waits.SingleOrDefault() is { } wait && wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>Counts one failure for both keys (and forgets failures older than the window).</summary>
    public Task RecordFailureAsync(string account, string client, ThrottleLimits limits, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, """
            DELETE FROM catalog.sign_in_failure WHERE (account = @account OR client = @client) AND at < now() - @window;
            INSERT INTO catalog.sign_in_failure (account, client) VALUES (@account, @client);
            """, cancellationToken, ("account", account), ("client", client), ("window", limits.Window));

    /// <summary>A successful sign-in clears the account's failures (not the client's: one right password does not excuse a spray).</summary>
    public Task ClearAccountAsync(string account, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, "DELETE FROM catalog.sign_in_failure WHERE account = @account", cancellationToken, ("account", account));
}
