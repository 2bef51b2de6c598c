using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace SmartRegion.Data.Catalog;

/// <summary>A live session as a request finds it: whose, since when, how signed in, and its CSRF token.</summary>
public sealed record SessionInfo(long Id, long UserId, string CsrfToken, string Method, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt, string? ClientIp, string? UserAgent);

/// <summary>How long sessions last: idle (sliding) and absolute.</summary>
public sealed record SessionLifetime(TimeSpan Idle, TimeSpan Max)
{
    public static readonly SessionLifetime Default = new(TimeSpan.FromHours(8), TimeSpan.FromHours(24));
}

/// <summary>
/// Server-side sessions. The browser's cookie is a random token shown once; only its SHA-256 is stored, so the
/// database alone cannot make a cookie, and ending a session (a row) ends it on every host at once.
/// </summary>
public sealed class SessionStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "s.id, s.user_id, s.csrf_token, s.method, s.created_at, s.last_seen_at, s.expires_at, s.client_ip, s.user_agent";

    /// <summary>Opens a session; returns it and the cookie token (the only time the token exists outside the browser).</summary>
    public async Task<(SessionInfo Session, string Token)> CreateAsync(
        long userId, string method, string? clientIp, string? userAgent, SessionLifetime lifetime, CancellationToken cancellationToken)
    {
        var token = RandomToken();
        var session = (await Db.ListAsync(dataSource, $"""
            INSERT INTO catalog.session AS s (token_sha256, user_id, csrf_token, method, client_ip, user_agent, expires_at)
            VALUES (@h, @u, @csrf, @m, @ip, @ua, now() + least(@idle, @max))
            RETURNING {Columns}
            """, Map, cancellationToken, ("h", Hash(token)), ("u", userId), ("csrf", RandomToken()), ("m", method), ("ip", clientIp),
            ("ua", userAgent is { Length: > 300 } ? userAgent[..300] : userAgent), ("idle", lifetime.Idle), ("max", lifetime.Max))).Single();
        return (session, token);
    }

    /// <summary>
    /// The live session of a cookie token (not revoked, not expired, its user not disabled), or null. Activity slides
    /// the idle expiry (written at most once a minute), never past the absolute one.
    /// </summary>
    public async Task<SessionInfo?> FindAsync(string token, SessionLifetime lifetime, CancellationToken cancellationToken)
    {
        if (token.Length is 0 or > 100)
        {
            return null;
        }
        return (await Db.ListAsync(dataSource, $"""
            WITH live AS (
                SELECT {Columns} FROM catalog.session s JOIN catalog.app_user u ON u.id = s.user_id
                WHERE s.token_sha256 = @h AND s.revoked_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL),
            touched AS (
                UPDATE catalog.session x SET last_seen_at = now(), expires_at = least(x.created_at + @max, now() + @idle)
                FROM live WHERE x.id = live.id AND x.last_seen_at < now() - interval '1 minute')
            SELECT * FROM live s
            """, Map, cancellationToken, ("h", Hash(token)), ("idle", lifetime.Idle), ("max", lifetime.Max))).SingleOrDefault();
    }

    /// <summary>Ends one session of a user; false when it was not live.</summary>
    public async Task<bool> RevokeAsync(long sessionId, long userId, string reason, CancellationToken cancellationToken) =>
        await Db.ExecuteAsync(dataSource, """
            UPDATE catalog.session SET revoked_at = now(), revoked_reason = @r WHERE id = @id AND user_id = @u AND revoked_at IS NULL
            """, cancellationToken, ("id", sessionId), ("u", userId), ("r", reason)) == 1;

    /// <summary>Ends every live session of a user at once; returns how many.</summary>
    public Task<int> RevokeAllAsync(long userId, string reason, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, """
            UPDATE catalog.session SET revoked_at = now(), revoked_reason = @r WHERE user_id = @u AND revoked_at IS NULL
            """, cancellationToken, ("u", userId), ("r", reason));

    /// <summary>The user's live sessions, newest first.</summary>
    public Task<List<SessionInfo>> ListLiveAsync(long userId, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, $"""
            SELECT {Columns} FROM catalog.session s
            WHERE s.user_id = @u AND s.revoked_at IS NULL AND s.expires_at > now() ORDER BY s.id DESC
            """, Map, cancellationToken, ("u", userId));

    /// <summary>256 random bits, base64url: a cookie token or a CSRF token.</summary>
    public static string RandomToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static SessionInfo Map(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5),
        r.GetFieldValue<DateTimeOffset>(6), r.Get<string>("client_ip"), r.Get<string>("user_agent"));
}
