using System.Security.Cryptography;
using System.Text;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// Turns each request into a <see cref="Caller"/>: an API key from the Authorization header, a server-side session
/// from its cookie (with its CSRF token on state-changing calls), or anonymous. Keys in the URL are refused outright.
/// </summary>
internal static class CallerResolution
{
    public const string CookieName = "sr_session";
    public const string CsrfHeader = "X-CSRF-Token";
    private const string ItemKey = "SmartRegion.Caller";
    private const string SessionKey = "SmartRegion.Session";

    // Query parameters that would put a secret into logs, proxies and browser history.
    private static readonly string[] KeyParameters = ["apikey", "api_key", "key", "token", "access_token"];

    public static IServiceCollection AddCatalogAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<AccountStore>();
        services.AddSingleton(sp => new DatasetStore(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), Infrastructure.DatabaseRegistration.StatelessDataSource(sp),
            sp.GetRequiredService<GateCacheHost>().Cache));
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuthSettings>();
        return services;
    }

    public static Caller Caller(this HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var c) && c is Caller caller ? caller : Data.Catalog.Caller.Anonymous;

    /// <summary>The session the request came with, when it was signed in with a cookie.</summary>
    public static SessionInfo? SignInSession(this HttpContext context) =>
        context.Items.TryGetValue(SessionKey, out var s) ? s as SessionInfo : null;

    /// <summary>The caller as the audit trail names it, with the client's address.</summary>
    public static AuditActor Actor(this HttpContext context) =>
        new(context.Caller().Label ?? "anonymous", context.Caller().UserId, context.ClientAddress());

    /// <summary>The client's address (as the trusted proxies tell it), for throttling and the session list.</summary>
    public static string ClientAddress(this HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Sets the session cookie: HttpOnly, SameSite=Strict, Secure whenever the client's connection is HTTPS.</summary>
    public static void WriteSessionCookie(this HttpContext context, string token, SessionLifetime lifetime) =>
        context.Response.Cookies.Append(CookieName, token, CookieOptions(context, lifetime.Max));

    public static void ClearSessionCookie(this HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, null));

    private static CookieOptions CookieOptions(HttpContext context, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };

    public static bool IsCatalogPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/catalog.jsonld") || path.StartsWithSegments("/catalog.ttl")
        || path.StartsWithSegments("/ogc") || path.StartsWithSegments("/tiles");

    public static WebApplication UseCatalogCallers(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            if (!IsCatalogPath(ctx.Request.Path))
            {
                await next(ctx);
                return;
            }
            if (ctx.Request.Query.Keys.FirstOrDefault(k => KeyParameters.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } bad)
            {
                await CatalogProblems.Write(ctx, 400, "api_key_in_url",
                    $"Credentials are not accepted in the URL (query parameter '{bad}'): send 'Authorization: Apikey <key>' instead, and revoke the key if it was real.");
                return;
            }
            var (caller, failure) = await ResolveAsync(ctx);
            if (failure is not null)
            {
                ctx.Response.Headers.WWWAuthenticate = "Apikey realm=\"smartregion\"";
                await CatalogProblems.Write(ctx, 401, failure.Value.Code, failure.Value.Detail);
                return;
            }
            ctx.Items[ItemKey] = caller;
            await next(ctx);
        });
        return app;
    }

    private static async Task<(Caller Caller, (string Code, string Detail)? Failure)> ResolveAsync(HttpContext ctx)
    {
        var accounts = ctx.RequestServices.GetRequiredService<AccountStore>();
        var ct = ctx.RequestAborted;
        var header = ctx.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            var space = header.IndexOf(' ', StringComparison.Ordinal);
            var scheme = space > 0 ? header[..space] : header;
            var secret = space > 0 ? header[(space + 1)..].Trim() : "";
            if (!scheme.Equals("Apikey", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return (Data.Catalog.Caller.Anonymous, ("unsupported_authorization", "Use 'Authorization: Apikey <key>' or 'Authorization: Bearer <key>'."));
            }
            var principal = ApiKeys.LooksLikeKey(secret) ? await accounts.AuthenticateKeyAsync(secret, ct) : null;
            if (principal is null || principal.UserDisabled)
            {
                return (Data.Catalog.Caller.Anonymous, ("invalid_api_key", "The API key is not valid."));
            }
            if (principal.Key.RevokedAt is not null)
            {
                return (Data.Catalog.Caller.Anonymous, ("api_key_revoked", $"The API key {principal.Key.Prefix}… was revoked."));
            }
            if (principal.Key.ExpiresAt is { } exp && exp <= DateTimeOffset.UtcNow)
            {
                return (Data.Catalog.Caller.Anonymous, ("api_key_expired", $"The API key {principal.Key.Prefix}… expired."));
            }
            var roles = principal.RoleInOrg is null
                ? new Dictionary<long, string>()
                : new Dictionary<long, string> { [principal.Key.OrgId] = principal.RoleInOrg };
            return (new Caller(principal.Key.UserId, principal.Key.Id, principal.UserIsPlatformAdmin, roles,
                principal.Key.Scopes.ToHashSet(StringComparer.Ordinal), principal.Key.ExpiresAt,
                $"key:{principal.Key.Prefix} ({principal.Key.UserEmail})"), null);
        }
        if (ctx.Request.Cookies.TryGetValue(CookieName, out var token) && token.Length > 0)
        {
            var settings = ctx.RequestServices.GetRequiredService<AuthSettings>();
            var session = await ctx.RequestServices.GetRequiredService<SessionStore>().FindAsync(token, settings.Lifetime, ct);
            if (session is null)
            {
                // Ended (logout, password change, signed out everywhere) or expired: the cookie is worth nothing.
                ctx.ClearSessionCookie();
                return (Data.Catalog.Caller.Anonymous, null);
            }
            if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method) && !HttpMethods.IsOptions(ctx.Request.Method)
                && !ctx.Request.Path.StartsWithSegments("/api/v1/auth/login"))
            {
                var sent = ctx.Request.Headers[CsrfHeader].ToString();
                if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(session.CsrfToken)))
                {
                    // A cookie call without the session's CSRF token is treated as not signed in at all: it may be forged.
                    return (Data.Catalog.Caller.Anonymous, ("csrf_token_missing", $"State-changing calls with a session cookie need the {CsrfHeader} header from /api/v1/auth/me."));
                }
            }
            var user = await accounts.FindUserAsync(session.UserId, ct);
            if (user is null)
            {
                return (Data.Catalog.Caller.Anonymous, ("session_invalid", "The session's user no longer exists; sign in again."));
            }
            ctx.Items[SessionKey] = session;
            var memberships = await accounts.MembershipsAsync(user.Id, ct);
            return (new Caller(user.Id, null, user.IsPlatformAdmin, memberships.ToDictionary(m => m.OrgId, m => m.Role),
                Vocabulary.Scopes.ToHashSet(StringComparer.Ordinal), Label: $"user:{user.Email}"), null);
        }
        return (Data.Catalog.Caller.Anonymous, null);
    }
}
